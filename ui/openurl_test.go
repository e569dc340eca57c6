package ui

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// copyButtonBeside returns the copy button of the URL row showing l.
func copyButtonBeside(t *testing.T, root fyne.CanvasObject, l *widget.Label) *widget.Button {
	t.Helper()
	var found *widget.Button
	visitVisible(root, func(o fyne.CanvasObject) bool {
		c, ok := o.(*fyne.Container)
		if !ok {
			return true
		}
		holds := false
		for _, obj := range c.Objects {
			holds = holds || obj == l
		}
		if holds {
			for _, obj := range c.Objects {
				if b, ok := obj.(*widget.Button); ok {
					found = b
				}
			}
		}
		return found == nil
	})
	if found == nil {
		t.Fatalf("no copy button beside %q", l.Text)
	}
	return found
}

// TestDemoSignInShowsItsOneTimeLink: every persona card shows a URL with
// a copy button before any click (the picker's); "Sign in as…" replaces
// it with the one-time link it opened, which the copy button copies.
func TestDemoSignInShowsItsOneTimeLink(t *testing.T) {
	h := newHarness(t, nil)
	h.app.findBrowser = func() error { return nil }
	h.showTab("Demo")
	d := h.app.demo
	h.waitFor("the personas", func() bool { return len(d.rows) > 0 })
	picker := h.con.Endpoints(core.DemoSlug).LoginURL
	for _, r := range d.rows {
		if r.url.Text != picker || !shows(d.personaBox, picker) {
			t.Fatalf("persona %s shows URL %q, want %q", r.persona.ID, r.url.Text, picker)
		}
	}
	row := d.rows[0]
	test.Tap(row.signIn)
	h.waitFor("the one-time link", func() bool { return row.url.Text != picker })
	if !strings.HasPrefix(row.url.Text, picker+"?signin=") {
		t.Fatalf("after Sign in as…: %q, want the login URL with a one-time token", row.url.Text)
	}
	if top := h.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("with a browser, Sign in as… showed %q", texts(top))
	}
	test.Tap(copyButtonBeside(t, d.personaBox, row.url))
	if got := h.app.fyneApp.Clipboard().Content(); got != row.url.Text {
		t.Errorf("copied %q, want %q", got, row.url.Text)
	}
	// A second click mints another link.
	first := row.url.Text
	test.Tap(row.signIn)
	h.waitFor("a second link", func() bool { return row.url.Text != first })
}

// TestNoBrowserShowsTheURLToCopy: when no browser can be opened, "Sign in
// as…" (Demo) and "Sign in as a persona…" (Get started) show a dialog
// saying so, with the URL and a button that copies it.
func TestNoBrowserShowsTheURLToCopy(t *testing.T) {
	h := newHarness(t, nil)
	h.app.findBrowser = func() error { return errors.New("xdg-open, which opens the browser, is not installed") }
	h.showTab("Demo")
	d := h.app.demo
	h.waitFor("the personas", func() bool { return len(d.rows) > 0 })

	test.Tap(d.rows[0].signIn)
	h.waitFor("the no-browser dialog", func() bool { return h.win.Canvas().Overlays().Top() != nil })
	link := d.rows[0].url.Text
	checkNoBrowserDialog(t, h, link)

	h.app.noBrowser.Hide()
	h.app.openPersonaSignIn()
	checkNoBrowserDialog(t, h, h.con.Endpoints(core.DemoSlug).LoginURL)
}

func checkNoBrowserDialog(t *testing.T, h *harness, link string) {
	t.Helper()
	top := h.win.Canvas().Overlays().Top()
	if top == nil || !shows(top, noBrowserTitle) || !shows(top, "xdg-open") || !shows(top, "Copy this URL into a browser") || !shows(top, link) {
		t.Fatalf("the dialog shows %q, want the failure and %q", texts(top), link)
	}
	var copyURL *widget.Button
	for _, b := range buttonsIn(top) {
		if b.Text == "Copy URL" {
			copyURL = b
		}
	}
	if copyURL == nil {
		t.Fatalf("no Copy URL button in %q", texts(top))
	}
	h.app.fyneApp.Clipboard().SetContent("")
	test.Tap(copyURL)
	if got := h.app.fyneApp.Clipboard().Content(); got != link {
		t.Errorf("Copy URL copied %q, want %q", got, link)
	}
}

// TestSystemBrowserOpenerNeedsXDGOpen: on Linux, with no xdg-open on
// PATH, the system check says so.
func TestSystemBrowserOpenerNeedsXDGOpen(t *testing.T) {
	if !strings.Contains("linux freebsd openbsd netbsd", runtime.GOOS) {
		t.Skip("xdg-open is the opener on Linux and the BSDs only")
	}
	t.Setenv("PATH", t.TempDir())
	if err := systemBrowserOpener(); err == nil || !strings.Contains(err.Error(), "xdg-open") {
		t.Errorf("with no xdg-open: %v", err)
	}
}
