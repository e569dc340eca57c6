package core_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/jitconsole/jitconsole/core"
)

// testIdP is a real SAML IdP (crewjam's IdentityProvider) on a loopback
// listener, whose key, published certificates, signature algorithm and
// answer a test can change between logins.
type testIdP struct {
	t      *testing.T
	server *httptest.Server
	sp     *testConsole
	slug   string

	mu        sync.Mutex
	key       *rsa.PrivateKey
	cert      *x509.Certificate
	extra     []*x509.Certificate // also published in metadata
	sigMethod string
	session   saml.Session
	errStatus *saml.StatusError
	mdStatus  int // non-zero: the metadata URL answers this status
	// mutate, if set, changes each assertion before it is signed.
	mutate func(*saml.Assertion)
}

// newCertKey makes an RSA-2048 key and a self-signed certificate for it.
func newCertKey(t testing.TB, cn string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}

// startTestIdP serves a test IdP that the console sp will know as slug.
func startTestIdP(t *testing.T, sp *testConsole, slug string) *testIdP {
	t.Helper()
	idp := &testIdP{t: t, sp: sp, slug: slug,
		sigMethod: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
		session: saml.Session{NameID: "pat@partner.example", NameIDFormat: string(saml.EmailAddressNameIDFormat),
			CustomAttributes: []saml.Attribute{
				{Name: "email", Values: []saml.AttributeValue{{Value: "pat@partner.example"}}},
				{Name: "displayName", Values: []saml.AttributeValue{{Value: "Pat Partner"}}},
				{Name: "groups", Values: []saml.AttributeValue{{Value: "Engineering"}}},
			}},
	}
	idp.key, idp.cert = newCertKey(t, "test-idp-1")
	idp.server = httptest.NewServer(http.HandlerFunc(idp.serve))
	t.Cleanup(idp.server.Close)
	return idp
}

func (i *testIdP) metadataURL() string { return i.server.URL + "/metadata" }

func (i *testIdP) provider() *saml.IdentityProvider {
	i.mu.Lock()
	defer i.mu.Unlock()
	return &saml.IdentityProvider{
		AssertionMaker: mutatingMaker{i.mutate},
		Key:            i.key, Certificate: i.cert, ExtraCertificates: i.extra,
		MetadataURL:             mustURL(i.server.URL + "/metadata"),
		SSOURL:                  mustURL(i.server.URL + "/sso"),
		ServiceProviderProvider: spOfConsole{i},
		SessionProvider:         i,
		SignatureMethod:         i.sigMethod,
	}
}

func (i *testIdP) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/metadata":
		i.mu.Lock()
		status := i.mdStatus
		i.mu.Unlock()
		if status != 0 {
			http.Error(w, "unavailable", status)
			return
		}
		i.provider().ServeMetadata(w, r)
	case "/sso":
		i.provider().ServeSSO(w, r)
	case "/initiate":
		ep := i.sp.Endpoints(i.slug)
		i.provider().ServeIDPInitiated(w, r, ep.EntityID, "")
	default:
		http.NotFound(w, r)
	}
}

// GetSession implements saml.SessionProvider: everyone is signed in.
func (i *testIdP) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	i.mu.Lock()
	s, errStatus := i.session, i.errStatus
	i.mu.Unlock()
	if errStatus != nil {
		if err := req.IDP.SendErrorResponse(w, req, errStatus); err != nil {
			i.t.Errorf("send error response: %v", err)
		}
		return nil
	}
	s.ID, s.CreateTime, s.ExpireTime, s.Index = fmt.Sprint(time.Now().UnixNano()), time.Now(), time.Now().Add(time.Hour), "1"
	return &s
}

// mutatingMaker makes the default assertion, then lets a test change it
// before the IdP signs it: a genuinely signed assertion with wrong content.
type mutatingMaker struct{ mutate func(*saml.Assertion) }

func (m mutatingMaker) MakeAssertion(req *saml.IdpAuthnRequest, s *saml.Session) error {
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, s); err != nil {
		return err
	}
	if m.mutate != nil {
		m.mutate(req.Assertion)
	}
	return nil
}

