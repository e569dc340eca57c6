package core_test

import (
	"context"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
	"github.com/jitconsole/jitconsole/storage"
)

func TestSecondIdPFromURLSignsIn(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	idp := startTestIdP(t, tc, "partner")
	saved := importTestIdP(t, tc, idp)
	if saved.MetadataSource != core.SourceURL || saved.MetadataURL != idp.MetadataURL() || !saved.Enabled {
		t.Fatalf("saved IdP: %+v", saved)
	}
	status, page := idp.login(t)
	if status != http.StatusOK || !contains(page, "Welcome, Pat Partner") {
		t.Fatalf("login through the partner IdP: HTTP %d\n%s", status, page)
	}
	// The test IdP encrypts its assertions to the SP, as the SP's metadata asks.
	recs, err := tc.Recordings(context.Background(), core.RecordingFilter{IdPSlug: "partner", Limit: 1})
	if err != nil || len(recs) != 1 {
		t.Fatalf("recordings: %+v, %v", recs, err)
	}
	if v, err := tc.Recording(context.Background(), recs[0].ID); err != nil || !v.Encrypted {
		t.Fatalf("the partner IdP's assertion was not encrypted: %v", err)
	}
	// The demo IdP still works beside it, and the accounts stay apart.
	if err := core.DemoLoginAs(context.Background(), nil, tc.Base, "bob"); err != nil {
		t.Fatal(err)
	}
	us := users(t, tc)
	if len(us) != 2 {
		t.Fatalf("%d accounts, want 2", len(us))
	}
	for _, u := range us {
		if u.NameID == "pat@partner.example" && u.IdPSlug != "partner" {
			t.Errorf("Pat's account is from %q", u.IdPSlug)
		}
	}
}

// TestCertificateRolloverKeepsLoginsWorking walks an IdP through a key
// rollover as IdPs announce them: publish the new certificate beside the
// old, switch signing to it, then drop the old one. Refreshes report each
// change and no login fails.
func TestCertificateRolloverKeepsLoginsWorking(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	mustLogin := func(step string) {
		t.Helper()
		if status, page := idp.login(t); status != http.StatusOK {
			t.Fatalf("%s: login refused (HTTP %d)\n%s", step, status, page)
		}
	}
	mustLogin("before the rollover")

	old := idp.Settings()
	oldKey, oldCert := old.Key, old.Cert
	newKey, newCert := samltest.NewCertKey(t, "test-idp-2")
	idp.Set(func(s *samltest.Settings) { s.Extra = append(s.Extra, newCert) })
	if _, err := tc.RefreshIdP(ctx, "partner"); err != nil {
		t.Fatal(err)
	}
	if ev := lastEventOf(t, tc, core.EventIdPRefreshed); !contains(ev.Message, "certificate added: CN=test-idp-2") {
		t.Fatalf("refresh event: %q", ev.Message)
	}
	mustLogin("new certificate announced")

	idp.Set(func(s *samltest.Settings) { s.Key, s.Cert, s.Extra = newKey, newCert, []*x509.Certificate{oldCert} })
	mustLogin("signing with the new key")

	idp.Set(func(s *samltest.Settings) { s.Extra = nil })
	if _, err := tc.RefreshIdP(ctx, "partner"); err != nil {
		t.Fatal(err)
	}
	if ev := lastEventOf(t, tc, core.EventIdPRefreshed); !contains(ev.Message, "certificate removed: CN="+oldCert.Subject.CommonName) {
		t.Fatalf("refresh event: %q", ev.Message)
	}
	mustLogin("old certificate dropped")

	// Signing with the retired key now fails as "unknown key".
	idp.Set(func(s *samltest.Settings) { s.Key, s.Cert = oldKey, oldCert })
	if status, _ := idp.login(t); status != http.StatusForbidden {
		t.Fatalf("retired key accepted: HTTP %d", status)
	}
	if got := refusalClass(t, tc, lastRefusal(t, tc)); got != core.ClassUnknownKey {
		t.Fatalf("class %q", got)
	}
}

