package ui

// The Dashboard's bar chart of sign-ins per minute.

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// barChart draws accepted logins per minute as bars, with a y axis of
// counts and an x axis of times. It is drawn from canvas primitives: no
// chart library.
type barChart struct {
	widget.BaseWidget
	data []core.MinuteCount
	// Empty is shown across the plot when every count is zero.
	Empty string
}

func newBarChart() *barChart {
	c := &barChart{Empty: "No sign-ins in this period"}
	c.ExtendBaseWidget(c)
	return c
}

// SetData replaces the bars, oldest minute first. Call on the UI goroutine.
func (c *barChart) SetData(data []core.MinuteCount) {
	c.data = data
	c.Refresh()
}

// Total is the sum of the counts shown.
func (c *barChart) Total() int {
	n := 0
	for _, m := range c.data {
		n += m.Count
	}
	return n
}

// CreateRenderer implements fyne.Widget.
func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{c: c, empty: canvas.NewText("", color.Black)}
	for i := range r.yLabels {
		r.yLabels[i] = canvas.NewText("", color.Black)
		r.yLabels[i].Alignment = fyne.TextAlignTrailing
		r.grid[i] = canvas.NewLine(color.Black)
	}
	for i := range r.xLabels {
		r.xLabels[i] = canvas.NewText("", color.Black)
	}
	r.empty.Alignment = fyne.TextAlignCenter
	r.Refresh()
	return r
}

type chartRenderer struct {
	c       *barChart
	bars    []*canvas.Rectangle
	grid    [3]*canvas.Line
	yLabels [3]*canvas.Text // 0, half, top
	xLabels [3]*canvas.Text // first, middle, last minute
	empty   *canvas.Text
	top     int // the count at the top of the y axis
	size    fyne.Size
}

const chartTextSize = 11

func (r *chartRenderer) Destroy() {}

func (r *chartRenderer) MinSize() fyne.Size { return fyne.NewSize(320, 170) }

func (r *chartRenderer) Objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, len(r.bars)+10)
	for _, g := range r.grid {
		objs = append(objs, g)
	}
	for _, b := range r.bars {
		objs = append(objs, b)
	}
	for _, t := range r.yLabels {
		objs = append(objs, t)
	}
	for _, t := range r.xLabels {
		objs = append(objs, t)
	}
	return append(objs, r.empty)
}

// Refresh matches the bars to the data and the colours to the theme.
func (r *chartRenderer) Refresh() {
	data := r.c.data
	for len(r.bars) < len(data) {
		r.bars = append(r.bars, canvas.NewRectangle(color.Transparent))
	}
	r.bars = r.bars[:len(data)]

	fg := theme.Color(theme.ColorNameForeground)
	muted := theme.Color(theme.ColorNamePlaceHolder)
	bar := theme.Color(theme.ColorNamePrimary)
	for _, b := range r.bars {
		b.FillColor = bar
		b.CornerRadius = 2
	}
	maxCount := 0
	for _, m := range data {
		maxCount = max(maxCount, m.Count)
	}
	r.top = niceTop(maxCount)
	for i, t := range r.yLabels {
		t.Text = fmt.Sprint(r.top * i / 2)
		t.Color, t.TextSize = muted, chartTextSize
		r.grid[i].StrokeColor, r.grid[i].StrokeWidth = theme.Color(theme.ColorNameSeparator), 1
	}
	for i, t := range r.xLabels {
		t.Text = ""
		t.Color, t.TextSize = muted, chartTextSize
		if len(data) > 0 {
			t.Text = data[(len(data)-1)*i/2].Minute.Local().Format("15:04")
		}
	}
	r.empty.Text, r.empty.Color, r.empty.TextSize = "", fg, theme.TextSize()
	if maxCount == 0 {
		r.empty.Text, r.empty.Color = r.c.Empty, muted
	}
	r.Layout(r.size)
	canvas.Refresh(r.c)
}

// niceTop is the top of the y axis for a largest count of n: the
// smallest round, even number at least n (2, 4, 6, 8, 10, 12, 16, 20, 30,
// 40, 50, 60, 80, 100, 120, …), so that the middle gridline is a whole
// number.
func niceTop(n int) int {
	if n <= 10 {
		return max(2, n+n%2)
	}
	for scale := 10; ; scale *= 10 {
		for _, m := range []int{12, 16, 20, 30, 40, 50, 60, 80, 100} {
			if top := m * scale / 10; top >= n {
				return top
			}
		}
	}
}

func (r *chartRenderer) Layout(size fyne.Size) {
	r.size = size
	pad := theme.Padding()
	labelW := float32(0)
	for _, t := range r.yLabels {
		labelW = max(labelW, t.MinSize().Width)
	}
	textH := r.xLabels[0].MinSize().Height
	left := labelW + 2*pad
	plot := fyne.NewSize(size.Width-left-pad, size.Height-textH-2*pad)
	if plot.Width <= 0 || plot.Height <= 0 {
		return
	}
	top := pad
	bottom := top + plot.Height

	for i, g := range r.grid {
		y := bottom - plot.Height*float32(i)/2
		g.Position1, g.Position2 = fyne.NewPos(left, y), fyne.NewPos(left+plot.Width, y)
		t := r.yLabels[i]
		t.Resize(fyne.NewSize(labelW, textH))
		t.Move(fyne.NewPos(pad, y-textH/2))
	}

	n := len(r.bars)
	if n > 0 {
		slot := plot.Width / float32(n)
		w := max(1, slot*0.7)
		for i, b := range r.bars {
			h := plot.Height * float32(r.c.data[i].Count) / float32(r.top)
			b.Resize(fyne.NewSize(w, h))
			b.Move(fyne.NewPos(left+slot*float32(i)+(slot-w)/2, bottom-h))
		}
		for i, t := range r.xLabels {
			idx := (n - 1) * i / 2
			w := t.MinSize().Width
			x := left + slot*float32(idx) + slot/2 - w/2
			x = min(max(x, left), left+plot.Width-w)
			t.Resize(fyne.NewSize(w, textH))
			t.Move(fyne.NewPos(x, bottom+pad))
		}
	}
	emptyH := max(textH, r.empty.MinSize().Height) // the message is in the body's size, larger than the axes'
	r.empty.Resize(fyne.NewSize(plot.Width, emptyH))
	r.empty.Move(fyne.NewPos(left, top+plot.Height/2-emptyH))
}
