package ui

// Layouts of the rule editor that fit a narrow window: a row that wraps
// its parts onto more lines instead of growing wider, and a minimum width
// for a part that must show its whole value.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// flowRow lays out objects left to right, each at least its minimum
// width, and starts a new line when the next one would not fit. The room
// left on a line is shared by the weights (one per object; missing ones
// count 1; the last object of a line takes what is left when every weight
// on it is 0). Its minimum width is the widest object's, so it never widens
// its parent; its minimum height is that of the lines it needed at the
// width it was last given (one line before it was first laid out): the
// canvas lays its parent out again when that changes.
type flowRow struct {
	weights []float32
	width   float32 // the width of the last Layout, 0 before it
}

// newFlowRow is a flowRow container of objs with the given weights.
func newFlowRow(weights []float32, objs ...fyne.CanvasObject) *fyne.Container {
	return &fyne.Container{Layout: &flowRow{weights: weights}, Objects: objs}
}

func (f *flowRow) weight(i int) float32 {
	if i < len(f.weights) {
		return max(f.weights[i], 0)
	}
	return 1
}

// lines splits the visible objects into lines at width w (0: one line).
func (f *flowRow) lines(objs []fyne.CanvasObject, w float32) [][]int {
	pad := theme.Padding()
	var out [][]int
	var line []int
	used := float32(0)
	for i, o := range objs {
		if !o.Visible() {
			continue
		}
		mw := o.MinSize().Width
		if len(line) > 0 && w > 0 && used+pad+mw > w {
			out = append(out, line)
			line, used = nil, 0
		}
		if len(line) > 0 {
			used += pad
		}
		line = append(line, i)
		used += mw
	}
	if len(line) > 0 {
		out = append(out, line)
	}
	return out
}

// Layout implements fyne.Layout.
func (f *flowRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	f.width = size.Width
	pad := theme.Padding()
	y := float32(0)
	for _, line := range f.lines(objs, size.Width) {
		var minW, weights, h float32
		for _, i := range line {
			ms := objs[i].MinSize()
			minW += ms.Width
			h = max(h, ms.Height)
			weights += f.weight(i)
		}
		spare := max(size.Width-minW-pad*float32(len(line)-1), 0)
		x := float32(0)
		for k, i := range line {
			w := objs[i].MinSize().Width
			if weights > 0 {
				w += spare * f.weight(i) / weights
			}
			if k == len(line)-1 {
				w = max(size.Width-x, objs[i].MinSize().Width) // no rounding gap at the right edge
			}
			objs[i].Move(fyne.NewPos(x, y))
			objs[i].Resize(fyne.NewSize(w, h))
			x += w + pad
		}
		y += h + pad
	}
}

// MinSize implements fyne.Layout.
func (f *flowRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var size fyne.Size
	lines := f.lines(objs, f.width)
	for n, line := range lines {
		var h float32
		for _, i := range line {
			ms := objs[i].MinSize()
			size.Width = max(size.Width, ms.Width)
			h = max(h, ms.Height)
		}
		size.Height += h
		if n > 0 {
			size.Height += theme.Padding()
		}
	}
	return size
}

// atLeast is a layout that gives its objects the whole room and asks for
// at least Width: a dropdown in it shows its longest choice whole.
type atLeast struct{ Width float32 }

// Layout implements fyne.Layout.
func (a atLeast) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// MinSize implements fyne.Layout.
func (a atLeast) MinSize(objs []fyne.CanvasObject) fyne.Size {
	size := fyne.NewSize(a.Width, 0)
	for _, o := range objs {
		size = size.Max(o.MinSize())
	}
	return size
}
