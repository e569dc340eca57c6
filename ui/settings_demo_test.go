package ui

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"
)

// TestSettingsSwitchesDemoIdPOff switches the demo IdP off in Settings:
// the console stops serving it at once, the Demo screen says it is off
// and how to switch it on, and nothing there can start a sign-in. Switched
// on again, the Demo screen can simulate.
func TestSettingsSwitchesDemoIdPOff(t *testing.T) {
	h := newHarness(t, nil)
	s := h.app.settings.demo
	d := h.app.demo
	h.waitFor("the demo IdP's state", func() bool { return !s.enabled.Disabled() && s.enabled.Checked })
	h.waitFor("the personas", func() bool { return len(d.rows) > 0 })

	h.showTab("Settings")
	s.enabled.SetChecked(false)
	h.waitFor("the switch to be saved", func() bool { return strings.HasPrefix(s.status.Text, "The demo IdP is switched off in Settings") })
	if h.con.DemoIdP(context.Background()).On {
		t.Fatal("the console still serves the demo IdP")
	}
	resp, err := http.Get(h.con.BaseURL() + "/demo-idp/metadata")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("demo IdP metadata after switching off: HTTP %d", resp.StatusCode)
	}

	h.showTab("Demo")
	h.waitFor("the Demo screen to say it is off", func() bool { return d.banner.Visible() })
	if !strings.Contains(d.banner.Text, "The demo IdP is off") || !strings.Contains(d.banner.Text, "Switch it on there") ||
		d.banner.Importance != widget.DangerImportance {
		t.Errorf("banner: %q", d.banner.Text)
	}
	if !d.start.Disabled() {
		t.Error("Start simulation is enabled while the demo IdP is off")
	}
	for _, r := range d.rows {
		if !r.signIn.Disabled() {
			t.Errorf("Sign in as %s is enabled while the demo IdP is off", r.persona.ID)
		}
	}

	h.showTab("Settings")
	s.enabled.SetChecked(true)
	h.waitFor("the Demo screen to clear its banner", func() bool { return !d.banner.Visible() && !d.start.Disabled() })
	if !strings.Contains(s.status.Text, "The demo IdP is on") {
		t.Errorf("status after switching on: %q", s.status.Text)
	}
	if res, err := h.con.SimulateOnboarding(context.Background(), 2, 2, nil); err != nil || res.Succeeded != 2 {
		t.Errorf("simulate after switching on: %+v, %v", res, err)
	}
}
