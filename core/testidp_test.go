package core_test

// The test IdP of core's tests: internal/samltest's IdP, bound to one
// console and slug, encrypting its assertions to the SP, with a browser's
// logins as one call each.

import (
	"context"
	"testing"

	"github.com/crewjam/saml"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

// testIdP is a samltest IdP that the console tc knows as slug. Tests
// change what it does with Set (samltest.Settings).
type testIdP struct {
	*samltest.IdP
	tc   *testConsole
	slug string
}

// startTestIdP serves a test IdP that the console tc will know as slug.
// Pat signs in, and assertions are encrypted to the SP's encryption
// certificate, as the SP's metadata asks.
func startTestIdP(t *testing.T, tc *testConsole, slug string) *testIdP {
	t.Helper()
	idp := samltest.Start(t, func() core.Endpoints { return tc.Endpoints(slug) })
	idp.Set(func(s *samltest.Settings) { s.Encrypt = true })
	return &testIdP{IdP: idp, tc: tc, slug: slug}
}

// login runs an SP-initiated login through the test IdP and returns the
// status and page the browser ends on.
func (i *testIdP) login(t *testing.T) (int, string) {
	t.Helper()
	status, page, err := i.SignIn(newClient(), i.tc.Endpoints(i.slug).LoginURL)
	if err != nil {
		t.Fatalf("login through the test IdP: %v", err)
	}
	return status, page
}

// idpInitiated runs an unsolicited login started at the IdP and returns
// the status and page the browser ends on.
func (i *testIdP) idpInitiated(t *testing.T) (int, string) {
	t.Helper()
	client := newClient()
	action, form, err := i.Initiated(client)
	if err != nil {
		t.Fatal(err)
	}
	status, page, err := samltest.Post(client, action, form)
	if err != nil {
		t.Fatal(err)
	}
	return status, page
}

// patWith is samltest.Pat changed by edit: a session for Settings.Session.
func patWith(edit func(*saml.Session)) func(*saml.IdpAuthnRequest) *saml.Session {
	return func(req *saml.IdpAuthnRequest) *saml.Session {
		s := samltest.Pat(req)
		edit(s)
		return s
	}
}

// importTestIdP connects the test IdP to the console from its metadata URL.
func importTestIdP(t *testing.T, tc *testConsole, idp *testIdP) core.IdP {
	t.Helper()
	saved, _, err := tc.ImportIdP(context.Background(), core.ImportRequest{
		MetadataInput: core.MetadataInput{Source: core.SourceURL, Name: idp.MetadataURL()},
		DisplayName:   "Partner IdP", Slug: idp.slug,
	})
	if err != nil {
		t.Fatalf("import test IdP: %v", err)
	}
	return saved
}
