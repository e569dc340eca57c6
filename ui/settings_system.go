package ui

// The Settings screen's cards about this computer: the SP listener's
// address and base URL (restarted in place), the data directory (shown,
// copied, opened) and the theme.

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// listenerMover is the part of the service that moves the listener with
// its base URL (core.Console has it; without it the base URL is shown
// only and the address alone moves).
type listenerMover interface {
	RestartAt(listenAddr, baseURL string) error
}

// listenerOverride says which command-line flags override the listener
// saved in Settings for this run ("" when none; core.Console has it).
type listenerOverride interface {
	ListenerOverride() string
}

// dataDirService is the part of the service that says where the data
// directory is (core.Console has it).
type dataDirService interface {
	DataDir() string
}

// Labels of the theme choice, in order, and the variants they stand for.
var themeChoices = []struct{ label, variant string }{
	{"System", themeSystem}, {"Light", themeLight}, {"Dark", themeDark},
}

// systemSection is the Settings screen's cards of the listener, the data
// directory and the theme.
type systemSection struct {
	app     *App
	content fyne.CanvasObject

	addr       *widget.Entry
	base       *widget.Entry
	restart    *widget.Button
	listenText *widget.Label
	override   *widget.Label // which flags override the saved listener, hidden without
	loadedBase string        // the base URL the entry was filled with

	dataDir *widget.Label
	openDir *widget.Button
	theme   *widget.RadioGroup
}

func newSystemSection(a *App) *systemSection {
	s := &systemSection{app: a}
	if v := storedThemeVariant(a.fyneApp); v != themeSystem {
		applyThemeVariant(a.fyneApp, v)
	}
	s.content = container.NewVBox(s.listenerCard(), s.dataDirCard(), s.themeCard())
	return s
}

func (s *systemSection) listenerCard() fyne.CanvasObject {
	s.addr = widget.NewEntry()
	s.addr.SetPlaceHolder(core.DefaultListenAddr)
	s.addr.OnSubmitted = func(string) { s.onRestart() }
	s.base = widget.NewEntry()
	s.base.SetPlaceHolder(core.DefaultBaseURL)
	s.base.OnSubmitted = func(string) { s.onRestart() }
	if _, ok := s.app.svc.(listenerMover); !ok {
		s.base.Disable()
	}
	s.restart = widget.NewButtonWithIcon("Apply and restart listener", theme.ViewRefreshIcon(), s.onRestart)
	s.restart.Importance = widget.HighImportance
	s.listenText = wrapped("Reading the listener's state…", widget.LowImportance)

	explain := wrapped("The address the SP listener binds, and the public base URL every SAML URL is built from "+
		"(entity ID, ACS, metadata). IdPs must reach the base URL: when you change it, update the values in your IdPs. "+
		"Applying restarts the listener at once; sign-ins under way fail. The address and base URL applied here are "+
		"remembered for the next launch; --listen and --base-url on the command line override them for one run.", widget.MediumImportance)
	s.override = wrapped("", widget.WarningImportance)
	s.override.Hide()
	if o, ok := s.app.svc.(listenerOverride); ok {
		showText(s.override, o.ListenerOverride(), widget.WarningImportance)
	}
	form := container.New(layout.NewFormLayout(),
		fieldName("Listen on"), s.addr,
		fieldName("Base URL"), s.base)
	return widget.NewCard("SP listener", "Where sign-ins arrive", container.NewVBox(explain,
		container.NewGridWrap(fyne.NewSize(640, form.MinSize().Height), form),
		container.NewHBox(s.restart), s.listenText, s.override))
}

func (s *systemSection) dataDirCard() fyne.CanvasObject {
	dir := ""
	if d, ok := s.app.svc.(dataDirService); ok {
		dir = d.DataDir()
	}
	s.dataDir = mono(orDash(dir))
	s.openDir = widget.NewButtonWithIcon("Open folder", theme.FolderOpenIcon(), func() { s.onOpenDir(dir) })
	buttons := container.NewHBox(s.app.copyButton(dir), s.openDir)
	if dir == "" {
		s.openDir.Disable()
		buttons.Objects[0].(*widget.Button).Disable()
	}
	explain := wrapped("The database (jitconsole.db) and, when there is no OS keyring, the private key files. "+
		"Another data directory is chosen with --data-dir or JITCONSOLE_DATA_DIR.", widget.MediumImportance)
	return widget.NewCard("Data directory", "Where the console keeps its data",
		container.NewVBox(explain, container.NewBorder(nil, nil, nil, buttons, s.dataDir)))
}

