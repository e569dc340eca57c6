package ui

import (
	"net/http"
	"testing"

	"github.com/crewjam/saml"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

// signingIdP is a real SAML IdP (internal/samltest) on 127.0.0.1 for the
// console con, known there as slug: it signs in whoever signIn names, so
// that a UI test can make accounts of an IdP other than the demo one.
type signingIdP struct {
	*samltest.IdP
	t    *testing.T
	con  *core.Console
	slug string
}

func startSigningIdP(t *testing.T, con *core.Console, slug string) *signingIdP {
	t.Helper()
	idp := samltest.Start(t, func() core.Endpoints { return con.Endpoints(slug) })
	return &signingIdP{IdP: idp, t: t, con: con, slug: slug}
}

// metadata is the IdP's metadata, to import.
func (i *signingIdP) metadata() []byte { return i.Metadata() }

// signIn runs an SP-initiated sign-in of nameID through the console's
// listener and fails the test unless the ACS accepts it.
func (i *signingIdP) signIn(nameID string) {
	t := i.t
	t.Helper()
	i.Set(func(s *samltest.Settings) {
		s.Session = func(*saml.IdpAuthnRequest) *saml.Session { return samltest.Person(nameID, "") }
	})
	status, page, err := i.SignIn(samltest.Browser(), i.con.Endpoints(i.slug).LoginURL)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusSeeOther {
		t.Fatalf("the sign-in of %s through %s: HTTP %d: %.300s", nameID, i.slug, status, page)
	}
}
