package ui

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// ticks is which of the card's steps show as done.
func (g *getStarted) ticks() [3]bool {
	var out [3]bool
	for i, s := range g.steps {
		out[i] = s.label.Importance == widget.SuccessImportance
	}
	return out
}

// TestGetStartedTicksFollowTheConsole: a fresh console shows the card
// with nothing ticked; a demo sign-in ticks the first step, a simulation
// the second, an imported IdP the third, and with all three done the card
// goes.
func TestGetStartedTicksFollowTheConsole(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	g := h.app.dashboard.getStarted
	h.waitFor("the card", func() bool { return g.hasState })
	if !g.content.Visible() || g.ticks() != [3]bool{} {
		t.Fatalf("a fresh console: card shown %t, ticks %v; want shown, none ticked", g.content.Visible(), g.ticks())
	}
	if want := h.con.Endpoints(core.DemoSlug).LoginURL; g.signInURL.Text != want || !shows(g.content, want) {
		t.Errorf("the sign-in URL shown is %q, want %q", g.signInURL.Text, want)
	}

	// One persona signs in through the demo IdP (the real flow, without the
	// simulation's event).
	if res, err := core.Simulate(ctx, core.SimulateOptions{Target: h.con.BaseURL(), Count: 1, Secret: h.con.HireSecret()}); err != nil || res.Succeeded != 1 {
		t.Fatalf("a demo sign-in: %+v, %v", res, err)
	}
	h.waitFor("the first step ticked", func() bool { return g.ticks() == [3]bool{true, false, false} })

	if res, err := h.con.SimulateOnboarding(ctx, 1, 1, nil); err != nil || res.Succeeded != 1 {
		t.Fatalf("simulate: %+v, %v", res, err)
	}
	h.waitFor("the second step ticked", func() bool { return g.ticks() == [3]bool{true, true, false} })
	if !g.content.Visible() {
		t.Fatal("the card went before the third step")
	}

	idp := startSigningIdP(t, h.con, "partner")
	if _, _, err := h.con.ImportIdP(ctx, core.ImportRequest{MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: idp.metadata()},
		DisplayName: "Partner", Slug: "partner"}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("every step done and the card gone", func() bool { return g.ticks() == [3]bool{true, true, true} && !g.content.Visible() })
}

// TestGetStartedConnectTicksAlone: importing an IdP ticks only the third
// step.
func TestGetStartedConnectTicksAlone(t *testing.T) {
	h := newHarness(t, nil)
	g := h.app.dashboard.getStarted
	idp := startSigningIdP(t, h.con, "partner")
	if _, _, err := h.con.ImportIdP(context.Background(), core.ImportRequest{MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: idp.metadata()},
		DisplayName: "Partner", Slug: "partner"}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the third step ticked", func() bool { return g.ticks() == [3]bool{false, false, true} })
	if !g.content.Visible() {
		t.Error("the card is hidden with two steps to go")
	}
}

// TestGetStartedDismissedStaysDismissed: "Dismiss" hides the card at once,
// and a dashboard made again over the same console does not show it.
func TestGetStartedDismissedStaysDismissed(t *testing.T) {
	h := newHarness(t, nil)
	g := h.app.dashboard.getStarted
	h.waitFor("the card", func() bool { return g.hasState && g.content.Visible() })
	test.Tap(g.dismiss)
	if g.content.Visible() {
		t.Fatal("the card stays after Dismiss")
	}
	h.waitFor("the dismissal stored", func() bool {
		st, err := h.con.GetStarted(context.Background())
		return err == nil && st.Dismissed
	})

	again := newDashboard(h.app)
	t.Cleanup(again.stop)
	again.refresh.Trigger()
	h.waitFor("the new dashboard's read", func() bool { return again.getStarted.hasState })
	if again.getStarted.content.Visible() {
		t.Error("a new dashboard shows the dismissed card")
	}
}

// TestGetStartedButtons: "Add identity provider…" switches to the
// Identity Providers screen with its dialog open; "Sign in as a persona…"
// opens the browser without an error (the test app's OpenURL does
// nothing); the copy button beside the URL copies it; the demo IdP's
// endpoint card has both demo buttons and the URL.
func TestGetStartedButtons(t *testing.T) {
	h := newHarness(t, nil)
	h.app.findBrowser = func() error { return nil }
	g := h.app.dashboard.getStarted
	h.waitFor("the card", func() bool { return g.hasState && g.content.Visible() })
	want := h.con.Endpoints(core.DemoSlug).LoginURL

	var signIn, connect, copyURL *widget.Button
	for _, b := range buttonsIn(g.content) {
		switch b.Text {
		case "Sign in as a persona…":
			signIn = b
		case "Add identity provider…":
			connect = b
		case "":
			copyURL = b
		}
	}
	if signIn == nil || connect == nil || copyURL == nil {
		t.Fatalf("the card's buttons: %v", texts(g.content))
	}
	test.Tap(signIn)
	if top := h.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("Sign in as a persona showed %q", texts(top))
	}
	test.Tap(copyURL)
	if got := h.app.fyneApp.Clipboard().Content(); got != want {
		t.Errorf("the copy button copied %q, want %q", got, want)
	}

	test.Tap(connect)
	if h.app.tabs.Selected().Text != "Identity Providers" || h.app.idps.wizard == nil {
		t.Errorf("Add identity provider: tab %q, dialog open %t", h.app.tabs.Selected().Text, h.app.idps.wizard != nil)
	}

	d := h.app.dashboard
	h.waitFor("the demo IdP's card", func() bool { return shows(d.idpCards, want) })
	var names []string
	for _, b := range buttonsIn(d.idpCards) {
		names = append(names, b.Text)
	}
	if !slices.Contains(names, "Sign in as a persona…") || !slices.Contains(names, "Simulate new hires") {
		t.Errorf("the demo IdP's card has buttons %q", names)
	}
}
