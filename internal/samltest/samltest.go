// Package samltest is a real SAML identity provider for tests: crewjam's
// IdentityProvider on a 127.0.0.1 listener, with a key and certificate of
// its own, answering the console's service provider. A test changes what
// it does between logins (its key, signature algorithm, the person signed
// in, an error status, an assertion edited before it is signed, whether
// the assertion is encrypted) through Set, and drives a login as a browser
// does with SignIn, ParseForm and PostResponse.
//
// It replaces the copies that the core, ui and main tests each had.
package samltest

import (
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
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/jitconsole/jitconsole/core"
)

// Settings are what an IdP does; a test changes them with Set.
type Settings struct {
	// Key and Cert sign responses and assertions; Cert and Extra are
	// published in the metadata.
	Key   *rsa.PrivateKey
	Cert  *x509.Certificate
	Extra []*x509.Certificate
	// SignatureMethod is the XML signature algorithm (RSA-SHA256 by
	// default).
	SignatureMethod string
	// Session is who is signed in for a request; nil: Pat (see Pat).
	Session func(req *saml.IdpAuthnRequest) *saml.Session
	// ErrStatus, when set, is sent instead of an assertion.
	ErrStatus *saml.StatusError
	// MetadataStatus, when not 0, is the HTTP status the metadata URL
	// answers instead of the metadata.
	MetadataStatus int
	// Mutate changes each assertion before it is signed: genuinely
	// signed, wrong content.
	Mutate func(*saml.Assertion)
	// Encrypt encrypts assertions to the SP's encryption certificate;
	// otherwise they go in the clear (the SP's metadata is read without
	// its encryption keys).
	Encrypt bool
}

// IdP is a running test IdP.
type IdP struct {
	t      testing.TB
	server *httptest.Server
	sp     func() core.Endpoints

	mu       sync.Mutex
	settings Settings
	spMeta   *saml.EntityDescriptor // the SP's metadata, read once
}

// Start serves an IdP answering the SP whose endpoints sp returns (the
// console's Endpoints for the slug the IdP is imported as), until the test
// ends. Its key is new, its signatures RSA-SHA256 and Pat is signed in,
// unless Set changes them.
func Start(t testing.TB, sp func() core.Endpoints) *IdP {
	t.Helper()
	key, cert := NewCertKey(t, "samltest IdP")
	i := &IdP{t: t, sp: sp, settings: Settings{Key: key, Cert: cert, SignatureMethod: dsig.RSASHA256SignatureMethod}}
	i.server = httptest.NewServer(http.HandlerFunc(i.serve))
	t.Cleanup(i.server.Close)
	return i
}

// NewCertKey makes an RSA-2048 key and a self-signed certificate for it,
// valid from an hour ago for a year.
func NewCertKey(t testing.TB, cn string) (*rsa.PrivateKey, *x509.Certificate) {
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

// Set changes what the IdP does from the next request on.
func (i *IdP) Set(f func(*Settings)) {
	i.mu.Lock()
	defer i.mu.Unlock()
	f(&i.settings)
}

// Settings returns what the IdP does now.
func (i *IdP) Settings() Settings {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.settings
}

// URL is the IdP's base URL; MetadataURL, SSOURL and InitiateURL its
// endpoints (InitiateURL starts an IdP-initiated login).
func (i *IdP) URL() string         { return i.server.URL }
func (i *IdP) MetadataURL() string { return i.server.URL + "/metadata" }
func (i *IdP) SSOURL() string      { return i.server.URL + "/sso" }
func (i *IdP) InitiateURL() string { return i.server.URL + "/initiate" }

// Metadata is the IdP's metadata XML, as its metadata URL serves it.
func (i *IdP) Metadata() []byte {
	b, err := xml.Marshal(i.Provider().Metadata())
	if err != nil {
		i.t.Fatalf("encode the test IdP's metadata: %v", err)
	}
	return b
}

// Provider is the crewjam IdentityProvider with the current settings.
func (i *IdP) Provider() *saml.IdentityProvider {
	s := i.Settings()
	return &saml.IdentityProvider{
		AssertionMaker: mutatingMaker{s.Mutate},
		Key:            s.Key, Certificate: s.Cert, ExtraCertificates: s.Extra,
		MetadataURL:             mustURL(i.MetadataURL()),
		SSOURL:                  mustURL(i.SSOURL()),
		ServiceProviderProvider: i,
		SessionProvider:         i,
		SignatureMethod:         s.SignatureMethod,
		NameIDFormats:           []saml.NameIDFormat{saml.EmailAddressNameIDFormat},
	}
}

func (i *IdP) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/metadata":
		if status := i.Settings().MetadataStatus; status != 0 {
			http.Error(w, "unavailable", status)
			return
		}
		i.Provider().ServeMetadata(w, r)
	case "/sso":
		i.Provider().ServeSSO(w, r)
	case "/initiate":
		i.Provider().ServeIDPInitiated(w, r, i.sp().EntityID, "")
	default:
		http.NotFound(w, r)
	}
}