func (s *systemSection) themeCard() fyne.CanvasObject {
	labels := make([]string, len(themeChoices))
	current := storedThemeVariant(s.app.fyneApp)
	selected := ""
	for i, c := range themeChoices {
		labels[i] = c.label
		if c.variant == current {
			selected = c.label
		}
	}
	s.theme = widget.NewRadioGroup(labels, nil)
	s.theme.Horizontal = true
	s.theme.Required = true
	s.theme.SetSelected(selected)
	s.theme.OnChanged = s.onTheme
	return widget.NewCard("Appearance", "Remembered on this computer",
		container.NewBorder(nil, nil, fieldName("Theme"), nil, s.theme))
}

// onTheme stores and applies the chosen theme.
func (s *systemSection) onTheme(label string) {
	for _, c := range themeChoices {
		if c.label == label {
			s.app.fyneApp.Preferences().SetString(themePreference, c.variant)
			applyThemeVariant(s.app.fyneApp, c.variant)
			s.app.dashboard.refresh.Trigger() // its counters take their colour from the theme when set
			return
		}
	}
}

// folderURL is the file:// URL of the directory dir, made absolute.
func folderURL(dir string) (*url.URL, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("the absolute path of %q: %w", dir, err)
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/… on Windows
	}
	return &url.URL{Scheme: "file", Path: p}, nil
}

// onOpenDir opens dir in the OS file manager.
func (s *systemSection) onOpenDir(dir string) {
	u, err := folderURL(dir)
	if err == nil {
		err = s.app.fyneApp.OpenURL(u)
	}
	if err != nil {
		s.app.bridge.showErrorNow(core.Errorf(core.EUNAVAILABLE,
			"The folder could not be opened: %v. Copy its path into your file manager instead.", err))
	}
}

// show fills the status and, when fill is set, the entries (the
// Settings screen's load reads the state).
func (s *systemSection) show(st core.ListenerStatus, fill bool) {
	if fill {
		s.addr.SetText(st.Addr)
		s.base.SetText(st.BaseURL)
		s.loadedBase = st.BaseURL
	}
	if st.Running {
		showText(s.listenText, fmt.Sprintf("Running at %s (bound to %s).", st.BaseURL, st.Addr), widget.SuccessImportance)
		return
	}
	why := st.Err
	if why == "" {
		why = "The SP listener is not running."
	}
	showText(s.listenText, "Not running. "+why, widget.DangerImportance)
}

// onRestart moves the listener to the form's address and base URL. An
// unchanged base URL follows the port, as the Dashboard's restart does.
func (s *systemSection) onRestart() {
	addr := strings.TrimSpace(s.addr.Text)
	if _, _, err := net.SplitHostPort(addr); err != nil {
		showText(s.listenText, fmt.Sprintf("%q is not an address like %s.", addr, core.DefaultListenAddr), widget.DangerImportance)
		return
	}
	base := strings.TrimSpace(s.base.Text)
	if base == s.loadedBase {
		base = ""
	} else if _, err := core.CheckBaseURL(base); err != nil {
		showText(s.listenText, errorText(err), widget.DangerImportance)
		return
	}
	s.restart.Disable()
	showText(s.listenText, "Restarting the SP listener on "+addr+"…", widget.LowImportance)
	var st core.ListenerStatus
	a := s.app
	backgroundErr(a, "restart the SP listener on "+addr, func(context.Context) error {
		var err error
		if m, ok := a.svc.(listenerMover); ok {
			err = m.RestartAt(addr, base)
		} else {
			err = a.svc.Restart(addr)
		}
		st = a.svc.Listener()
		return err
	}, func(err error) {
		s.restart.Enable()
		s.show(st, err == nil)
		if err != nil {
			showText(s.listenText, "Not restarted as asked: "+errorText(err), widget.DangerImportance)
		} else if _, ok := a.svc.(listenerMover); ok {
			showText(s.listenText, s.listenText.Text+" Remembered for the next launch.", widget.SuccessImportance)
		}
		a.dashboard.refresh.Trigger() // the endpoints follow
	})
}
