package ui

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// At 1024×700 the feed's messages take most of the row, the event detail
// has room, and its link opens the account on the Users screen.
func TestDashboardFeedAndDetailAt1024(t *testing.T) {
	h := newHarness(t, nil)
	h.win.Resize(fyne.NewSize(1024, 700))
	d, u := h.app.dashboard, h.app.users
	ctx := context.Background()
	if res, err := h.con.SimulateOnboarding(ctx, 3, 2, nil); err != nil || res.Succeeded != 3 {
		t.Fatalf("simulate: %+v, %v", res, err)
	}
	row := -1
	h.waitFor("the new accounts in the feed", func() bool {
		row = slices.IndexFunc(d.events, func(e core.Event) bool { return e.Kind == core.EventUserCreated })
		return row >= 0
	})

	// The message of a row spans most of the list's width.
	list := d.feedList.Size().Width
	var msg *widget.Label
	visitVisible(d.feedList, func(o fyne.CanvasObject) bool {
		if l, ok := o.(*widget.Label); ok && msg == nil && l.Text == eventText(d.events[row]) {
			msg = l
		}
		return true
	})
	if msg == nil {
		t.Fatalf("the feed does not render %q: %q", eventText(d.events[row]), texts(d.feedList))
	}
	if list < 300 || msg.Size().Width < 0.75*list {
		t.Errorf("at 1024×700 a message is %v wide in a list of %v", msg.Size().Width, list)
	}

	// The detail pane has room.
	d.feedList.Select(row)
	if got := d.detailScroll.Size().Height; got < 200 {
		t.Errorf("the event detail is %v tall at 1024×700", got)
	}
	ev := d.events[row]
	if ev.UserID == 0 || !d.openUser.Visible() {
		t.Fatalf("the detail of %+v has no link to its account", ev)
	}
	test.Tap(d.openUser)
	h.waitFor("the account on Users", func() bool {
		return h.app.tabs.Selected().Text == "Users" && u.acct != nil && u.acct.d.ID == ev.UserID &&
			u.selectedRow >= 0 && u.list[u.selectedRow].ID == ev.UserID
	})

	// An event about no account has no link.
	for i, e := range d.events {
		if e.UserID == 0 {
			d.feedList.Select(i)
			if d.openUser.Visible() {
				t.Errorf("event %q (no account) shows %q", e.Message, d.openUser.Text)
			}
			break
		}
	}
}
