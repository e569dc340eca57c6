package ui

// The Settings screen (tab "Settings"): its controller and the allowed clock
// skew card. Its other cards are in settings_binding.go, settings_demo.go
// and settings_storage.go.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// maxClockSkew is the largest allowed clock skew the form accepts, as core
// does.
const maxClockSkew = 30 * time.Minute

// settings is the Settings screen: the console-wide settings, today the
// allowed clock skew of the ACS.
type settings struct {
	app     *App
	content fyne.CanvasObject

	skew     *widget.Entry
	save     *widget.Button
	reset    *widget.Button
	status   *widget.Label
	current  time.Duration // the saved value, once read
	hasValue bool
	demo     *demoSwitch // the demo IdP's card (settings_demo.go)
	storage  *storageSection
	system   *systemSection // listener, data directory, theme (settings_system.go)
	tls      *tlsSection    // HTTPS of the listener (settings_tls.go)
}

func newSettings(a *App) *settings {
	s := &settings{app: a}
	s.content = s.build()
	s.follow() // settings_follow.go
	return s
}

func (s *settings) build() fyne.CanvasObject {
	s.skew = widget.NewEntry()
	s.skew.SetPlaceHolder(strconv.Itoa(int(core.DefaultClockSkew / time.Second)))
	s.skew.OnSubmitted = func(string) { s.onSave() }
	s.skew.OnChanged = func(string) { s.onEdited() }
	s.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	s.save.Disable()
	s.reset = widget.NewButtonWithIcon(fmt.Sprintf("Default (%d s)", int(core.DefaultClockSkew/time.Second)), theme.ContentUndoIcon(), func() {
		s.skew.SetText(strconv.Itoa(int(core.DefaultClockSkew / time.Second)))
	})
	s.status = widget.NewLabel("Reading the current value…")
	s.status.Importance = widget.LowImportance
	s.status.Wrapping = fyne.TextWrapWord

	explain := wrapped("Every assertion carries validity times written by the IdP's clock: NotBefore, NotOnOrAfter, "+
		"IssueInstant. When the IdP's clock and this computer's differ, good sign-ins are refused as “expired” or "+
		"“not yet valid”. The allowed skew is how much difference is tolerated, both ways.\n\n"+
		"Keep it small: it also lengthens the time a captured response can be used. 180 seconds is the default; raise it "+
		"only when the Activity screen's time ruler shows the IdP's clock off and you cannot fix it (NTP). "+
		"Saving restarts the SP listener for a moment.", widget.MediumImportance)
	row := container.NewBorder(nil, nil, fieldName("Allowed clock skew"),
		container.NewHBox(widget.NewLabel("seconds"), s.reset, s.save), s.skew)
	skewCard := widget.NewCard("Allowed clock skew", "For every identity provider",
		container.NewVBox(explain, container.NewGridWrap(fyne.NewSize(640, row.MinSize().Height), row), s.status))

	head := container.NewBorder(nil, nil, widget.NewIcon(theme.SettingsIcon()), nil, title("Settings"))
	s.demo = newDemoSwitch(s.app)
	s.storage = newStorageSection(s.app)
	s.system = newSystemSection(s.app)
	s.tls = newTLSSection(s.app)
	return container.NewVScroll(container.NewPadded(container.NewVBox(head, s.system.content, s.tls.content, skewCard, s.bindingCard(), s.demo.content,
		s.storage.content, layout.NewSpacer())))
}

// load reads the saved skew, the demo IdP switch and the listener's state
// in the background.
func (s *settings) load() {
	s.storage.load()
	a := s.app
	var demo core.DemoIdPState
	var listener core.ListenerStatus
	background(a, "read the settings", func(ctx context.Context) (time.Duration, error) {
		demo = a.svc.DemoIdP(ctx)
		listener = a.svc.Listener()
		return a.svc.ClockSkew(ctx), nil
	}, func(d time.Duration, _ error) {
		s.demo.show(demo)
		s.system.show(listener, true)
		s.tls.show()
		s.current, s.hasValue = d, true
		s.skew.SetText(strconv.Itoa(int(d / time.Second)))
		showText(s.status, "Responses may now be up to "+seconds(d)+" early or late.", widget.LowImportance)
		s.onEdited()
	})
}

// edited is the entry's skew; err says what is wrong with it.
func (s *settings) edited() (time.Duration, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s.skew.Text))
	d := time.Duration(n) * time.Second
	if err != nil || d < 0 || d > maxClockSkew {
		return 0, core.Errorf(core.EINVALID, "The allowed clock skew must be a whole number of seconds from 0 to %d.", int(maxClockSkew/time.Second))
	}
	return d, nil
}

func (s *settings) onEdited() {
	d, err := s.edited()
	if s.hasValue && (err != nil || d != s.current) {
		s.save.Enable()
	} else {
		s.save.Disable()
	}
}

// onSave stores the skew in the background (the listener restarts).
func (s *settings) onSave() {
	d, err := s.edited()
	if err != nil {
		showText(s.status, errorText(err), widget.DangerImportance)
		return
	}
	s.save.Disable()
	showText(s.status, "Saving and restarting the SP listener…", widget.LowImportance)
	a := s.app
	background(a, "save the clock skew", func(ctx context.Context) (time.Duration, error) {
		err := a.svc.SetClockSkew(ctx, d)
		return a.svc.ClockSkew(ctx), err
	}, func(saved time.Duration, err error) {
		s.current = saved
		switch {
		case err != nil && saved == d:
			showText(s.status, "Saved, but the SP listener did not restart: "+errorText(err), widget.DangerImportance)
		case err != nil:
			showText(s.status, "Not saved: "+errorText(err), widget.DangerImportance)
		default:
			showText(s.status, "Saved: responses may now be up to "+seconds(saved)+" early or late.", widget.SuccessImportance)
		}
		s.onEdited()
	})
}

// seconds is "180 seconds".
func seconds(d time.Duration) string { return plural(int(d/time.Second), "second", "seconds") }
