package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// copyRows is a form of values to paste into another system (the SP's
// values for an IdP's admin console), each in monospace with a copy button
// and an optional note under it. The IdP wizard and the IdP detail show
// the same rows.
type copyRows struct {
	app    *App
	box    *fyne.Container
	copies map[string]*widget.Button // by row name, for tests
}

// newCopyRows makes an empty form.
func newCopyRows(a *App) *copyRows {
	return &copyRows{app: a, box: container.New(layout.NewFormLayout()), copies: map[string]*widget.Button{}}
}

// add appends the row name: value, with note ("" for none) under it.
func (c *copyRows) add(name, value, note string) {
	b := c.app.copyButton(value)
	c.copies[name] = b
	var v fyne.CanvasObject = mono(value)
	if note != "" {
		v = container.NewVBox(v, wrapped(note, widget.LowImportance))
	}
	c.box.Add(fieldName(name))
	c.box.Add(container.NewBorder(nil, nil, nil, container.NewVBox(b), v))
}
