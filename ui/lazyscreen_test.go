package ui

import "testing"

// TestScreensAreDrawnOnFirstView checks that a screen other than the
// Dashboard joins the widget tree only when it is first shown, and then
// stays: the navigation does not build every screen at launch.
func TestScreensAreDrawnOnFirstView(t *testing.T) {
	h := newHarness(t, nil)
	lazy := map[string]*lazyScreen{}
	for _, item := range h.app.tabs.Items {
		if l, ok := item.Content.(*lazyScreen); ok {
			lazy[item.Text] = l
		} else if item.Text != "Dashboard" {
			t.Errorf("tab %s is drawn at launch", item.Text)
		}
	}
	if len(lazy) != 6 {
		t.Fatalf("%d screens drawn on first view, want 6", len(lazy))
	}
	if n := len(lazy["Users"].box.Objects); n != 0 {
		t.Fatalf("Users drawn before it was shown (%d objects)", n)
	}
	if shows(h.win.Content(), "Export CSV…") {
		t.Error("the Users screen's buttons are in the window before it is shown")
	}
	h.showTab("Users")
	if n := len(lazy["Users"].box.Objects); n != 1 || lazy["Users"].box.Objects[0] != h.app.users.content {
		t.Fatalf("Users box after showing it: %d objects", n)
	}
	h.waitFor("the Users screen in the window", func() bool { return shows(h.win.Content(), "Export CSV…") })
	if screenOf(h.app.tabs.Selected()) != h.app.users.content {
		t.Error("screenOf does not name the Users screen")
	}
	h.showTab("Dashboard")
	h.showTab("Users")
	if n := len(lazy["Users"].box.Objects); n != 1 {
		t.Errorf("Users box after showing it again: %d objects", n)
	}
	if n := len(lazy["Settings"].box.Objects); n != 0 {
		t.Errorf("Settings drawn without being shown (%d objects)", n)
	}
}
