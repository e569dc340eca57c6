package core_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

// perfIdP is the IdP of BenchmarkACSVersusParse, the same as the outside
// tool's (../shared/tools/acsload --self-idp), so that both measure the
// same work: a samltest IdP (crewjam's IdentityProvider on a loopback
// listener, RSA-SHA256), imported into the console from its metadata URL,
// signing a new person with two groups for every SP-initiated request,
// assertions in the clear (the parse-only side has no SP private key).
type perfIdP struct {
	*samltest.IdP
	tc     *testConsole
	slug   string
	people atomic.Int64
}

// startPerfIdP serves a perf IdP and imports it into tc as slug.
func startPerfIdP(b *testing.B, tc *testConsole, slug string) *perfIdP {
	b.Helper()
	p := &perfIdP{tc: tc, slug: slug}
	p.IdP = samltest.Start(b, func() core.Endpoints { return tc.Endpoints(slug) })
	p.Set(func(s *samltest.Settings) { s.Session, s.Encrypt = p.newHire, false })
	if _, _, err := tc.ImportIdP(context.Background(), core.ImportRequest{
		MetadataInput: core.MetadataInput{Source: core.SourceURL, Name: p.MetadataURL()},
		DisplayName:   "perf IdP", Slug: slug,
	}); err != nil {
		b.Fatalf("import the perf IdP: %v", err)
	}
	return p
}

// newHire is a new person every time, in two groups (as acsload's).
func (p *perfIdP) newHire(*saml.IdpAuthnRequest) *saml.Session {
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
func (p *perfIdP) metadata() *saml.EntityDescriptor { return p.Provider().Metadata() }

// login runs one SP-initiated login up to the signed response form, as a
// browser: the form and the cookies the console set on the way.
func (p *perfIdP) login() (acsForm, error) {
	client := newClient()
	action, fields, err := p.Response(client, p.tc.Endpoints(p.slug).LoginURL)
	if err != nil {
		return acsForm{}, fmt.Errorf("a perf login: %w", err)
	}
	return acsFormOf(client, action, fields)
}
