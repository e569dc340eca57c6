package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// labelRects are the rectangles of the text of the visible labels under
// o (the label's box less its inner padding), in window coordinates.
func labelRects(o fyne.CanvasObject) map[*widget.Label][2]fyne.Position {
	d := fyne.CurrentApp().Driver()
	out := map[*widget.Label][2]fyne.Position{}
	visitVisible(o, func(o fyne.CanvasObject) bool {
		if l, ok := o.(*widget.Label); ok && l.Text != "" {
			in := theme.InnerPadding()
			p := d.AbsolutePositionForObject(l).AddXY(in, in)
			out[l] = [2]fyne.Position{p, p.Add(l.Size()).SubtractXY(2*in, 2*in)}
		}
		return true
	})
	return out
}

// assertNoOverlap fails when two labels under o overlap, or one runs out
// of o's width.
func assertNoOverlap(t *testing.T, what string, o fyne.CanvasObject) {
	t.Helper()
	rects := labelRects(o)
	right := fyne.CurrentApp().Driver().AbsolutePositionForObject(o).X + o.Size().Width
	for a, ra := range rects {
		if ra[1].X > right+0.5 || ra[0].X < -0.5 {
			t.Errorf("%s: %q spans x %v–%v, outside the row's 0–%v", what, a.Text, ra[0].X, ra[1].X, right)
		}
		for b, rb := range rects {
			if a != b && ra[0].X < rb[1].X-0.5 && rb[0].X < ra[1].X-0.5 && ra[0].Y < rb[1].Y-0.5 && rb[0].Y < ra[1].Y-0.5 {
				t.Errorf("%s: %q (%v–%v) overlaps %q (%v–%v)", what, a.Text, ra[0], ra[1], b.Text, rb[0], rb[1])
			}
		}
	}
}

// The flight recorder's and the feed's rows at the widths their lists have
// on a 1024×700 window (and narrower): nothing drawn over anything.
func TestRowsDoNotOverlapWhenNarrow(t *testing.T) {
	rec := core.Recording{At: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC), IdPSlug: "okta-production",
		NameID: "someone.with.a.very.long.name@subsidiary.example.com", Outcome: core.OutcomeRefused,
		Class: "signature_invalid", Count: 12}
	ev := core.Event{At: rec.At, IdPSlug: "okta-production", Outcome: core.OutcomeAccepted,
		Message: "Someone With A Very Long Name signed in for the first time; account created with roles staff, admin"}
	for _, width := range []float32{220, 300, 360, 600} {
		row := newRecordingRow()
		updateRecordingRow(row, rec)
		w := test.NewTempWindow(t, row)
		w.Resize(fyne.NewSize(width, row.MinSize().Height+8))
		assertNoOverlap(t, "recorder row", row)

		feed := newFeedRow()
		updateFeedRow(feed, ev)
		w2 := test.NewTempWindow(t, feed)
		w2.Resize(fyne.NewSize(width, feed.MinSize().Height+8))
		assertNoOverlap(t, "feed row", feed)
		msg := feed.(*fyne.Container).Objects[0].(*fyne.Container).Objects[0]
		if msg.Size().Width < width-80 {
			t.Errorf("feed row %v wide: its message is %v wide", width, msg.Size().Width)
		}
	}
}
