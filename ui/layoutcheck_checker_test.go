package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// placed is o at pos with size, for layouts without a layout.
func placed(o fyne.CanvasObject, x, y, w, h float32) fyne.CanvasObject {
	o.Move(fyne.NewPos(x, y))
	o.Resize(fyne.NewSize(w, h))
	return o
}

// TestLayoutCheckerFinds proves the checker on small hand-built layouts:
// each broken one gives the finding it should, and nothing else; the
// sound ones give none.
func TestLayoutCheckerFinds(t *testing.T) {
	clipped := widget.NewLabel("a label far too long for its box")
	clipped.Truncation = fyne.TextTruncateClip
	ellipsis := widget.NewLabel("a label far too long for its box")
	ellipsis.Truncation = fyne.TextTruncateEllipsis

	cases := []struct {
		name    string
		content func() fyne.CanvasObject
		want    []string // kind and a part of the path, per finding
	}{
		{"sound form", func() fyne.CanvasObject {
			return container.NewVBox(widget.NewLabel("Name"), widget.NewEntry(),
				container.NewHBox(layout.NewSpacer(), widget.NewButton("Save", nil)))
		}, nil},
		{"two labels overlap", func() fyne.CanvasObject {
			return container.NewWithoutLayout(
				placed(widget.NewLabel("NameID alice@example.com"), 10, 10, 240, 36),
				placed(widget.NewLabel("demo · accepted"), 120, 12, 200, 36))
		}, []string{`overlap: overlap test › label "NameID alice@example.com"`}},
		{"touching neighbours", func() fyne.CanvasObject {
			return container.NewWithoutLayout(
				placed(widget.NewLabel("left"), 10, 10, 100, 36),
				placed(widget.NewLabel("right"), 109, 10, 100, 36))
		}, nil},
		{"button pushed out of the window", func() fyne.CanvasObject {
			return container.NewWithoutLayout(
				placed(widget.NewLabel("Rule 1"), 0, 0, 80, 36),
				placed(widget.NewButton("Delete", nil), 360, 0, 80, 36))
		}, []string{`cut off: overlap test › button "Delete"`}},
		{"button below the fold of a vertical scroll", func() fyne.CanvasObject {
			return container.NewVScroll(container.NewVBox(
				placed(widget.NewLabel("top"), 0, 0, 0, 0),
				container.NewGridWrap(fyne.NewSize(300, 600), widget.NewLabel("tall")),
				widget.NewButton("Below the fold", nil)))
		}, nil},
		{"button cut across a vertical scroll", func() fyne.CanvasObject {
			return container.NewVScroll(container.NewWithoutLayout(
				placed(widget.NewButton("Remove", nil), 350, 10, 100, 36)))
		}, []string{`cut off: overlap test › scroll › button "Remove"`}},
		{"button across a horizontal scroll", func() fyne.CanvasObject {
			return container.NewHScroll(container.NewHBox(
				container.NewGridWrap(fyne.NewSize(600, 40), widget.NewLabel("wide")),
				widget.NewButton("Far right", nil)))
		}, nil},
		{"button cut by a split pane", func() fyne.CanvasObject {
			left := container.NewWithoutLayout(placed(widget.NewButton("Up", nil), 150, 0, 60, 36))
			sp := container.NewHSplit(left, widget.NewLabel("right"))
			sp.Offset = 0.2
			return sp
		}, []string{`cut off: overlap test › hsplit › button "Up"`}},
		{"label clipped without an ellipsis", func() fyne.CanvasObject {
			return container.NewWithoutLayout(placed(clipped, 0, 0, 80, 36))
		}, []string{`truncated: overlap test › label "a label far too long for its box"`}},
		{"label with an ellipsis outside a table", func() fyne.CanvasObject {
			return container.NewWithoutLayout(placed(ellipsis, 0, 0, 80, 36))
		}, []string{`truncated: overlap test › label "a label far too long for its box"`}},
		{"label with an ellipsis in a table cell", func() fyne.CanvasObject {
			tbl := widget.NewTable(func() (int, int) { return 3, 2 },
				func() fyne.CanvasObject {
					l := widget.NewLabel("")
					l.Truncation = fyne.TextTruncateEllipsis
					return l
				},
				func(id widget.TableCellID, o fyne.CanvasObject) {
					o.(*widget.Label).SetText("a value much too long for a narrow column of the table")
				})
			tbl.SetColumnWidth(0, 120)
			tbl.SetColumnWidth(1, 120)
			return tbl
		}, nil},
		{"button squeezed below its size", func() fyne.CanvasObject {
			return container.NewWithoutLayout(placed(widget.NewButton("Preview impact", nil), 0, 0, 40, 36))
		}, []string{`truncated: overlap test › button "Preview impact"`}},
		{"content bigger than the window", func() fyne.CanvasObject {
			return container.NewGridWrap(fyne.NewSize(500, 100), widget.NewLabel("wide"))
		}, []string{`too big: overlap test`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := test.NewTempWindow(t, c.content())
			w.SetPadded(false)
			w.Resize(fyne.NewSize(400, 300))
			got := checkCanvas("overlap test", w.Canvas())
			if len(got) != len(c.want) {
				t.Fatalf("%d findings, want %d: %v", len(got), len(c.want), got)
			}
			for i, f := range got {
				if !strings.HasPrefix(f.String(), c.want[i]) {
					t.Errorf("finding %q, want one starting %q", f, c.want[i])
				}
			}
		})
	}
}

// TestLayoutCheckerOverlay checks a dialog as a layer of its own: it may
// cover the window's widgets, but not have its own drawn over each other.
func TestLayoutCheckerOverlay(t *testing.T) {
	w := test.NewTempWindow(t, container.NewVBox(widget.NewLabel("under the dialog"), widget.NewButton("Behind", nil)))
	w.Resize(fyne.NewSize(400, 300))
	pop := widget.NewModalPopUp(container.NewWithoutLayout(
		placed(widget.NewButton("OK", nil), 0, 0, 80, 36),
		placed(widget.NewButton("Cancel", nil), 40, 0, 80, 36)), w.Canvas())
	pop.Show()
	got := checkCanvas("dialog test", w.Canvas())
	if len(got) != 1 || got[0].kind != "overlap" || !strings.Contains(got[0].path, "overlay 1") {
		t.Fatalf("findings %v, want one overlap in the overlay", got)
	}
}

// TestLayoutCheckerTabs checks that a window held big by a tab is that
// tab's finding, not every tab's.
func TestLayoutCheckerTabs(t *testing.T) {
	wide := container.NewGridWrap(fyne.NewSize(600, 100), widget.NewLabel("wide"))
	tabs := container.NewAppTabs(
		container.NewTabItem("Small", widget.NewLabel("fits")),
		container.NewTabItem("Wide", wide))
	w := test.NewTempWindow(t, tabs)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(400, 300))
	if got := checkCanvas("tabs test", w.Canvas()); len(got) != 0 {
		t.Errorf("the small tab shown: findings %v, want none", got)
	}
	tabs.SelectIndex(1)
	got := checkCanvas("tabs test", w.Canvas())
	var kinds []string
	for _, f := range got {
		kinds = append(kinds, f.kind+": "+f.path)
	}
	want := []string{`too big: tabs test › tab "Wide"`, "too big: tabs test"}
	if strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Errorf("the wide tab shown: findings %v, want %q", got, want)
	}
}
