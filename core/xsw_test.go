package core_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/jitconsole/jitconsole/core"
)

// parts of a genuinely signed response of the demo IdP.
type signedParts struct {
	doc       *etree.Document
	resp      *etree.Element
	assertion *etree.Element
}

func splitSigned(t *testing.T, xml string) signedParts {
	t.Helper()
	doc := parseXML(t, xml)
	resp := doc.Root()
	a := resp.SelectElement("Assertion")
	if a == nil || a.SelectElement("Signature") == nil || resp.SelectElement("Signature") == nil {
		t.Fatal("the demo IdP's response is not signed at both levels")
	}
	return signedParts{doc: doc, resp: resp, assertion: a}
}

// evilAssertion is a copy of a with another ID and NameID, unsigned.
func evilAssertion(a *etree.Element) *etree.Element {
	e := a.Copy()
	if s := e.SelectElement("Signature"); s != nil {
		e.RemoveChild(s)
	}
	e.CreateAttr("ID", "_evil_assertion")
	e.FindElement("./Subject/NameID").SetText("mallory@evil.example")
	return e
}

func withoutSignature(el *etree.Element) *etree.Element {
	c := el.Copy()
	if s := c.SelectElement("Signature"); s != nil {
		c.RemoveChild(s)
	}
	return c
}

func replaceChild(parent, old, new *etree.Element) {
	parent.InsertChildAt(old.Index(), new)
	parent.RemoveChild(old)
}

func dropResponseSignature(p signedParts) {
	p.resp.RemoveChild(p.resp.SelectElement("Signature"))
}

// xswVariants are the eight XML signature wrapping shapes (after the SAML
// Raider catalogue): a signed element kept somewhere the verifier finds it,
// and an unsigned evil element where the application reads.
var xswVariants = []struct {
	name  string
	build func(p signedParts) *etree.Document
}{
	{"XSW1 response copy inside the Signature", func(p signedParts) *etree.Document {
		orig := p.resp.Copy()
		evil := withoutSignature(p.resp)
		evil.CreateAttr("ID", "_evil_response")
		replaceChild(evil, evil.SelectElement("Assertion"), evilAssertion(p.assertion))
		sig := p.resp.SelectElement("Signature").Copy()
		sig.AddChild(orig)
		evil.InsertChildAt(evil.SelectElement("Issuer").Index()+1, sig)
		d := etree.NewDocument()
		d.SetRoot(evil)
		return d
	}},
	{"XSW2 response copy beside the Signature", func(p signedParts) *etree.Document {
		orig := p.resp.Copy()
		evil := withoutSignature(p.resp)
		evil.CreateAttr("ID", "_evil_response")
		replaceChild(evil, evil.SelectElement("Assertion"), evilAssertion(p.assertion))
		sig := p.resp.SelectElement("Signature").Copy()
		at := evil.SelectElement("Issuer").Index() + 1
		evil.InsertChildAt(at, sig)
		evil.InsertChildAt(at, orig)
		d := etree.NewDocument()
		d.SetRoot(evil)
		return d
	}},
	{"XSW3 evil assertion before the signed one", func(p signedParts) *etree.Document {
		dropResponseSignature(p)
		p.resp.InsertChildAt(p.assertion.Index(), evilAssertion(p.assertion))
		return p.doc
	}},
	{"XSW4 signed assertion inside the evil one", func(p signedParts) *etree.Document {
		dropResponseSignature(p)
		evil := evilAssertion(p.assertion)
		evil.AddChild(p.assertion.Copy())
		replaceChild(p.resp, p.assertion, evil)
		return p.doc
	}},
	{"XSW5 signature moved to the evil assertion, original at the end", func(p signedParts) *etree.Document {
		dropResponseSignature(p)
		evil := evilAssertion(p.assertion)
		evil.InsertChildAt(evil.SelectElement("Issuer").Index()+1, p.assertion.SelectElement("Signature").Copy())
		orig := withoutSignature(p.assertion)
		replaceChild(p.resp, p.assertion, evil)
		p.resp.AddChild(orig)
		return p.doc
	}},
	{"XSW6 original assertion inside the moved signature", func(p signedParts) *etree.Document {
		dropResponseSignature(p)
		evil := evilAssertion(p.assertion)
		sig := p.assertion.SelectElement("Signature").Copy()
		sig.AddChild(withoutSignature(p.assertion))
		evil.InsertChildAt(evil.SelectElement("Issuer").Index()+1, sig)
		replaceChild(p.resp, p.assertion, evil)
		return p.doc
	}},
	{"XSW7 signed assertion in Extensions", func(p signedParts) *etree.Document {
		dropResponseSignature(p)
		ext := etree.NewElement("samlp:Extensions")
		ext.AddChild(p.assertion.Copy())
		p.resp.InsertChildAt(p.resp.SelectElement("Issuer").Index()+1, ext)
		replaceChild(p.resp, p.assertion, evilAssertion(p.assertion))
		return p.doc
	}},
	{"XSW8 original assertion in an Object of the moved signature", func(p signedParts) *etree.Document {
		dropResponseSignature(p)
		evil := evilAssertion(p.assertion)
		sig := p.assertion.SelectElement("Signature").Copy()
		obj := sig.CreateElement("ds:Object")
		obj.AddChild(withoutSignature(p.assertion))
		evil.InsertChildAt(evil.SelectElement("Issuer").Index()+1, sig)
		replaceChild(p.resp, p.assertion, evil)
		return p.doc
	}},
}

