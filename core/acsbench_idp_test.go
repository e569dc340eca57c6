package core_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/jitconsole/jitconsole/core"
)

// perfIdP is the IdP of BenchmarkACSVersusParse, the same as the outside
// tool's (../shared/tools/acsload --self-idp), so that both measure the
// same work: crewjam's IdentityProvider on a loopback listener, imported
// into the console from its metadata URL, signing a new person with two
// groups for every SP-initiated request, assertions in the clear (the
// parse-only side has no SP private key).
type perfIdP struct {
	server *httptest.Server
	tc     *testConsole
	slug   string
	idp    *saml.IdentityProvider

	mu     sync.Mutex
	spMeta *saml.EntityDescriptor
	people atomic.Int64
}

// startPerfIdP serves a perf IdP and imports it into tc as slug.
func startPerfIdP(b *testing.B, tc *testConsole, slug string) *perfIdP {
	b.Helper()
	key, cert := newCertKey(b, "perf IdP")
	p := &perfIdP{tc: tc, slug: slug}
	mux := http.NewServeMux()
	p.server = httptest.NewServer(mux)
	b.Cleanup(p.server.Close)
	p.idp = &saml.IdentityProvider{Key: key, Certificate: cert,
		MetadataURL: mustURL(p.server.URL + "/metadata"), SSOURL: mustURL(p.server.URL + "/sso"),
		ServiceProviderProvider: p, SessionProvider: p,
		NameIDFormats: []saml.NameIDFormat{saml.EmailAddressNameIDFormat}}
	mux.HandleFunc("/metadata", p.idp.ServeMetadata)
	mux.HandleFunc("/sso", p.idp.ServeSSO)
	if _, _, err := tc.ImportIdP(context.Background(), core.ImportRequest{
		MetadataInput: core.MetadataInput{Source: core.SourceURL, Name: p.server.URL + "/metadata"},
		DisplayName:   "perf IdP", Slug: slug,
	}); err != nil {
		b.Fatalf("import the perf IdP: %v", err)
	}
	return p
}

// GetServiceProvider implements saml.ServiceProviderProvider: the
// console's SP metadata for the slug, without its encryption keys.
func (p *perfIdP) GetServiceProvider(r *http.Request, id string) (*saml.EntityDescriptor, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.spMeta == nil {
		resp, err := http.Get(p.tc.Endpoints(p.slug).MetadataURL)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var ed saml.EntityDescriptor
		if err := xml.NewDecoder(resp.Body).Decode(&ed); err != nil {
			return nil, err
		}
		for i := range ed.SPSSODescriptors {
			var keep []saml.KeyDescriptor
			for _, k := range ed.SPSSODescriptors[i].KeyDescriptors {
				if k.Use != "encryption" {
					keep = append(keep, k)
				}
			}
			ed.SPSSODescriptors[i].KeyDescriptors = keep
		}
		p.spMeta = &ed
	}
	if p.spMeta.EntityID != id {
		return nil, os.ErrNotExist
	}
	return p.spMeta, nil
}

// GetSession implements saml.SessionProvider: a new person every time.
func (p *perfIdP) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	i := p.people.Add(1)
	user := fmt.Sprintf("perf.%d.%d", time.Now().UnixNano()%1e9, i)
	now := time.Now()
	return &saml.Session{
		ID: fmt.Sprintf("s%d", i), CreateTime: now, ExpireTime: now.Add(time.Hour), Index: fmt.Sprint(i),
		NameID: user + "@example.com", NameIDFormat: string(saml.EmailAddressNameIDFormat),
		UserName: user, UserEmail: user + "@example.com", UserCommonName: "Perf " + fmt.Sprint(i),
		UserGivenName: "Perf", UserSurname: fmt.Sprint(i), Groups: []string{"Engineering", "On-call"},
	}
}

// metadata is the IdP's metadata, for the parse-only side.
func (p *perfIdP) metadata() *saml.EntityDescriptor { return p.idp.Metadata() }

// login runs one SP-initiated login up to the signed response form, as a
// browser: the form and the cookies the console set on the way.
func (p *perfIdP) login() (acsForm, error) {
	client := newClient()
	resp, err := client.Get(p.tc.Endpoints(p.slug).LoginURL)
	if err != nil {
		return acsForm{}, fmt.Errorf("start login: %w", err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		return acsForm{}, err
	}
	action, fields := parseAutoForm(string(page))
	if fields.Get("SAMLRequest") != "" { // the POST binding towards the IdP
		if resp, err = client.PostForm(action, fields); err != nil {
			return acsForm{}, fmt.Errorf("post the request to the IdP: %w", err)
		}
		defer resp.Body.Close()
		if page, err = io.ReadAll(resp.Body); err != nil {
			return acsForm{}, err
		}
		action, fields = parseAutoForm(string(page))
	}
	if action == "" || fields.Get("SAMLResponse") == "" {
		return acsForm{}, fmt.Errorf("the perf IdP returned no SAMLResponse: %.300s", page)
	}
	return acsFormOf(client, action, fields)
}
