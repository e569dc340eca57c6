package ui

// The Settings screen's "Browser binding of sign-ins" card: whether login
// CSRF protection works with the current base URL.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// browserBinder is the part of the service that says whether SP-initiated
// sign-ins are bound to the browser that started them (core.Console has
// it; a service without it shows no card).
type browserBinder interface {
	BrowserBinding() (on bool, why string)
}

// bindingCard says, on the Settings screen, whether login CSRF protection
// (the browser binding of sign-ins) works with the current base URL, and
// what to do when it does not.
func (s *settings) bindingCard() fyne.CanvasObject {
	b, ok := s.app.svc.(browserBinder)
	if !ok {
		return widget.NewLabel("")
	}
	on, why := b.BrowserBinding()
	text := wrapped("Each sign-in started at a login link is bound to the browser that started it, so that "+
		"nobody can sign someone else in to their own account (login CSRF).", widget.MediumImportance)
	if !on {
		text = wrapped(why, widget.WarningImportance)
	}
	return widget.NewCard("Browser binding of sign-ins", "From the base URL", text)
}
