package ui

// A progress bar whose empty part looks empty in both theme variants.

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// progressBar shows Value (0 to 1) as a filled part of a track, with the
// percentage beside it. Fyne's ProgressBar paints its track in the primary
// colour at half strength, which in the dark variant reads as a full bar
// at 0%; this one's track is the input background with the input border,
// like an empty field, and only the done part is in the primary colour.
// The percentage sits beside the bar, in the foreground colour on the
// window's background, so that it is readable whatever it overlaps.
type progressBar struct {
	widget.BaseWidget

	// Value is the fraction done, from 0 to 1; set it with SetValue.
	Value float64
}

// newProgressBar is an empty progress bar.
func newProgressBar() *progressBar {
	p := &progressBar{}
	p.ExtendBaseWidget(p)
	return p
}

// SetValue sets the fraction done (clamped to 0..1) and redraws.
func (p *progressBar) SetValue(v float64) {
	p.Value = min(max(v, 0), 1)
	p.Refresh()
}

// CreateRenderer draws the track, the fill and the percentage.
func (p *progressBar) CreateRenderer() fyne.WidgetRenderer {
	r := &progressRenderer{bar: p, track: canvas.NewRectangle(nil), fill: canvas.NewRectangle(nil), label: canvas.NewText("", nil)}
	r.applyTheme()
	return r
}

// progressRenderer draws a progressBar.
type progressRenderer struct {
	bar   *progressBar
	track *canvas.Rectangle
	fill  *canvas.Rectangle
	label *canvas.Text
}

// labelWidth is room for "100%".
func (r *progressRenderer) labelWidth() float32 {
	return fyne.MeasureText("100%", r.label.TextSize, r.label.TextStyle).Width
}

func (r *progressRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	trackW := max(size.Width-r.labelWidth()-pad, 0)
	r.track.Move(fyne.NewPos(0, 0))
	r.track.Resize(fyne.NewSize(trackW, size.Height))
	r.fill.Move(fyne.NewPos(0, 0))
	r.fill.Resize(fyne.NewSize(trackW*float32(r.bar.Value), size.Height))
	r.label.Move(fyne.NewPos(trackW+pad, 0))
	r.label.Resize(fyne.NewSize(r.labelWidth(), size.Height))
}

func (r *progressRenderer) MinSize() fyne.Size {
	h := fyne.MeasureText("100%", r.label.TextSize, r.label.TextStyle).Height + 2*theme.InnerPadding()
	return fyne.NewSize(r.labelWidth()*3+theme.Padding(), h)
}

// applyTheme takes the colours and sizes of the bar's theme.
func (r *progressRenderer) applyTheme() {
	th := r.bar.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	radius := th.Size(theme.SizeNameInputRadius)
	r.track.FillColor = th.Color(theme.ColorNameInputBackground, v)
	r.track.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
	r.track.StrokeWidth = th.Size(theme.SizeNameInputBorder)
	r.track.CornerRadius = radius
	r.fill.FillColor = th.Color(theme.ColorNamePrimary, v)
	r.fill.CornerRadius = radius
	r.label.Color = th.Color(theme.ColorNameForeground, v)
	r.label.TextSize = th.Size(theme.SizeNameText)
	r.label.Alignment = fyne.TextAlignTrailing
	r.label.Text = fmt.Sprintf("%d%%", int(r.bar.Value*100))
	r.fill.Hidden = r.bar.Value <= 0
}

func (r *progressRenderer) Refresh() {
	r.applyTheme()
	r.Layout(r.bar.Size())
	canvas.Refresh(r.bar)
}

func (r *progressRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.track, r.fill, r.label}
}

func (r *progressRenderer) Destroy() {}