// spOfConsole gives the test IdP the console's SP metadata for its slug.
type spOfConsole struct{ i *testIdP }

func (p spOfConsole) GetServiceProvider(r *http.Request, id string) (*saml.EntityDescriptor, error) {
	ep := p.i.sp.Endpoints(p.i.slug)
	if id != ep.EntityID {
		return nil, os.ErrNotExist
	}
	resp, err := http.Get(ep.MetadataURL)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var md saml.EntityDescriptor
	if err := xml.NewDecoder(resp.Body).Decode(&md); err != nil {
		return nil, err
	}
	return &md, nil
}

func mustURL(s string) url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return *u
}

func (i *testIdP) set(f func(*testIdP)) {
	i.mu.Lock()
	defer i.mu.Unlock()
	f(i)
}

// login runs an SP-initiated login through the test IdP and returns the
// status and page the browser ends on.
func (i *testIdP) login(t *testing.T) (int, string) {
	t.Helper()
	client := newClient()
	resp, err := client.Get(i.sp.Endpoints(i.slug).LoginURL)
	if err != nil {
		t.Fatalf("start login: %v", err)
	}
	return postAutoForm(t, client, resp)
}

// idpInitiated runs an unsolicited login started at the IdP.
func (i *testIdP) idpInitiated(t *testing.T) (int, string) {
	t.Helper()
	client := newClient()
	resp, err := client.Get(i.server.URL + "/initiate")
	if err != nil {
		t.Fatalf("IdP-initiated: %v", err)
	}
	return postAutoForm(t, client, resp)
}

// postAutoForm does what the browser does with the IdP's auto-submitting
// form: post it to the ACS and follow to the end.
func postAutoForm(t *testing.T, client *http.Client, resp *http.Response) (int, string) {
	t.Helper()
	page := readBody(t, resp)
	action, fields := parseAutoForm(page)
	if action == "" {
		t.Fatalf("the IdP did not answer with a form (HTTP %d):\n%s", resp.StatusCode, page)
	}
	resp, err := client.PostForm(action, fields)
	if err != nil {
		t.Fatalf("post to the ACS: %v", err)
	}
	return resp.StatusCode, readBody(t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// parseAutoForm reads crewjam's auto-submitting response form.
func parseAutoForm(page string) (string, url.Values) {
	// The form is small and regular: reuse the demo flow's parser through
	// DemoResponse's public contract would need a demo IdP, so read it here.
	get := func(attr, after string) string {
		i := strings.Index(page, after)
		if i < 0 {
			return ""
		}
		rest := page[i:]
		j := strings.Index(rest, attr+`="`)
		if j < 0 {
			return ""
		}
		rest = rest[j+len(attr)+2:]
		return htmlUnescape(rest[:strings.IndexByte(rest, '"')])
	}
	action := get("action", "<form")
	fields := url.Values{}
	if v := get("value", `name="SAMLResponse"`); v != "" {
		fields.Set("SAMLResponse", v)
	}
	if v := get("value", `name="RelayState"`); v != "" {
		fields.Set("RelayState", v)
	}
	return action, fields
}

func htmlUnescape(s string) string {
	r := strings.NewReplacer("&#43;", "+", "&#x2B;", "+", "&amp;", "&", "&#61;", "=", "&#x3D;", "=", "&#34;", `"`, "&quot;", `"`, "&#x2F;", "/", "&#47;", "/", "&lt;", "<", "&gt;", ">")
	return r.Replace(s)
}

// importTestIdP connects the test IdP to the console from its metadata URL.
func importTestIdP(t *testing.T, tc *testConsole, idp *testIdP) core.IdP {
	t.Helper()
	saved, _, err := tc.ImportIdP(context.Background(), core.ImportRequest{
		MetadataInput: core.MetadataInput{Source: core.SourceURL, Name: idp.metadataURL()},
		DisplayName:   "Partner IdP", Slug: idp.slug,
	})
	if err != nil {
		t.Fatalf("import test IdP: %v", err)
	}
	return saved
}
