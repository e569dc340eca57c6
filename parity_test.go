package main

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
	"github.com/jitconsole/jitconsole/storage"
)

// TestValidatorACSParity holds the validator to the ACS's truth: each row
// makes a real signed response with a real IdP, asks check-response --json
// (the real binary, against the data dir of the running console), then
// posts the same response to the console's ACS over HTTP. The accept or
// refuse decision and the refusal class must be the same, row by row:
// valid responses, each refusal class, each per-IdP security setting on
// and off, solicited and unsolicited, and the stateful checks (replay, a
// second response to one request) read from the stored state.
func TestValidatorACSParity(t *testing.T) {
	p := startParity(t)
	type row struct {
		name  string
		setup func()                     // changes settings before the response is made
		make  func() (parityPost, error) // the response and how it is posted
		want  core.RefusalClass          // "" accepted, else the refusal class
	}
	sec := func(f func(*core.IdPSecurity)) func() {
		return func() { p.updateIdP(func(i *core.IdP) { i.Security = core.IdPSecurity{}; f(&i.Security) }) }
	}
	none := sec(func(*core.IdPSecurity) {})
	solicited := func() (parityPost, error) { return p.solicited(nil) }
	// idpDoes is a solicited response from the IdP with its settings
	// changed by f, put back afterwards.
	idpDoes := func(f func(*samltest.Settings)) func() (parityPost, error) {
		return func() (parityPost, error) {
			saved := p.idp.Settings()
			defer p.idp.Set(func(s *samltest.Settings) { *s = saved })
			p.idp.Set(f)
			return p.solicited(nil)
		}
	}
	mutated := func(m func(*saml.Assertion)) func() (parityPost, error) {
		return idpDoes(func(s *samltest.Settings) { s.Mutate = m })
	}
	// nameID is Pat with another NameID.
	nameID := func(value string, format saml.NameIDFormat) func() (parityPost, error) {
		return idpDoes(func(s *samltest.Settings) {
			s.Session = func(req *saml.IdpAuthnRequest) *saml.Session {
				pat := samltest.Pat(req)
				pat.NameID, pat.NameIDFormat = value, string(format)
				return pat
			}
		})
	}
	edited := func(edit func(*etree.Element)) func() (parityPost, error) {
		return func() (parityPost, error) { return p.solicited(edit) }
	}
	sha1 := idpDoes(func(s *samltest.Settings) { s.SignatureMethod = dsig.RSASHA1SignatureMethod })
	rolledKey, rolledCert := samltest.NewCertKey(t, "rolled-over")
	rows := []row{
		{"valid, solicited", none, solicited, ""},
		{"valid, encrypted assertion", none, idpDoes(func(s *samltest.Settings) { s.Encrypt = true }), ""},
		{"unsolicited, IdP-initiated off", none, p.unsolicited, core.ClassUnsolicited},
		{"unsolicited, IdP-initiated on", sec(func(s *core.IdPSecurity) { s.AllowIdPInitiated = true }), p.unsolicited, ""},
		{"unsolicited, posted for a request the console started", sec(func(s *core.IdPSecurity) { s.AllowIdPInitiated = true }),
			p.unsolicitedWithToken, core.ClassInResponseTo},
		{"answers another request than the one posted for", none, p.crossed, core.ClassInResponseTo},
		{"require signed response: on, assertion signed only", sec(func(s *core.IdPSecurity) { s.RequireSignedResponse = true }),
			edited(stripResponseSignature), core.ClassNoSignature},
		{"require signed response: off, assertion signed only", none, edited(stripResponseSignature), ""},
		{"require signed response: on, both signed", sec(func(s *core.IdPSecurity) { s.RequireSignedResponse = true }), solicited, ""},
		{"require signed assertion: on, response signed only", sec(func(s *core.IdPSecurity) { s.RequireSignedAssertion = true }),
			edited(p.responseSignedOnly), core.ClassNoSignature},
		{"require signed assertion: off, response signed only", none, edited(p.responseSignedOnly), ""},
		{"reject SHA-1: on, SHA-1 signature", sec(func(s *core.IdPSecurity) { s.RejectSHA1 = true }), sha1, core.ClassWeakAlgorithm},
		{"reject SHA-1: off, SHA-1 signature", none, sha1, ""},
		{"audience of another SP", none, mutated(func(a *saml.Assertion) {
			a.Conditions.AudienceRestrictions[0].Audience.Value = "https://other.example/sp"
		}), core.ClassAudience},
		{"destination of another URL", none, edited(func(r *etree.Element) {
			stripResponseSignature(r)
			r.CreateAttr("Destination", "http://127.0.0.1:1/elsewhere/acs")
		}), core.ClassDestination},
		{"expired", none, mutated(func(a *saml.Assertion) {
			past := time.Now().Add(-time.Hour)
			a.Conditions.NotOnOrAfter = past
			a.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = past
		}), core.ClassExpired},
		{"not yet valid", none, mutated(func(a *saml.Assertion) { a.Conditions.NotBefore = time.Now().Add(time.Hour) }), core.ClassNotYetValid},
		{"4 minutes ahead, stored skew 3 minutes", func() { p.setSkew(3 * time.Minute) },
			mutated(func(a *saml.Assertion) { a.Conditions.NotBefore = time.Now().Add(4 * time.Minute) }), core.ClassNotYetValid},
		{"4 minutes ahead, stored skew 10 minutes", func() { p.setSkew(10 * time.Minute) },
			mutated(func(a *saml.Assertion) { a.Conditions.NotBefore = time.Now().Add(4 * time.Minute) }), ""},
		{"signed by a key the metadata does not list", func() { p.setSkew(core.DefaultClockSkew) },
			idpDoes(func(s *samltest.Settings) { s.Key, s.Cert = rolledKey, rolledCert }), core.ClassUnknownKey},
		{"changed after signing", none, edited(func(r *etree.Element) {
			nameID := r.FindElement("./Assertion/Subject/NameID")
			nameID.SetText("mallory@partner.example")
		}), core.ClassSignatureInvalid},
		{"unsigned", none, edited(func(r *etree.Element) {
			stripResponseSignature(r)
			a := r.SelectElement("Assertion")
			a.RemoveChild(a.SelectElement("Signature"))
		}), core.ClassNoSignature},
		{"DOCTYPE", none, func() (parityPost, error) {
			post, err := p.solicited(nil)
			post.response = append([]byte(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]>`), post.response...)
			return post, err
		}, core.ClassMalformed},
		{"IdP error status", none, idpDoes(func(s *samltest.Settings) {
			s.ErrStatus = &saml.StatusError{TopLevel: saml.StatusResponder, SecondLevel: saml.StatusRequestDenied, Message: "user not assigned"}
		}), core.ClassIdPError},
		{"transient NameID, no account key attribute", none, nameID("_transient-1", saml.TransientNameIDFormat), core.ClassTransientNameID},
		{"transient NameID, account key attribute", func() { p.updateMapping(func(m *core.Mapping) { m.AccountKeyAttr = "email" }) },
			nameID("_transient-2", saml.TransientNameIDFormat), ""},
		{"empty NameID", func() { p.updateMapping(func(m *core.Mapping) { m.AccountKeyAttr = "" }) },
			nameID("", saml.EmailAddressNameIDFormat), core.ClassEmptyNameID},
		{"deny policy", func() {
			p.updateMapping(func(m *core.Mapping) {
				m.NoMatch = core.NoMatchDeny
				m.RoleRules = []core.RoleRule{{ID: "r1", Roles: []string{"admin"},
					Conditions: []core.Condition{{Attribute: "groups", Operator: core.OpEquals, Value: "Admins"}}}}
			})
		}, solicited, core.ClassDeniedByPolicy},
		{"deny policy, rule matches", func() {
			p.updateMapping(func(m *core.Mapping) { m.RoleRules[0].Conditions[0].Value = "Engineering" })
		}, solicited, ""},
		{"disabled account", func() {
			p.updateMapping(func(m *core.Mapping) { *m = p.mapping0 })
			p.disableUser("pat@partner.example", true)
		}, solicited, core.ClassUserDisabled},
		{"enabled again", func() { p.disableUser("pat@partner.example", false) }, solicited, ""},
		{"IdP disabled", none, func() (parityPost, error) {
			post, err := p.solicited(nil) // started before the switch-off
			p.updateIdP(func(i *core.IdP) { i.Enabled = false })
			return post, err
		}, core.ClassIdPDisabled},
		{"IdP enabled again", func() { p.updateIdP(func(i *core.IdP) { i.Enabled = true }) }, solicited, ""},
		{"demo IdP on", none, p.demoResponse, ""},
		{"demo IdP switched off", none, func() (parityPost, error) {
			post, err := p.demoResponse() // signed before the switch-off
			if _, serr := p.con.SetDemoIdPEnabled(context.Background(), false); serr != nil {
				return post, serr
			}
			return post, err
		}, core.ClassIdPDisabled},
		{"replayed", none, p.replayed, core.ClassReplayed},
		{"second response to one request", none, p.secondResponse, core.ClassInResponseTo},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			r.setup()
			post, err := r.make()
			if err != nil {
				t.Fatalf("make the response: %v", err)
			}
			check := p.check(t, post)
			acsClass := p.postACS(t, post)
			checkClass := core.RefusalClass(check.Class)
			if check.Valid {
				checkClass = ""
			}
			if checkClass != acsClass || check.Valid != (acsClass == "") {
				t.Fatalf("check-response says valid=%v class %q, the ACS says %q\ncheck: %s / %s", check.Valid, check.Class, acsClass, check.Reason, check.Hint)
			}
			if acsClass != r.want {
				t.Fatalf("both say %q, want %q (%s)", acsClass, r.want, check.Reason)
			}
		})
	}
}

// parity is a running console with one connected test IdP (samltest), "p".
type parity struct {
	t   *testing.T
	dir string
	con *core.Console
	db  *storage.DB
	idp *samltest.IdP
	// trusted is the key and certificate of the IdP's metadata.
	trusted samltest.Settings
	// mapping0 is the mapping the import gave the IdP.
	mapping0 core.Mapping
}

func startParity(t *testing.T) *parity {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	con, err := core.New(ctx, core.Options{Store: db, Keys: storage.NewKeyStore(dir), ListenAddr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := con.Start(); err != nil {
		t.Fatal(err)
	}
	p := &parity{t: t, dir: dir, con: con, db: db}
	t.Cleanup(func() {
		con.Close()
		db.Close()
	})
	p.idp = samltest.Start(t, func() core.Endpoints { return con.Endpoints("p") })
	p.trusted = p.idp.Settings()
	if _, _, err := con.ImportIdP(ctx, core.ImportRequest{MetadataInput: core.MetadataInput{
		Source: core.SourcePaste, Name: "parity", Data: p.idp.Metadata()}, DisplayName: "Parity IdP", Slug: "p"}); err != nil {
		t.Fatal(err)
	}
	idp, err := db.GetIdP(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	p.mapping0 = idp.Mapping
	return p
}

func (p *parity) updateMapping(f func(*core.Mapping)) {
	p.t.Helper()
	ctx := context.Background()
	idp, err := p.db.GetIdP(ctx, "p")
	if err != nil {
		p.t.Fatal(err)
	}
	f(&idp.Mapping)
	if _, _, err := p.con.SaveMapping(ctx, "p", idp.Mapping, nil); err != nil {
		p.t.Fatal(err)
	}
}

func (p *parity) updateIdP(f func(*core.IdP)) {
	p.t.Helper()
	ctx := context.Background()
	idp, err := p.db.GetIdP(ctx, "p")
	if err != nil {
		p.t.Fatal(err)
	}
	f(&idp)
	if _, err := p.con.UpdateIdP(ctx, idp); err != nil {
		p.t.Fatal(err)
	}
}

func (p *parity) setSkew(d time.Duration) {
	p.t.Helper()
	if err := p.con.SetClockSkew(context.Background(), d); err != nil {
		p.t.Fatal(err)
	}
}

func (p *parity) disableUser(nameID string, disabled bool) {
	p.t.Helper()
	ctx := context.Background()
	u, err := p.db.UserByKey(ctx, "p", nameID, true)
	if err != nil {
		p.t.Fatalf("find %s: %v", nameID, err)
	}
	if _, err := p.con.SetUsersDisabled(ctx, []int64{u.ID}, disabled); err != nil {
		p.t.Fatal(err)
	}
}

// parityPost is a response and the browser that posts it.
type parityPost struct {
	response  []byte // XML
	form      url.Values
	client    *http.Client
	requestID string // for check-response --request-id, when the row names it
	slug      string // the IdP connection; "" is "p"
}

// startLogin starts an SP-initiated login in client and returns the URL
// of the IdP's SSO endpoint with the request.
func (p *parity) startLogin(client *http.Client) (string, error) {
	resp, err := client.Get(p.con.Endpoints("p").LoginURL)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("login: HTTP %d", resp.StatusCode)
	}
	return resp.Header.Get("Location"), nil
}

// postFor makes a post of form in client, with edit applied to the
// response's XML (after signing: a test of what verification catches).
func postFor(client *http.Client, form url.Values, edit func(*etree.Element)) (parityPost, error) {
	raw, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if err != nil {
		return parityPost{}, err
	}
	if edit != nil {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(raw); err != nil {
			return parityPost{}, err
		}
		edit(doc.Root())
		if raw, err = doc.WriteToBytes(); err != nil {
			return parityPost{}, err
		}
	}
	return parityPost{response: raw, form: form, client: client}, nil
}

// solicited is a fresh SP-initiated login, answered by the IdP.
func (p *parity) solicited(edit func(*etree.Element)) (parityPost, error) {
	client := samltest.Browser()
	sso, err := p.startLogin(client)
	if err != nil {
		return parityPost{}, err
	}
	_, form, err := p.idp.Answer(client, sso)
	if err != nil {
		return parityPost{}, err
	}
	return postFor(client, form, edit)
}

// unsolicited is a login started at the IdP.
func (p *parity) unsolicited() (parityPost, error) {
	client := samltest.Browser()
	_, form, err := p.idp.Initiated(client)
	if err != nil {
		return parityPost{}, err
	}
	return postFor(client, form, nil)
}

// unsolicitedWithToken posts an unsolicited response with the RelayState
// of a login the browser started; check-response gets its request ID.
func (p *parity) unsolicitedWithToken() (parityPost, error) {
	client := samltest.Browser()
	sso, err := p.startLogin(client)
	if err != nil {
		return parityPost{}, err
	}
	u, _ := url.Parse(sso)
	post, err := p.unsolicited()
	if err != nil {
		return post, err
	}
	post.client = client
	post.form.Set("RelayState", u.Query().Get("RelayState"))
	post.requestID = requestIDOf(u)
	return post, nil
}

// crossed posts the response to one login with the RelayState of another
// of the same browser; check-response gets the other's request ID.
func (p *parity) crossed() (parityPost, error) {
	post, err := p.solicited(nil)
	if err != nil {
		return post, err
	}
	other, err := p.startLogin(post.client)
	if err != nil {
		return post, err
	}
	u, _ := url.Parse(other)
	post.form.Set("RelayState", u.Query().Get("RelayState"))
	post.requestID = requestIDOf(u)
	return post, nil
}

// requestIDOf reads the AuthnRequest ID of an HTTP-Redirect SSO URL.
func requestIDOf(sso *url.URL) string {
	deflated, err := base64.StdEncoding.DecodeString(sso.Query().Get("SAMLRequest"))
	if err != nil {
		return ""
	}
	text, err := io.ReadAll(flate.NewReader(bytes.NewReader(deflated)))
	if err != nil {
		return ""
	}
	var r saml.AuthnRequest
	if xml.Unmarshal(text, &r) != nil {
		return ""
	}
	return r.ID
}

// demoResponse is a sign-in of a demo persona, through the demo IdP's
// own picker.
func (p *parity) demoResponse() (parityPost, error) {
	client := samltest.Browser()
	client.CheckRedirect = nil
	if _, err := p.con.SetDemoIdPEnabled(context.Background(), true); err != nil {
		return parityPost{}, err
	}
	_, form, err := core.DemoResponse(context.Background(), client, p.con.BaseURL(), url.Values{"persona": {"alice"}})
	if err != nil {
		return parityPost{}, err
	}
	post, err := postFor(client, form, nil)
	post.slug = core.DemoSlug
	post.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return post, err
}

// replayed posts a fresh response once (accepted), then offers it again.
func (p *parity) replayed() (parityPost, error) {
	post, err := p.solicited(nil)
	if err != nil {
		return post, err
	}
	if class := p.postACS(p.t, post); class != "" {
		return post, fmt.Errorf("the first post was refused: %s", class)
	}
	return post, nil
}

// secondResponse gets two responses to one request, posts the first
// (accepted), then offers the second.
func (p *parity) secondResponse() (parityPost, error) {
	client := samltest.Browser()
	sso, err := p.startLogin(client)
	if err != nil {
		return parityPost{}, err
	}
	_, first, err := p.idp.Answer(client, sso)
	if err != nil {
		return parityPost{}, err
	}
	_, second, err := p.idp.Answer(client, sso)
	if err != nil {
		return parityPost{}, err
	}
	firstPost, err := postFor(client, first, nil)
	if err != nil {
		return firstPost, err
	}
	if class := p.postACS(p.t, firstPost); class != "" {
		return firstPost, fmt.Errorf("the first response was refused: %s", class)
	}
	return postFor(client, second, nil)
}

// check runs the real check-response --json against the console's data
// dir, while the console runs, with no --base-url: the console's own.
func (p *parity) check(t *testing.T, post parityPost) checkJSON {
	t.Helper()
	file := filepath.Join(t.TempDir(), "response.b64")
	if err := os.WriteFile(file, []byte(base64.StdEncoding.EncodeToString(post.response)), 0o600); err != nil {
		t.Fatal(err)
	}
	slug := post.slug
	if slug == "" {
		slug = "p"
	}
	args := []string{"check-response", "--json", "--idp", slug, "--response", file, "--data-dir", p.dir}
	if post.requestID != "" {
		args = append(args, "--request-id", post.requestID)
	}
	r := runCLI(t, args...)
	if r.code != 0 && r.code != 1 {
		t.Fatalf("check-response: exit %d\n%s", r.code, r.stderr)
	}
	return decodeCheck(t, r)
}

// postACS posts the response to the ACS as its browser would and returns
// "" when it was accepted, else the class the console recorded.
func (p *parity) postACS(t *testing.T, post parityPost) core.RefusalClass {
	t.Helper()
	form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(post.response)}}
	if rs := post.form.Get("RelayState"); rs != "" {
		form.Set("RelayState", rs)
	}
	slug := post.slug
	if slug == "" {
		slug = "p"
	}
	resp, err := post.client.PostForm(p.con.Endpoints(slug).ACSURL, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	recs, err := p.con.Recordings(context.Background(), core.RecordingFilter{IdPSlug: slug, Limit: 1})
	if err != nil || len(recs) == 0 {
		t.Fatalf("the ACS recorded nothing: %v", err)
	}
	if resp.StatusCode == http.StatusSeeOther {
		if recs[0].Outcome != core.OutcomeAccepted {
			t.Fatalf("HTTP 303 but the recording says %s", recs[0].Outcome)
		}
		return ""
	}
	if recs[0].Class == "" {
		t.Fatalf("HTTP %d with no class recorded", resp.StatusCode)
	}
	return recs[0].Class
}

// stripResponseSignature removes the Response's own signature, leaving
// the assertion's.
func stripResponseSignature(r *etree.Element) {
	if sig := r.SelectElement("Signature"); sig != nil {
		r.RemoveChild(sig)
	}
}

// responseSignedOnly removes both signatures and signs the Response again
// with the IdP's trusted key: only the response is signed.
func (p *parity) responseSignedOnly(r *etree.Element) {
	stripResponseSignature(r)
	a := r.SelectElement("Assertion")
	a.RemoveChild(a.SelectElement("Signature"))
	ks := dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{p.trusted.Cert.Raw}, PrivateKey: p.trusted.Key})
	ctx := dsig.NewDefaultSigningContext(ks)
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := ctx.SignEnveloped(r)
	if err != nil {
		p.t.Fatalf("sign the response: %v", err)
	}
	sig := signed.ChildElements()[len(signed.ChildElements())-1]
	// The signature goes right after the Issuer, as the schema orders it.
	r.InsertChildAt(r.SelectElement("Issuer").Index()+1, sig)
}
