package ui

// The scroll wheel over a long form: it scrolls the form wherever the
// pointer is, entries included.

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// wheelScrolls is form scroll s with the wheel scrolling it wherever the
// pointer is. Fyne hands a wheel event to the innermost scrollable object
// under the pointer, and every entry holds a scroller of its own (a
// single-line one scrolls sideways), so over an entry the form stopped.
// Setting the entries' Scroll to ScrollNone would free the wheel but make
// each entry as wide as its text, widening the rows; instead a transparent
// layer over the form takes the wheel and scrolls s. It takes nothing
// else — taps, drags, the cursor shape and keys reach the widgets below.
// Use it for forms of single-line fields: a multi-line entry or a list
// inside s would no longer scroll by wheel on its own.
func wheelScrolls(s *container.Scroll) fyne.CanvasObject {
	return container.NewStack(s, newWheelForward(s))
}

// wheelForward is a transparent, empty widget that passes the wheel to to.
type wheelForward struct {
	widget.BaseWidget
	to fyne.Scrollable
}

func newWheelForward(to fyne.Scrollable) *wheelForward {
	w := &wheelForward{to: to}
	w.ExtendBaseWidget(w)
	return w
}

// Scrolled implements fyne.Scrollable.
func (w *wheelForward) Scrolled(ev *fyne.ScrollEvent) { w.to.Scrolled(ev) }

// MinSize is nothing: the layer takes the size of what it covers.
func (w *wheelForward) MinSize() fyne.Size { return fyne.Size{} }

// CreateRenderer draws nothing.
func (w *wheelForward) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent)) // nil fill panics the software painter
}
