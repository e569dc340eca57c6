package ui

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/jitconsole/jitconsole/core"
)

// signingIdP is a real SAML IdP (crewjam's) on 127.0.0.1 for the console
// con, known there as slug: it signs in whoever nameID names, so that a UI
// test can make accounts of an IdP other than the demo one.
type signingIdP struct {
	t      *testing.T
	con    *core.Console
	slug   string
	server *httptest.Server
	key    *rsa.PrivateKey
	cert   *x509.Certificate

	mu     sync.Mutex
	nameID string
}

func startSigningIdP(t *testing.T, con *core.Console, slug string) *signingIdP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "ui-test-idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	i := &signingIdP{t: t, con: con, slug: slug, key: key, cert: cert}
	i.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sso" {
			i.provider().ServeSSO(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(i.server.Close)
	return i
}

func (i *signingIdP) provider() *saml.IdentityProvider {
	u := func(s string) url.URL { p, _ := url.Parse(s); return *p }
	return &saml.IdentityProvider{Key: i.key, Certificate: i.cert,
		MetadataURL: u(i.server.URL + "/metadata"), SSOURL: u(i.server.URL + "/sso"),
		ServiceProviderProvider: i, SessionProvider: i}
}

// metadata is the IdP's metadata, to import.
func (i *signingIdP) metadata() []byte {
	b, err := xml.Marshal(i.provider().Metadata())
	if err != nil {
		i.t.Fatal(err)
	}
	return b
}

// GetServiceProvider implements saml.ServiceProviderProvider with the
// console's SP metadata for the slug, without its encryption key.
func (i *signingIdP) GetServiceProvider(r *http.Request, id string) (*saml.EntityDescriptor, error) {
	ep := i.con.Endpoints(i.slug)
	if id != ep.EntityID {
		return nil, os.ErrNotExist
	}
	resp, err := http.Get(ep.MetadataURL)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	md := &saml.EntityDescriptor{}
	if err := xml.NewDecoder(resp.Body).Decode(md); err != nil {
		return nil, err
	}
	for n := range md.SPSSODescriptors {
		var kds []saml.KeyDescriptor
		for _, kd := range md.SPSSODescriptors[n].KeyDescriptors {
			if kd.Use != "encryption" {
				kds = append(kds, kd)
			}
		}
		md.SPSSODescriptors[n].KeyDescriptors = kds
	}
	return md, nil
}

// GetSession implements saml.SessionProvider: nameID is signed in.
func (i *signingIdP) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	i.mu.Lock()
	nameID := i.nameID
	i.mu.Unlock()
	now := time.Now()
	return &saml.Session{ID: fmt.Sprint(now.UnixNano()), CreateTime: now, ExpireTime: now.Add(time.Hour), Index: "1",
		NameID: nameID, NameIDFormat: string(saml.EmailAddressNameIDFormat),
		CustomAttributes: []saml.Attribute{{Name: "email", Values: []saml.AttributeValue{{Value: nameID}}}}}
}

var samlFormFieldRe = regexp.MustCompile(`name="(SAMLResponse|RelayState)"\s+value="([^"]*)"`)

// signIn runs an SP-initiated sign-in of nameID through the console's
// listener and fails the test unless the ACS accepts it.
func (i *signingIdP) signIn(nameID string) {
	t := i.t
	t.Helper()
	i.mu.Lock()
	i.nameID = nameID
	i.mu.Unlock()
	client := &http.Client{Jar: core.NewBrowserJar(), Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ep := i.con.Endpoints(i.slug)
	resp, err := client.Get(ep.LoginURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = client.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{}
	for _, m := range samlFormFieldRe.FindAllStringSubmatch(string(body), -1) {
		form.Set(m[1], strings.NewReplacer("&#43;", "+", "&#34;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#39;", "'").Replace(m[2]))
	}
	resp, err = client.PostForm(ep.ACSURL, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the sign-in of %s through %s: HTTP %d", nameID, i.slug, resp.StatusCode)
	}
}