// TestACSRefusesAttacks sends each attack, built from a genuinely signed
// response, to the real ACS: each is refused with the class a person would
// expect, and no account is created or changed.
func TestACSRefusesAttacks(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	// Carol has an account already: attacks must not change it either.
	if status, _ := capture(t, tc, "carol").post(t, ""); status != http.StatusOK {
		t.Fatal("carol's first login failed")
	}
	before := users(t, tc)

	type attack struct {
		name    string
		forge   func(t *testing.T, xml string) string
		classes []core.RefusalClass // acceptable recorded classes
	}
	var attacks []attack
	for _, v := range xswVariants {
		v := v
		attacks = append(attacks, attack{v.name, func(t *testing.T, xml string) string {
			return docString(t, v.build(splitSigned(t, xml)))
		}, []core.RefusalClass{core.ClassSignatureInvalid, core.ClassMalformed, core.ClassNoSignature}})
	}
	attacks = append(attacks,
		attack{"comment inside the NameID", func(t *testing.T, xml string) string {
			return strings.Replace(xml, ">carol@contractor.example.net<", ">carol@contractor<!---->.example.net<", 1)
		}, []core.RefusalClass{core.ClassMalformed, core.ClassSignatureInvalid}},
		attack{"two assertions", func(t *testing.T, xml string) string {
			p := splitSigned(t, xml)
			dropResponseSignature(p)
			p.resp.AddChild(p.assertion.Copy())
			return docString(t, p.doc)
		}, []core.RefusalClass{core.ClassMalformed}},
		attack{"DOCTYPE with entities", func(t *testing.T, xml string) string {
			return `<!DOCTYPE r [<!ENTITY e "carol@contractor.example.net">]>` + xml
		}, []core.RefusalClass{core.ClassMalformed}},
		attack{"HMAC signature keyed with the IdP's public certificate", func(t *testing.T, xml string) string {
			p := splitSigned(t, xml)
			dropResponseSignature(p)
			sig := p.assertion.SelectElement("Signature")
			sig.FindElement("./SignedInfo/SignatureMethod").CreateAttr("Algorithm", "http://www.w3.org/2000/09/xmldsig#hmac-sha1")
			certB64 := strings.Join(strings.Fields(sig.FindElement("./KeyInfo/X509Data/X509Certificate").Text()), "")
			der, _ := base64.StdEncoding.DecodeString(certB64)
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatal(err)
			}
			pub, _ := x509.MarshalPKIXPublicKey(cert.PublicKey)
			key := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
			mac := hmac.New(sha1.New, key)
			si := sig.SelectElement("SignedInfo").Copy()
			d := etree.NewDocument()
			d.SetRoot(si)
			b, _ := d.WriteToBytes()
			mac.Write(b)
			sig.SelectElement("SignatureValue").SetText(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
			return docString(t, p.doc)
		}, []core.RefusalClass{core.ClassSignatureInvalid}},
	)
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			c := capture(t, tc, "carol")
			forged := a.forge(t, c.xml(t))
			status, page := c.withXML(forged).post(t, "")
			if status == http.StatusOK || !contains(page, "Sign-in refused") {
				t.Fatalf("attack accepted: HTTP %d\n%s", status, page)
			}
			got := refusalClass(t, tc, refusalOnPage(t, tc, page))
			ok := false
			for _, c := range a.classes {
				ok = ok || got == c
			}
			if !ok {
				t.Errorf("class %q, want one of %v ", got, a.classes)
			}
			after := users(t, tc)
			if len(after) != len(before) || after[0].LoginCount != before[0].LoginCount || after[0].NameID != before[0].NameID {
				t.Fatalf("an attack changed the accounts: %+v", after)
			}
		})
	}
}
