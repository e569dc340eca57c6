package ui

// Tests of the Mapping Rules screen at laptop and monitor sizes: it fits
// the room it gets, its rows' buttons are on screen, the operator shows
// its whole value, and the wheel scrolls the form over an entry.

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// within fails unless o lies fully inside the horizontal extent of area.
func within(t *testing.T, what string, o, area fyne.CanvasObject) {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	op, ap := d.AbsolutePositionForObject(o), d.AbsolutePositionForObject(area)
	if !o.Visible() || o.Size().Width <= 0 {
		t.Errorf("%s is not shown", what)
		return
	}
	if op.X < ap.X || op.X+o.Size().Width > ap.X+area.Size().Width+0.5 {
		t.Errorf("%s spans x %.0f–%.0f, outside the visible %.0f–%.0f", what,
			op.X, op.X+o.Size().Width, ap.X, ap.X+area.Size().Width)
	}
}

func TestRulesFitLaptopAndMonitor(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	h.saveRole("engineering-x")
	c := h.addRule("department", core.OpNotExists, "", "engineering-x")
	test.Tap(c.addCond) // a second condition in the new rule
	h.q.drain()
	opWidth := operatorWidth([]string{operatorTitles[core.OpNotExists]})
	for _, size := range []fyne.Size{{Width: 1024, Height: 700}, {Width: 1400, Height: 900}, {Width: 2560, Height: 1440}} {
		t.Run(fmt.Sprintf("%.0fx%.0f", size.Width, size.Height), func(t *testing.T) {
			h.win.Resize(size)
			h.q.drain()
			if min, got := r.content.MinSize().Width, r.content.Size().Width; min > got || got < size.Width/2 {
				t.Fatalf("the screen needs %.0f px wide and gets %.0f", min, got)
			}
			if len(r.form.rules) < 2 {
				t.Fatalf("%d rules in the form", len(r.form.rules))
			}
			for i, card := range r.form.rules {
				for name, b := range map[string]*widget.Button{"up": card.up, "down": card.down, "delete": card.remove} {
					within(t, fmt.Sprintf("rule %d's %s button", i+1, name), b, r.formScroll)
				}
				for j, cond := range card.conds {
					where := fmt.Sprintf("rule %d condition %d's", i+1, j+1)
					within(t, where+" “−”", cond.remove, r.formScroll)
					within(t, where+" value", cond.value, r.formScroll)
					within(t, where+" operator", cond.op, r.formScroll)
					if cond.op.Size().Width < opWidth {
						t.Errorf("%s operator is %.0f px wide; “%s” needs %.0f", where, cond.op.Size().Width,
							operatorTitles[core.OpNotExists], opWidth)
					}
				}
			}
		})
	}
}

// TestRulesWheelOverAnEntryScrollsTheForm: with the pointer over an entry
// of the form, the wheel moves the form.
func TestRulesWheelOverAnEntryScrollsTheForm(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	h.win.Resize(fyne.NewSize(1024, 700))
	h.q.drain()
	r.formScroll.ScrollToTop()
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(r.formScroll).Y
	var e *widget.Entry
	visitVisible(r.formBox, func(o fyne.CanvasObject) bool {
		if w, ok := o.(*widget.Entry); ok && e == nil && d.AbsolutePositionForObject(w).Y+w.Size().Height < top+r.formScroll.Size().Height {
			e = w
		}
		return e == nil
	})
	if e == nil {
		t.Fatal("no entry in the visible part of the form")
	}
	pos := d.AbsolutePositionForObject(e).AddXY(e.Size().Width/2, e.Size().Height/2)
	test.Scroll(h.win.Canvas(), pos, 0, -120)
	if r.formScroll.Offset.Y <= 0 {
		t.Fatalf("the wheel over an entry left the form at offset %.0f", r.formScroll.Offset.Y)
	}
}

// TestFlowRowWraps: a row too narrow for its parts puts them on more
// lines, each inside the width, and asks for the height of those lines.
func TestFlowRowWraps(t *testing.T) {
	parts := make([]fyne.CanvasObject, 4)
	for i := range parts {
		parts[i] = newFixedBox(fyne.NewSize(100, 30))
	}
	row := newFlowRow([]float32{1, 1, 1, 0}, parts...)
	for _, tc := range []struct {
		width float32
		lines int
	}{{1000, 1}, {330, 2}, {220, 2}, {150, 4}} {
		row.Resize(fyne.NewSize(tc.width, row.MinSize().Height))
		ys := map[float32]bool{}
		for i, p := range parts {
			if p.Position().X < 0 || p.Position().X+p.Size().Width > tc.width+0.5 || p.Size().Width < 100 {
				t.Errorf("at %.0f px, part %d spans %.0f–%.0f", tc.width, i, p.Position().X, p.Position().X+p.Size().Width)
			}
			ys[p.Position().Y] = true
		}
		if len(ys) != tc.lines {
			t.Errorf("at %.0f px: %d lines, want %d", tc.width, len(ys), tc.lines)
		}
		if h := row.MinSize().Height; h < float32(tc.lines)*30 {
			t.Errorf("at %.0f px the row asks for %.0f px of height for %d lines", tc.width, h, tc.lines)
		}
		if w := row.MinSize().Width; w > 100 {
			t.Errorf("the row asks for %.0f px wide, more than its widest part", w)
		}
	}
}

// fixedBox is an object of a fixed minimum size.
type fixedBox struct {
	widget.BaseWidget
	min fyne.Size
}

func newFixedBox(min fyne.Size) *fixedBox {
	b := &fixedBox{min: min}
	b.ExtendBaseWidget(b)
	return b
}

func (b *fixedBox) MinSize() fyne.Size { return b.min }

func (b *fixedBox) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(widget.NewLabel(""))
}
