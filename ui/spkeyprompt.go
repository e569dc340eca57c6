package ui

// The windows shown before the console exists: the prompt when the SP's
// private key is lost (make a new key or quit), and the refusal to start.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// SPKeyPrompt is the window's content when the console cannot open because
// the SP's private key is lost while the database remains: it says so and
// lets the admin make a new key (the IdPs then need the SP's new metadata)
// or quit. It is shown before the console exists, so it needs no Service.
type SPKeyPrompt struct {
	Message *widget.Label
	NewKey  *widget.Button
	Quit    *widget.Button
	content fyne.CanvasObject
}

// NewSPKeyPrompt builds the prompt with message (why the console stopped).
// onNewKey runs on the UI goroutine when the admin confirms; it returns
// why the console still cannot open ("" when it opened), which the prompt
// then shows. onQuit runs when the admin quits.
func NewSPKeyPrompt(message string, onNewKey func() string, onQuit func()) *SPKeyPrompt {
	p := &SPKeyPrompt{Message: widget.NewLabel(message)}
	p.Message.Wrapping = fyne.TextWrapWord
	p.NewKey = widget.NewButtonWithIcon("Make a new SP key", theme.ConfirmIcon(), func() {
		p.NewKey.Disable()
		if why := onNewKey(); why != "" {
			p.Message.SetText(why)
		}
	})
	p.NewKey.Importance = widget.DangerImportance
	p.Quit = widget.NewButtonWithIcon("Quit", theme.CancelIcon(), onQuit)
	title := widget.NewLabelWithStyle("The SP's private key is missing", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.content = container.NewPadded(container.NewVBox(title, p.Message,
		widget.NewLabel("A new key changes the SP's certificate: every IdP listed above must get the SP's new metadata before its users can sign in again."),
		container.NewHBox(p.NewKey, p.Quit)))
	return p
}

// Content is the prompt's layout, for Window.SetContent.
func (p *SPKeyPrompt) Content() fyne.CanvasObject { return p.content }

// StartRefusal is the window's content when the console cannot open at all
// (another console uses the data directory; the database is lost or
// damaged): it says why and what to do, and offers to quit.
type StartRefusal struct {
	Message *widget.Label
	Quit    *widget.Button
	content fyne.CanvasObject
}

// NewStartRefusal builds the refusal with message; onQuit runs on Quit.
func NewStartRefusal(message string, onQuit func()) *StartRefusal {
	r := &StartRefusal{Message: widget.NewLabel(message), Quit: widget.NewButtonWithIcon("Quit", theme.CancelIcon(), onQuit)}
	r.Message.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle("JIT Console cannot start", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.content = container.NewPadded(container.NewVBox(title, r.Message, container.NewHBox(r.Quit)))
	return r
}

// Content is the refusal's layout, for Window.SetContent.
func (r *StartRefusal) Content() fyne.CanvasObject { return r.content }
