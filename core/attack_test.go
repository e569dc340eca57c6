package core_test

import (
	"crypto/tls"
	"net/http"
	"strings"
	"testing"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

const dsigNS = "http://www.w3.org/2000/09/xmldsig#"

// removeSignatures drops every ds:Signature below el.
func removeSignatures(el *etree.Element) {
	for _, child := range el.ChildElements() {
		if child.Tag == "Signature" && child.NamespaceURI() == dsigNS {
			el.RemoveChild(child)
			continue
		}
		removeSignatures(child)
	}
}

func parseXML(t *testing.T, s string) *etree.Document {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(s); err != nil {
		t.Fatal(err)
	}
	return doc
}

func docString(t *testing.T, doc *etree.Document) string {
	t.Helper()
	s, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signInPlace signs el with ctx and puts the signature after its Issuer,
// where SAML's schema wants it.
func signInPlace(t *testing.T, ctx *dsig.SigningContext, parent, el *etree.Element) {
	t.Helper()
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		t.Fatal(err)
	}
	sig := signed.ChildElements()[len(signed.ChildElements())-1]
	issuer := el.SelectElement("Issuer")
	el.InsertChildAt(issuer.Index()+1, sig.Copy())
	_ = parent
}

func foreignSigner(t *testing.T) *dsig.SigningContext {
	t.Helper()
	key, cert := samltest.NewCertKey(t, "mallory")
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func TestACSRefusesForgedResponses(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	tests := []struct {
		name  string
		forge func(t *testing.T, xml string) string
		class core.RefusalClass
	}{
		{"signature removed", func(t *testing.T, xml string) string {
			doc := parseXML(t, xml)
			removeSignatures(doc.Root())
			return docString(t, doc)
		}, core.ClassNoSignature},
		{"re-signed with a foreign key", func(t *testing.T, xml string) string {
			doc := parseXML(t, xml)
			removeSignatures(doc.Root())
			doc.Root().FindElement("./Assertion/Subject/NameID").SetText("mallory@example.com")
			ctx := foreignSigner(t)
			signInPlace(t, ctx, doc.Root(), doc.Root().FindElement("./Assertion"))
			signInPlace(t, ctx, nil, doc.Root())
			return docString(t, doc)
		}, core.ClassUnknownKey},
		{"NameID changed after signing", func(t *testing.T, xml string) string {
			return strings.Replace(xml, "carol@contractor.example.net</", "mallory@example.com</", 1)
		}, core.ClassSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := capture(t, tc, "carol")
			forged := tt.forge(t, c.xml(t))
			if forged == c.xml(t) {
				t.Fatal("the forgery changed nothing")
			}
			status, page := c.withXML(forged).post(t, "")
			if status != http.StatusForbidden || !contains(page, "Sign-in refused") {
				t.Fatalf("HTTP %d, page:\n%s", status, page)
			}
			if contains(page, "saml:") || contains(page, "cannot validate") {
				t.Errorf("the browser saw the library's private error:\n%s", page)
			}
			// The event the page names ("#12" contains "#1": read the
			// number, not a substring).
			ev := refusalOnPage(t, tc, page)
			if got := refusalClass(t, tc, ev); got != tt.class {
				t.Errorf("class = %q, want %q (event %q)", got, tt.class, ev.Message)
			}
			if last := lastRefusal(t, tc); last.ID != ev.ID {
				t.Errorf("error page names event %d, the newest refusal is %d", ev.ID, last.ID)
			}
			if n := len(users(t, tc)); n != 0 {
				t.Fatalf("a forged response created %d accounts", n)
			}
		})
	}
}

func TestReplayIsRefusedAlsoAfterRestart(t *testing.T) {
	dir := t.TempDir()
	tc := startConsole(t, dir, "")
	c := capture(t, tc, "bob")
	if status, page := c.post(t, ""); status != http.StatusOK {
		t.Fatalf("first post: HTTP %d\n%s", status, page)
	}
	status, _ := c.post(t, "")
	if status != http.StatusForbidden {
		t.Fatalf("replay: HTTP %d, want 403", status)
	}
	if got := refusalClass(t, tc, lastRefusal(t, tc)); got != core.ClassReplayed {
		t.Fatalf("replay class = %q", got)
	}

	// A new process over the same database: same base URL, another port.
	base := tc.Base
	tc.close()
	tc2 := startConsole(t, dir, base)
	status, _ = c.post(t, tc2.addr()+"/saml/demo/acs")
	if status != http.StatusForbidden {
		t.Fatalf("replay after restart: HTTP %d, want 403", status)
	}
	if got := refusalClass(t, tc2, lastRefusal(t, tc2)); got != core.ClassReplayed {
		t.Fatalf("replay after restart class = %q", got)
	}
	us := users(t, tc2)
	if len(us) != 1 || us[0].LoginCount != 1 {
		t.Fatalf("replays changed the account: %+v", us)
	}
}

func TestResponseToUnknownRequestIsRefused(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	c := capture(t, tc, "bob")
	// Without RelayState the SP knows no request: a response that answers
	// one is refused.
	c.Form.Del("RelayState")
	if status, _ := c.post(t, ""); status != http.StatusForbidden {
		t.Fatalf("HTTP %d, want 403", status)
	}
	if got := refusalClass(t, tc, lastRefusal(t, tc)); got != core.ClassInResponseTo {
		t.Fatalf("class = %q, want %q", got, core.ClassInResponseTo)
	}
	if n := len(users(t, tc)); n != 0 {
		t.Fatalf("%d accounts created", n)
	}
}

func refusalClass(t *testing.T, tc *testConsole, ev core.Event) core.RefusalClass {
	t.Helper()
	if ev.Class == "" {
		t.Fatalf("refusal event %d has no class", ev.ID)
	}
	return ev.Class
}