// GetServiceProvider implements saml.ServiceProviderProvider: the SP's
// metadata from its metadata URL (read once), without its encryption
// keys unless Settings.Encrypt.
func (i *IdP) GetServiceProvider(r *http.Request, id string) (*saml.EntityDescriptor, error) {
	ep := i.sp()
	if id != ep.EntityID {
		return nil, os.ErrNotExist
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.spMeta == nil {
		resp, err := http.Get(ep.MetadataURL)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var md saml.EntityDescriptor
		if err := xml.NewDecoder(resp.Body).Decode(&md); err != nil {
			return nil, fmt.Errorf("read the SP's metadata: %w", err)
		}
		i.spMeta = &md
	}
	md := *i.spMeta
	if !i.settings.Encrypt {
		md.SPSSODescriptors = append([]saml.SPSSODescriptor(nil), md.SPSSODescriptors...)
		for n := range md.SPSSODescriptors {
			var kds []saml.KeyDescriptor
			for _, kd := range md.SPSSODescriptors[n].KeyDescriptors {
				if kd.Use != "encryption" {
					kds = append(kds, kd)
				}
			}
			md.SPSSODescriptors[n].KeyDescriptors = kds
		}
	}
	return &md, nil
}

// GetSession implements saml.SessionProvider: Settings.Session's person,
// or the error status.
func (i *IdP) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	s := i.Settings()
	if s.ErrStatus != nil {
		if err := req.IDP.SendErrorResponse(w, req, s.ErrStatus); err != nil {
			i.t.Errorf("send the error response: %v", err)
		}
		return nil
	}
	person := Pat
	if s.Session != nil {
		person = s.Session
	}
	return person(req)
}

// Pat is the default person: pat@partner.example, an email NameID, with
// email, displayName and groups (Engineering) attributes.
func Pat(*saml.IdpAuthnRequest) *saml.Session {
	return Person("pat@partner.example", "Pat Partner", "Engineering")
}

// Person is a session of nameID (an email, also the email attribute) with
// displayName and the groups given, new every time.
func Person(nameID, displayName string, groups ...string) *saml.Session {
	now := time.Now()
	s := &saml.Session{ID: fmt.Sprint(now.UnixNano()), CreateTime: now, ExpireTime: now.Add(time.Hour), Index: "1",
		NameID: nameID, NameIDFormat: string(saml.EmailAddressNameIDFormat),
		CustomAttributes: []saml.Attribute{{Name: "email", Values: []saml.AttributeValue{{Value: nameID}}}}}
	if displayName != "" {
		s.CustomAttributes = append(s.CustomAttributes, saml.Attribute{Name: "displayName", Values: []saml.AttributeValue{{Value: displayName}}})
	}
	if len(groups) > 0 {
		a := saml.Attribute{Name: "groups"}
		for _, g := range groups {
			a.Values = append(a.Values, saml.AttributeValue{Value: g})
		}
		s.CustomAttributes = append(s.CustomAttributes, a)
	}
	return s
}

// mutatingMaker makes crewjam's assertion, then lets the test change it
// before the IdP signs it.
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

func mustURL(s string) url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return *u
}
