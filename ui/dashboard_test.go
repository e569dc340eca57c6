package ui

import (
	"context"
	"net"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

func TestDashboardFeedShowsLoginFromCore(t *testing.T) {
	// The counters include "created today": the clock's day is pinned
	// around the test, so that crossing midnight does not change it.
	h := newHarnessFor(t, newConsoleWith(t, "127.0.0.1:0", true, newNoonClock()), nil)
	d := h.app.dashboard
	h.waitFor("the listener status", func() bool { return strings.HasPrefix(d.listenerText.Text, "Running at "+h.con.BaseURL()) })
	if d.restartRow.Visible() {
		t.Error("the restart controls are shown while the listener runs")
	}

	ctx := context.Background()
	personas, err := h.con.Personas(ctx)
	if err != nil || len(personas) == 0 {
		t.Fatalf("personas: %v, %v", personas, err)
	}
	// A real sign-in through the listener, the demo IdP and the ACS.
	if err := core.DemoLoginAs(ctx, nil, h.con.BaseURL(), personas[0].ID); err != nil {
		t.Fatalf("demo login: %v", err)
	}

	h.waitFor("the feed to show the new account", func() bool {
		return len(d.events) > 0 && d.events[0].Kind == core.EventUserCreated
	})
	created := d.events[0]
	if !strings.Contains(created.Message, personas[0].DisplayName) {
		t.Errorf("newest event %q does not name %s", created.Message, personas[0].DisplayName)
	}
	if !shows(d.feedList, created.Message) {
		t.Errorf("the feed list does not render %q; it shows %q", created.Message, texts(d.feedList))
	}
	h.waitFor("the counters", func() bool {
		return d.counters[0].value.Text == "1" && d.counters[1].value.Text == "1" &&
			d.counters[2].value.Text == "1" && d.counters[3].value.Text == "0"
	})
	if got := d.chart.Total(); got != 1 {
		t.Errorf("chart total = %d, want 1", got)
	}

	d.feedList.Select(0)
	if !strings.Contains(d.feedDetail.Text, created.Detail) || !strings.Contains(d.feedDetail.Text, created.Message) {
		t.Errorf("event detail = %q, want the message and detail of %+v", d.feedDetail.Text, created)
	}
}

func TestDashboardEndpointsCopy(t *testing.T) {
	h := newHarness(t, nil)
	d := h.app.dashboard
	ep := h.con.Endpoints(core.DemoSlug)
	h.waitFor("the demo IdP's card", func() bool { return shows(d.idpCards, ep.ACSURL) })
	for _, want := range []string{ep.EntityID, ep.MetadataURL} {
		if !shows(d.idpCards, want) {
			t.Errorf("the IdP card does not show %s", want)
		}
	}
	var copies []*widget.Button // the demo IdP's card also has its demo buttons
	for _, b := range buttonsIn(d.idpCards) {
		if b.Text == "" {
			copies = append(copies, b)
		}
	}
	if len(copies) != 4 {
		t.Fatalf("found %d copy buttons, want 4", len(copies))
	}
	for i, want := range []string{ep.EntityID, ep.ACSURL, ep.MetadataURL, ep.LoginURL} {
		test.Tap(copies[i])
		if got := h.app.fyneApp.Clipboard().Content(); got != want {
			t.Errorf("copy button %d put %q on the clipboard, want %q", i, got, want)
		}
	}
}

func TestDashboardRestartsBusyListener(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	con := newConsole(t, busy.Addr().String(), false)
	if err := con.Start(); core.ErrorCode(err) != core.EUNAVAILABLE {
		t.Fatalf("start on a busy port: %v, want an EUNAVAILABLE error", err)
	}
	h := newHarnessFor(t, con, nil)
	d := h.app.dashboard
	h.waitFor("the listener error", func() bool { return d.restartRow.Visible() })
	if !strings.Contains(d.listenerText.Text, "already in use") {
		t.Errorf("listener status = %q, want it to say the address is in use", d.listenerText.Text)
	}
	if d.addrEntry.Text == "" {
		t.Error("no address is suggested")
	}

	d.addrEntry.SetText("127.0.0.1:0")
	test.Tap(d.restartButton)
	h.waitFor("the listener to run", func() bool { return !d.restartRow.Visible() && d.restartButton.Disabled() == false })
	if !con.Listener().Running || !strings.HasPrefix(d.listenerText.Text, "Running at ") {
		t.Errorf("after restart: %+v, status %q", con.Listener(), d.listenerText.Text)
	}
	h.waitFor("the demo IdP's endpoints", func() bool { return shows(d.idpCards, con.Endpoints(core.DemoSlug).ACSURL) })
}

// buttonsIn lists the visible buttons under o, in layout order.
func buttonsIn(o fyne.CanvasObject) []*widget.Button {
	var out []*widget.Button
	visitVisible(o, func(o fyne.CanvasObject) bool {
		if b, ok := o.(*widget.Button); ok {
			out = append(out, b)
			return false
		}
		return true
	})
	return out
}
