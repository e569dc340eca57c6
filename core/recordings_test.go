package core_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

func TestFlightRecorderKeepsEveryACSRequest(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	if err := core.DemoLoginAs(ctx, nil, tc.Base, "alice"); err != nil {
		t.Fatal(err)
	}
	c := capture(t, tc, "bob")
	doc := parseXML(t, c.xml(t))
	removeSignatures(doc.Root())
	if status, _ := c.withXML(docString(t, doc)).post(t, ""); status != http.StatusForbidden {
		t.Fatalf("unsigned response: HTTP %d", status)
	}

	recs, err := tc.Recordings(ctx, core.RecordingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d recordings, want 2", len(recs))
	}
	refused, accepted := recs[0], recs[1]
	if refused.Outcome != core.OutcomeRefused || refused.Class != core.ClassNoSignature || refused.UserID != 0 {
		t.Errorf("refused recording: %+v", refused)
	}
	if accepted.Outcome != core.OutcomeAccepted || accepted.Action != "created" || accepted.UserID == 0 || accepted.NameID != "alice@example.com" {
		t.Errorf("accepted recording: %+v", accepted)
	}
	if len(accepted.Raw) != 0 {
		t.Error("the list carries raw responses")
	}

	v, err := tc.Recording(ctx, accepted.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.NameID != "alice@example.com" || !strings.HasSuffix(v.NameIDFormat, "emailAddress") || v.Encrypted {
		t.Errorf("decoded identity: %q %q encrypted=%v", v.NameID, v.NameIDFormat, v.Encrypted)
	}
	if len(v.Signatures) != 2 || v.Signatures[0].Element != "Response" || v.Signatures[1].Element != "Assertion" ||
		v.Signatures[0].CertFingerprint == "" || v.Signatures[0].Weak {
		t.Errorf("signatures: %+v", v.Signatures)
	}
	var groups []string
	for _, a := range v.Attributes {
		if a.Name == "groups" {
			groups = a.Values
		}
	}
	if strings.Join(groups, ",") != "Admins,Engineering,Finance" {
		t.Errorf("groups row: %v", groups)
	}
	names := map[string]bool{}
	for _, m := range v.Times {
		names[m.Name] = true
	}
	for _, n := range []string{"IssueInstant", "NotBefore", "NotOnOrAfter", "AuthnInstant"} {
		if !names[n] {
			t.Errorf("time ruler lacks %s: %+v", n, v.Times)
		}
	}
	if !strings.Contains(v.PrettyXML, "\n  <saml:Assertion") && !strings.Contains(v.PrettyXML, "\n  <Assertion") {
		t.Errorf("XML not indented:\n%.400s", v.PrettyXML)
	}
}

func TestRefusedRecordingNamesWhoTheResponseClaimed(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	c := capture(t, tc, "bob")
	if status, _ := c.withXML(strings.Replace(c.xml(t), "Bob Baker", "Bob Bakr", 1)).post(t, ""); status != http.StatusForbidden {
		t.Fatalf("tampered response: HTTP %d", status)
	}
	recs, err := tc.Recordings(context.Background(), core.RecordingFilter{Limit: 1})
	if err != nil || len(recs) != 1 {
		t.Fatal(recs, err)
	}
	if recs[0].NameID != "bob@example.com" || recs[0].Class != core.ClassSignatureInvalid {
		t.Fatalf("refused recording: %+v", recs[0])
	}
	if got := core.SuggestSlug("http://127.0.0.1:8090/simplesaml/saml2/idp/metadata.php"); got != "simplesaml" {
		t.Errorf("SuggestSlug for an address = %q", got)
	}
}

// TestRecorderShowsAnUnlistedSigningKey: a response signed by a key that
// the IdP's metadata does not list is refused, and its recording says so
// for that signature (not "signed"), beside the listed fingerprints; over
// a plain-http base URL the view does not claim TLS.
func TestRecorderShowsAnUnlistedSigningKey(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	listed := core.CertFingerprint(idp.Settings().Cert)
	if status, _ := idp.login(t); status != http.StatusOK {
		t.Fatalf("login with the listed key: HTTP %d", status)
	}
	rogueKey, rogueCert := samltest.NewCertKey(t, "rogue")
	idp.Set(func(s *samltest.Settings) { s.Key, s.Cert = rogueKey, rogueCert })
	if status, _ := idp.login(t); status != http.StatusForbidden {
		t.Fatalf("login with an unlisted key: HTTP %d", status)
	}
	recs, err := tc.Recordings(ctx, core.RecordingFilter{IdPSlug: "partner", Limit: 2})
	if err != nil || len(recs) != 2 || recs[0].Class != core.ClassUnknownKey {
		t.Fatalf("recordings: %+v, %v", recs, err)
	}
	for i, want := range []core.Trust{core.TrustUnlisted, core.TrustListed} {
		v, err := tc.Recording(ctx, recs[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Signatures) == 0 || !slices.Equal(v.TrustedFingerprints, []string{listed}) || v.Transport != "http" {
			t.Fatalf("recording %d: signatures %+v, trusted %v, transport %q", i, v.Signatures, v.TrustedFingerprints, v.Transport)
		}
		for _, s := range v.Signatures {
			if s.Trust != want {
				t.Errorf("recording %d: %s signature by %s is %q, want %q", i, s.Element, s.CertFingerprint, s.Trust, want)
			}
		}
	}
	if core.CertFingerprint(rogueCert) == listed {
		t.Fatal("the rogue certificate has the listed fingerprint")
	}
}