func TestFailedRefreshKeepsLastGoodMetadata(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	idp := startTestIdP(t, tc, "partner")
	before := importTestIdP(t, tc, idp)
	idp.Set(func(s *samltest.Settings) { s.MetadataStatus = http.StatusBadGateway })
	after, err := tc.RefreshIdP(ctx, "partner")
	if err == nil || !contains(core.ErrorMessage(err), "HTTP 502") {
		t.Fatalf("refresh error: %v", err)
	}
	if after.MetadataXML != before.MetadataXML || !contains(after.RefreshError, "HTTP 502") {
		t.Fatalf("after a failed refresh: error %q, metadata kept %v", after.RefreshError, after.MetadataXML == before.MetadataXML)
	}
	if status, _ := idp.login(t); status != http.StatusOK {
		t.Fatalf("login after a failed refresh: HTTP %d", status)
	}
	idp.Set(func(s *samltest.Settings) { s.MetadataStatus = 0 })
	after, err = tc.RefreshIdP(ctx, "partner")
	if err != nil || after.RefreshError != "" {
		t.Fatalf("a good refresh did not clear the error: %v, %q", err, after.RefreshError)
	}
}

func TestPerIdPSecuritySettings(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	idp := startTestIdP(t, tc, "partner")
	saved := importTestIdP(t, tc, idp)

	// Unsolicited logins are refused until IdP-initiated login is on.
	if status, _ := idp.idpInitiated(t); status != http.StatusForbidden {
		t.Fatalf("unsolicited accepted: HTTP %d", status)
	}
	if got := refusalClass(t, tc, lastRefusal(t, tc)); got != core.ClassUnsolicited {
		t.Fatalf("class %q", got)
	}
	saved.Security.AllowIdPInitiated = true
	if _, err := tc.UpdateIdP(ctx, saved); err != nil {
		t.Fatal(err)
	}
	if status, _ := idp.idpInitiated(t); status != http.StatusOK {
		t.Fatalf("IdP-initiated with the setting on: HTTP %d (%s: %s)", status, lastRefusal(t, tc).Class, lastRefusal(t, tc).Message)
	}
	if ev := lastEventOf(t, tc, core.EventAdminChange); !contains(ev.Detail, "IdP-initiated login: false → true") {
		t.Fatalf("audit event detail %q", ev.Detail)
	}

	if recs, err := tc.Recordings(ctx, core.RecordingFilter{Limit: 1}); err != nil || len(recs) != 1 || recs[0].Weak {
		t.Fatalf("an RSA-SHA256 login is flagged weak: %+v, %v", recs, err)
	}

	// SHA-1 is accepted by default and refused when the setting says so.
	idp.Set(func(s *samltest.Settings) { s.SignatureMethod = dsig.RSASHA1SignatureMethod })
	if status, _ := idp.login(t); status != http.StatusOK {
		t.Fatalf("SHA-1 refused by default: HTTP %d", status)
	}
	if recs, err := tc.Recordings(ctx, core.RecordingFilter{Limit: 1}); err != nil || len(recs) != 1 || !recs[0].Weak || recs[0].Outcome != core.OutcomeAccepted {
		t.Fatalf("the SHA-1 login is not flagged weak in the recorder: %+v, %v", recs, err)
	}
	saved.Security.RejectSHA1 = true
	if _, err := tc.UpdateIdP(ctx, saved); err != nil {
		t.Fatal(err)
	}
	if status, _ := idp.login(t); status != http.StatusForbidden {
		t.Fatalf("SHA-1 accepted against the setting: HTTP %d", status)
	}
	if got := refusalClass(t, tc, lastRefusal(t, tc)); got != core.ClassWeakAlgorithm {
		t.Fatalf("class %q", got)
	}

	// An error status from the IdP is shown with its codes.
	idp.Set(func(s *samltest.Settings) {
		s.SignatureMethod = dsig.RSASHA256SignatureMethod
		s.ErrStatus = &saml.StatusError{TopLevel: saml.StatusResponder, SecondLevel: saml.StatusRequestDenied, Message: "user not assigned"}
	})
	if status, _ := idp.login(t); status != http.StatusForbidden {
		t.Fatalf("error status: HTTP %d", status)
	}
	ev := lastRefusal(t, tc)
	if ev.Class != core.ClassIdPError || !contains(ev.Message, "Responder / RequestDenied") || !contains(ev.Message, "user not assigned") {
		t.Fatalf("error status refusal: class %q, %q", ev.Class, ev.Message)
	}

	// A transient NameID is refused as an account key.
	idp.Set(func(s *samltest.Settings) {
		s.ErrStatus = nil
		s.Session = patWith(func(p *saml.Session) {
			p.NameIDFormat = string(saml.TransientNameIDFormat)
			p.NameID = "_tr4ns13nt"
		})
	})
	before := len(users(t, tc))
	if status, _ := idp.login(t); status != http.StatusForbidden {
		t.Fatalf("transient NameID: HTTP %d", status)
	}
	if got := refusalClass(t, tc, lastRefusal(t, tc)); got != core.ClassTransientNameID {
		t.Fatalf("class %q", got)
	}
	if len(users(t, tc)) != before {
		t.Fatal("a transient NameID created an account")
	}

	// A disabled IdP refuses.
	saved.Enabled = false
	if _, err := tc.UpdateIdP(ctx, saved); err != nil {
		t.Fatal(err)
	}
	if status, _ := idp.idpInitiated(t); status != http.StatusForbidden {
		t.Fatalf("disabled IdP: HTTP %d", status)
	}
	if got := refusalClass(t, tc, lastRefusal(t, tc)); got != core.ClassIdPDisabled {
		t.Fatalf("class %q", got)
	}
}

