package ui

// The Settings screen's "Demo IdP" card: its switch and whether it serves in
// this run.

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// demoSwitch is the Settings card that switches the built-in demo IdP on
// or off (core's stored setting), and says when the command line or the
// listen address decides for this run instead.
type demoSwitch struct {
	app     *App
	content fyne.CanvasObject

	enabled *widget.Check
	status  *widget.Label
	loading bool // the check is being set from the stored value
}

// newDemoSwitch builds the card; settings.load reads the current state
// and shows it with show.
func newDemoSwitch(a *App) *demoSwitch {
	s := &demoSwitch{app: a}
	s.enabled = widget.NewCheck("The built-in demo IdP signs people in", s.onChanged)
	s.enabled.Disable()
	s.status = widget.NewLabel("Reading the current state…")
	s.status.Importance = widget.LowImportance
	s.status.Wrapping = fyne.TextWrapWord
	explain := wrapped("The demo IdP signs anyone who reaches the SP listener in as any persona, administrators "+
		"included, without a password. Switch it off when the console is not used for demos. Accounts it made stay; "+
		"its connection refuses sign-ins while it is off.", widget.MediumImportance)
	s.content = widget.NewCard("Demo IdP", "The built-in identity provider of the Demo screen",
		container.NewVBox(explain, s.enabled, s.status))
	return s
}

// show puts st on screen, on the UI goroutine.
func (s *demoSwitch) show(st core.DemoIdPState) {
	s.loading = true
	s.enabled.SetChecked(st.Stored)
	s.loading = false
	s.enabled.Enable()
	text, imp := st.Reason, widget.LowImportance
	switch {
	case st.Warning != "":
		text, imp = st.Warning, widget.WarningImportance
	case st.Overridden && st.On != st.Stored:
		text, imp = st.Reason+" The switch applies from the next start without that flag.", widget.WarningImportance
	}
	showText(s.status, text, imp)
}

// onChanged stores the switch in the background; it applies at once.
func (s *demoSwitch) onChanged(on bool) {
	if s.loading {
		return
	}
	s.enabled.Disable()
	a := s.app
	background(a, "switch the demo IdP", func(ctx context.Context) (core.DemoIdPState, error) {
		return a.svc.SetDemoIdPEnabled(ctx, on)
	}, func(st core.DemoIdPState, err error) {
		s.show(st)
		if err != nil {
			showText(s.status, "Not saved: "+errorText(err), widget.DangerImportance)
		}
	})
}
