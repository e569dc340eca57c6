package ui

// Screens drawn on first view. The navigation's tabs measure every
// screen for the window's minimum size, which builds each screen's
// renderers and shapes all of its text (loading the fonts of every style
// it uses) at launch. Wrapping the screens that are not shown first in a
// lazyScreen defers that until the screen is first shown: launch is
// quicker and the idle window holds less memory (issue 10, section 5).

import (
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// lazyScreen holds a screen's content out of the widget tree until the
// navigation first shows it. Before that it is empty and has no minimum
// size; after it, it is the content.
type lazyScreen struct {
	widget.BaseWidget
	content fyne.CanvasObject
	shown   atomic.Bool
	box     *fyne.Container
}

// newLazyScreen wraps content, which is drawn on the first Show.
func newLazyScreen(content fyne.CanvasObject) *lazyScreen {
	l := &lazyScreen{content: content, box: container.NewStack()}
	l.ExtendBaseWidget(l)
	return l
}

// Show draws the screen's content from now on.
func (l *lazyScreen) Show() {
	if !l.shown.Swap(true) {
		l.box.Add(l.content)
	}
	l.BaseWidget.Show()
}

// CreateRenderer draws the box, which holds the content once shown.
func (l *lazyScreen) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(l.box)
}

// screenOf is the screen shown by a navigation tab: its content, whether
// or not it was drawn yet.
func screenOf(t *container.TabItem) fyne.CanvasObject {
	if l, ok := t.Content.(*lazyScreen); ok {
		return l.content
	}
	return t.Content
}
