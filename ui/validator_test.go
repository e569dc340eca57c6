package ui

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/jitconsole/jitconsole/core"
)

// freshResponse is a newly signed SAMLResponse (base64) from the demo
// IdP for alice, never posted to the ACS.
func freshResponse(t *testing.T, con *core.Console) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	_, form, err := core.DemoResponse(context.Background(), &http.Client{Jar: jar}, con.BaseURL(), url.Values{"persona": {"alice"}})
	if err != nil {
		t.Fatalf("demo response: %v", err)
	}
	return form.Get("SAMLResponse")
}

// openValidator opens the validator from the Activity screen and waits for
// the connected IdPs.
func (h *harness) openValidator() *validator {
	h.t.Helper()
	h.showTab("Activity")
	test.Tap(h.app.activity.validate)
	v := h.app.validator
	if v == nil {
		h.t.Fatal("Validate a response opened nothing")
	}
	h.waitFor("the connected IdPs", func() bool { return v.idpSelect.Selected != "" })
	return v
}

// check runs the validator on response and waits for the verdict.
func (h *harness) check(v *validator, response string) core.CheckReport {
	h.t.Helper()
	v.report = nil
	v.response.SetText(response)
	test.Tap(v.check)
	h.waitFor("the verdict", func() bool { return v.report != nil || v.errLabel.Visible() })
	if v.report == nil {
		h.t.Fatalf("the check failed: %s", v.errLabel.Text)
	}
	return *v.report
}

func TestValidatorFreshAndTampered(t *testing.T) {
	h := newHarness(t, nil)
	v := h.openValidator()
	ep := h.con.Endpoints(core.DemoSlug)
	if v.audience.Text != ep.EntityID || v.acs.Text != ep.ACSURL {
		t.Errorf("SP values %q, %q; want the demo IdP's %q, %q", v.audience.Text, v.acs.Text, ep.EntityID, ep.ACSURL)
	}

	resp := freshResponse(t, h.con)
	rep := h.check(v, resp)
	if !rep.Valid || rep.NameID != "alice@example.com" {
		t.Fatalf("a fresh response: %+v", rep)
	}
	r := v.result
	if !strings.HasPrefix(r.verdict.Text, "Valid") || !shows(r.overview, "alice@example.com") ||
		!shows(r.overview, "the validator never creates or changes an account") {
		t.Errorf("the result shows %q / %q", r.verdict.Text, texts(r.overview))
	}
	if r.attrTab.Text == "Attributes (0)" {
		t.Error("no attributes shown")
	}

	// The same response with another NameID: the signature breaks.
	xml, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.ReplaceAll(string(xml), "alice@example.com", "mallory@example.com")
	rep = h.check(v, base64.StdEncoding.EncodeToString([]byte(tampered)))
	if rep.Valid || rep.Class == "" {
		t.Fatalf("a tampered response: %+v", rep)
	}
	if r.verdict.Text != "Refused — "+string(rep.Class) || !r.hint.Visible() {
		t.Errorf("the result shows %q, hint %q", r.verdict.Text, r.hint.Text)
	}

	// As XML, and against other SP values: the audience no longer matches.
	v.audience.SetText("https://other-app.example.com/sp")
	rep = h.check(v, string(xml))
	if rep.Valid || rep.Class != core.ClassAudience {
		t.Errorf("a response for another audience: %+v, want class %s", rep, core.ClassAudience)
	}
	if r.verdict.Text != "Refused — "+string(core.ClassAudience) {
		t.Errorf("the result for another audience shows %q", r.verdict.Text)
	}

	// Nothing was created.
	users, err := h.con.Users(context.Background(), core.UserFilter{})
	if err != nil || len(users) != 0 {
		t.Errorf("the validator created accounts: %v, %v", users, err)
	}
	recs, _ := h.con.Recordings(context.Background(), core.RecordingFilter{})
	if len(recs) != 0 {
		t.Errorf("the validator wrote %d recordings", len(recs))
	}

	// Bad input is explained, not checked.
	v.at.SetText("yesterday")
	test.Tap(v.check)
	if !v.errLabel.Visible() || !strings.Contains(v.errLabel.Text, "RFC 3339") {
		t.Errorf("a bad time: %q", v.errLabel.Text)
	}
}