func lastEventOf(t *testing.T, tc *testConsole, kind core.EventKind) core.Event {
	t.Helper()
	evs, err := tc.RecentEvents(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Kind == kind {
			return e
		}
	}
	t.Fatalf("no %s event", kind)
	return core.Event{}
}

// TestACSRefusesSignedButWrongAssertions has a real IdP sign assertions
// whose content is wrong: for another SP, to another ACS, outside their
// time window, with an empty NameID. Each is refused with its class and
// the values a person needs; no account is made.
func TestACSRefusesSignedButWrongAssertions(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	tests := []struct {
		name    string
		set     func(s *samltest.Settings)
		class   core.RefusalClass
		message string // part of the stored reason
	}{
		{"audience of another SP", func(s *samltest.Settings) {
			s.Mutate = func(a *saml.Assertion) {
				a.Conditions.AudienceRestrictions = []saml.AudienceRestriction{{Audience: saml.Audience{Value: "https://other-app.example.com/sp"}}}
			}
		}, core.ClassAudience, `"https://other-app.example.com/sp"`},
		{"recipient of another ACS", func(s *samltest.Settings) {
			s.Mutate = func(a *saml.Assertion) {
				a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://other-app.example.com/acs"
			}
		}, core.ClassDestination, `"https://other-app.example.com/acs" (Recipient)`},
		{"expired: IdP clock an hour behind", func(s *samltest.Settings) { s.Mutate = shiftTimes(-time.Hour) }, core.ClassExpired, "allowed skew 3m0s"},
		{"not yet valid: IdP clock an hour ahead", func(s *samltest.Settings) { s.Mutate = shiftTimes(time.Hour) }, core.ClassNotYetValid, "about 1h0m0s ahead"},
		{"empty NameID", func(s *samltest.Settings) {
			s.Mutate = func(a *saml.Assertion) { a.Subject.NameID.Value = "   " }
		}, core.ClassEmptyNameID, "NameID is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idp.Set(func(s *samltest.Settings) { s.Mutate = nil; tt.set(s) })
			status, page := idp.login(t)
			if status != http.StatusForbidden || !contains(page, "Sign-in refused") {
				t.Fatalf("HTTP %d\n%s", status, page)
			}
			ev := lastRefusal(t, tc)
			if ev.Class != tt.class || !contains(ev.Message+" "+ev.Detail, tt.message) {
				t.Fatalf("class %q, reason %q, hint %q; want %q with %q", ev.Class, ev.Message, ev.Detail, tt.class, tt.message)
			}
			if n := len(users(t, tc)); n != 0 {
				t.Fatalf("%d accounts", n)
			}
		})
	}
	// And the same IdP, set right again, signs in.
	idp.Set(func(s *samltest.Settings) { s.Mutate = nil })
	if status, _ := idp.login(t); status != http.StatusOK {
		t.Fatalf("a correct assertion after the refusals: HTTP %d", status)
	}
}

