package ui

// The small widgets and helpers every screen builds with.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// enable enables or disables b.
func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// formRows lays out name, value pairs in two columns.
func formRows(pairs ...string) *fyne.Container {
	rows := container.New(layout.NewFormLayout())
	for i := 0; i+1 < len(pairs); i += 2 {
		v := widget.NewLabel(orDash(pairs[i+1]))
		v.Wrapping = fyne.TextWrapBreak
		v.Selectable = true
		rows.Add(widget.NewLabelWithStyle(pairs[i], fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		rows.Add(v)
	}
	return rows
}

// lowLabel is wrapped secondary text.
func lowLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}

// heading is a bold label.
func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// title is a bold label in the sub-heading size, for the top of a pane.
func title(text string) *widget.Label {
	l := heading(text)
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// wrapped is a word-wrapped label of the given importance.
func wrapped(text string, imp widget.Importance) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = imp
	return l
}

// mono is a selectable monospace label that breaks anywhere, for
// identifiers, URLs and fingerprints.
func mono(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	l.Wrapping = fyne.TextWrapBreak
	l.Selectable = true
	return l
}

// errorLabel is a hidden, wrapped label in the error colour; set and show
// it with showText.
func errorLabel() *widget.Label {
	l := wrapped("", widget.DangerImportance)
	l.Hide()
	return l
}

// showText sets l's text and importance and shows it; an empty text hides
// it.
func showText(l *widget.Label, text string, imp widget.Importance) {
	l.Importance = imp
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// fieldName is the bold, right-aligned name column of a form.
func fieldName(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
}

// writeFile writes data (when read gave it) to the file the person chose
// and closes it. A failure to write or to close comes back as an error
// that names the file.
func writeFile(w fyne.URIWriteCloser, data []byte, read error) error {
	err := read
	if err == nil {
		if _, werr := w.Write(data); werr != nil {
			err = core.Errorf(core.EUNAVAILABLE, "%s could not be written: %v", w.URI().Name(), werr)
		}
	}
	if cerr := w.Close(); err == nil && cerr != nil {
		err = core.Errorf(core.EUNAVAILABLE, "%s could not be written: %v", w.URI().Name(), cerr)
	}
	return err
}

// dialogShare is how much of its window a dialog may cover.
const dialogShare = 0.9

// fitDialog sizes a shown dialog to its window: width wide (or as wide as
// its content needs) and as tall as its content then needs, each no more
// than 90% of the window's. Call it after Show: the content wraps to the
// width first, and its height follows.
func fitDialog(d dialog.Dialog, win fyne.Window, width float32) {
	limit := win.Canvas().Size()
	w := min(max(width, d.MinSize().Width), limit.Width*dialogShare)
	d.Resize(fyne.NewSize(w, d.MinSize().Height))
	d.Resize(fyne.NewSize(w, min(d.MinSize().Height, limit.Height*dialogShare)))
}

// fitWindow is size made no larger than the window parent's canvas (or,
// with no parent size known yet, size itself).
func fitWindow(size fyne.Size, parent fyne.Window) fyne.Size {
	p := parent.Canvas().Size()
	if p.Width <= 0 || p.Height <= 0 {
		return size
	}
	return fyne.NewSize(min(size.Width, p.Width), min(size.Height, p.Height))
}