// shiftTimes moves every time of an assertion by d, as an IdP whose clock
// is off by d would write them.
func shiftTimes(d time.Duration) func(*saml.Assertion) {
	return func(a *saml.Assertion) {
		a.IssueInstant = a.IssueInstant.Add(d)
		if c := a.Conditions; c != nil {
			c.NotBefore, c.NotOnOrAfter = c.NotBefore.Add(d), c.NotOnOrAfter.Add(d)
		}
		for i := range a.Subject.SubjectConfirmations {
			if scd := a.Subject.SubjectConfirmations[i].SubjectConfirmationData; scd != nil {
				scd.NotOnOrAfter = scd.NotOnOrAfter.Add(d)
				if !scd.NotBefore.IsZero() {
					scd.NotBefore = scd.NotBefore.Add(d)
				}
			}
		}
		for i := range a.AuthnStatements {
			a.AuthnStatements[i].AuthnInstant = a.AuthnStatements[i].AuthnInstant.Add(d)
		}
	}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// TestScheduledRefresh starts a console a day after an IdP was imported
// from its URL: the background loop fetches the metadata again by itself.
func TestScheduledRefresh(t *testing.T) {
	dir := t.TempDir()
	tc := startConsole(t, dir, "")
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	_, newCert := samltest.NewCertKey(t, "test-idp-next")
	idp.Set(func(s *samltest.Settings) { s.Extra = append(s.Extra, newCert) })
	base := tc.Base
	tc.close()

	ctx := context.Background()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	later, err := core.New(ctx, core.Options{Store: db, Keys: storage.NewFileKeyStore(dir), ListenAddr: "127.0.0.1:0",
		BaseURL: base, Clock: fixedClock{time.Now().Add(25 * time.Hour)}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := later.Start(); err != nil {
		t.Fatal(err)
	}
	defer later.Close()
	// The refresh saves the IdP, then publishes its change event: wait
	// for both rather than read the events the moment the IdP is saved.
	deadline := time.Now().Add(10 * time.Second)
	refreshed := false
	var evs []core.Event
	for time.Now().Before(deadline) {
		got, err := db.GetIdP(ctx, "partner")
		if err != nil {
			t.Fatal(err)
		}
		if refreshed = got.RefreshedAt.After(time.Now().Add(24 * time.Hour)); refreshed {
			evs, _ = later.RecentEvents(ctx, 20)
			for _, e := range evs {
				if e.Kind == core.EventIdPRefreshed && contains(e.Message, "certificate added: CN=test-idp-next") {
					return
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if refreshed {
		t.Fatalf("refreshed without a change event: %+v", evs)
	}
	t.Fatal("the metadata was not refreshed on schedule")
}

func TestMappingPolicyDeniesAtTheACS(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	idp := startTestIdP(t, tc, "partner")
	saved := importTestIdP(t, tc, idp)
	saved.Mapping = core.Mapping{NoMatch: core.NoMatchDeny, RoleRules: []core.RoleRule{{Roles: []string{"admin"},
		Conditions: []core.Condition{{Attribute: "groups", Operator: core.OpContains, Value: "Admins"}}}}}
	if _, err := tc.DB.SaveIdP(ctx, saved); err != nil {
		t.Fatal(err)
	}
	if status, _ := idp.login(t); status != http.StatusForbidden {
		t.Fatalf("no rule matched but HTTP %d", status)
	}
	if ev := lastRefusal(t, tc); ev.Class != core.ClassDeniedByPolicy || !contains(ev.Message, "No role rule matched") {
		t.Fatalf("refusal %q: %q", ev.Class, ev.Message)
	}
	saved.Mapping = core.Mapping{DefaultRole: "member", Required: []string{core.FieldFamilyName}}
	if _, err := tc.DB.SaveIdP(ctx, saved); err != nil {
		t.Fatal(err)
	}
	if status, _ := idp.login(t); status != http.StatusForbidden {
		t.Fatalf("a required attribute is missing but HTTP %d", status)
	}
	if ev := lastRefusal(t, tc); ev.Class != core.ClassDeniedByPolicy || !contains(ev.Message, "lacks the required family_name. The IdP sent: displayName, email, groups.") {
		t.Fatalf("refusal %q: %q", ev.Class, ev.Message)
	}
	if n := len(users(t, tc)); n != 0 {
		t.Fatalf("%d accounts", n)
	}
}
