package ui

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
	"github.com/jitconsole/jitconsole/storage/memstore"
)

// TestSettingsShowsDataDir: the data directory the console was opened
// with is shown on the Settings screen; its copy button copies it and
// "Open folder" opens it without an error.
func TestSettingsShowsDataDir(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Settings")
	s := h.app.settings.system
	dir := h.con.DataDir()
	if dir == "" || s.dataDir.Text != dir || !shows(h.app.settings.content, dir) {
		t.Fatalf("the data directory shown is %q, the console's %q", s.dataDir.Text, dir)
	}
	tapped := false
	for _, b := range buttonsIn(s.content) { // the copy button is the one without a text
		if b.Text == "" {
			test.Tap(b)
			tapped = true
		}
	}
	if got := h.app.fyneApp.Clipboard().Content(); !tapped || got != dir {
		t.Errorf("the copy button copied %q, want %q", got, dir)
	}
	if s.openDir.Disabled() {
		t.Fatal("Open folder is disabled")
	}
	test.Tap(s.openDir)
	if top := h.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("Open folder showed %q", texts(top))
	}
}

// TestFolderURL: the folder's URL is an absolute file:// URL.
func TestFolderURL(t *testing.T) {
	dir := t.TempDir()
	u, err := folderURL(filepath.Join(dir, "a b"))
	if err != nil {
		t.Fatal(err)
	}
	want := "file://" + filepath.ToSlash(filepath.Join(dir, "a b"))
	if !strings.HasPrefix(want, "file:///") {
		want = "file:///" + strings.TrimPrefix(want, "file://")
	}
	if u.Scheme != "file" || "file://"+u.Path != want || !strings.Contains(u.String(), "a%20b") {
		t.Errorf("folderURL = %s (path %q), want %s", u, u.Path, want)
	}
}

// TestSettingsThemeIsRememberedAndApplied: choosing Dark stores "dark" in
// the preferences and draws dark; a Settings screen made again starts
// with Dark chosen; System gives the default theme back.
func TestSettingsThemeIsRememberedAndApplied(t *testing.T) {
	h := newHarness(t, nil)
	a := h.app.fyneApp
	old := a.Settings().Theme()
	t.Cleanup(func() {
		a.Preferences().RemoveValue(themePreference)
		a.Settings().SetTheme(old)
	})
	s := h.app.settings.system
	if s.theme.Selected != "System" {
		t.Fatalf("the theme chosen at first is %q, want System", s.theme.Selected)
	}
	s.theme.SetSelected("Dark")
	if got := a.Preferences().String(themePreference); got != themeDark {
		t.Errorf("the preference is %q, want %q", got, themeDark)
	}
	dark := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark)
	if got := a.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantLight); got != dark {
		t.Errorf("after Dark the background is %v, want the dark %v", got, dark)
	}
	// Still the console's readable theme, not Fyne's stock one.
	readable := newConsoleTheme().Color(theme.ColorNameDisabled, theme.VariantDark)
	if got := a.Settings().Theme().Color(theme.ColorNameDisabled, theme.VariantLight); got != readable {
		t.Errorf("after Dark the low-importance text is %v, want the console theme's %v", got, readable)
	}

	again := newSystemSection(h.app)
	if again.theme.Selected != "Dark" {
		t.Errorf("a new Settings screen shows %q, want Dark", again.theme.Selected)
	}

	s.theme.SetSelected("Light")
	light := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantLight)
	if got := a.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantDark); got != light {
		t.Errorf("after Light the background is %v, want the light %v", got, light)
	}
	s.theme.SetSelected("System")
	if got := a.Preferences().String(themePreference); got != themeSystem {
		t.Errorf("the preference is %q, want %q", got, themeSystem)
	}
	if _, console := a.Settings().Theme().(*consoleTheme); !console {
		t.Errorf("System sets %T, want the console's theme", a.Settings().Theme())
	}
	if _, fixed := a.Settings().Theme().(fixedVariant); fixed {
		t.Error("System keeps a fixed variant")
	}
}

// TestSettingsMovesListenerAndBaseURL: the listener's card shows the
// address and base URL; a bad base URL is refused at the card with the
// listener left alone; a new address and base URL restart the listener in
// place and the SP's URLs follow.
func TestSettingsMovesListenerAndBaseURL(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Settings")
	s := h.app.settings.system
	before := h.con.Listener()
	h.waitFor("the listener's state", func() bool { return s.addr.Text == before.Addr && s.base.Text == before.BaseURL })
	if !strings.HasPrefix(s.listenText.Text, "Running at "+before.BaseURL) {
		t.Errorf("the status says %q", s.listenText.Text)
	}

	s.base.SetText("sso.example.test")
	test.Tap(s.restart)
	if !strings.Contains(s.listenText.Text, "is not a base URL") {
		t.Errorf("a bad base URL: %q", s.listenText.Text)
	}
	if st := h.con.Listener(); st != before {
		t.Errorf("a bad base URL moved the listener: %+v, was %+v", st, before)
	}

	s.addr.SetText("127.0.0.1:0")
	s.base.SetText("https://sso.example.test/")
	test.Tap(s.restart)
	h.waitFor("the restart", func() bool { return !s.restart.Disabled() })
	st := h.con.Listener()
	if !st.Running || st.Addr == before.Addr || st.BaseURL != "https://sso.example.test" {
		t.Fatalf("after the restart: %+v, was %+v", st, before)
	}
	if !strings.HasPrefix(s.listenText.Text, "Running at https://sso.example.test") || s.addr.Text != st.Addr ||
		!strings.HasSuffix(s.listenText.Text, "Remembered for the next launch.") {
		t.Errorf("the card shows %q, address %q", s.listenText.Text, s.addr.Text)
	}
	if acs := h.con.Endpoints(core.DemoSlug).ACSURL; acs != "https://sso.example.test/saml/demo/acs" {
		t.Errorf("the ACS URL is %q", acs)
	}
	d := h.app.dashboard
	h.waitFor("the dashboard's endpoints", func() bool { return shows(d.idpCards, "https://sso.example.test/saml/demo/acs") })
}

var _ fyne.Theme = fixedVariant{}

// TestSettingsSaysWhenAFlagOverridesTheSavedListener saves a listener
// through one console, then opens another on the same store as main does
// with --listen: the card says the flag overrides it for this run.
func TestSettingsSaysWhenAFlagOverridesTheSavedListener(t *testing.T) {
	ctx := context.Background()
	store, keys := memstore.New(nil), storage.NewFileKeyStore(t.TempDir())
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	first, err := core.New(ctx, core.Options{Store: store, Keys: keys, ListenAddr: "127.0.0.1:0", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	if err := first.RestartAt("127.0.0.1:0", "http://localhost:7777"); err != nil {
		t.Fatal(err)
	}
	first.Close()
	con, err := core.New(ctx, core.Options{Store: store, Keys: keys, ListenAddr: "127.0.0.1:0", Logger: quiet,
		UseSavedListener: true, ListenAddrSet: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { con.Close() })
	h := newHarnessFor(t, con, nil)
	s := h.app.settings.system
	if !s.override.Visible() || !strings.Contains(s.override.Text, "--listen 127.0.0.1:0 (saved: 127.0.0.1:") {
		t.Errorf("the override line: shown %t, %q", s.override.Visible(), s.override.Text)
	}
	plain := newHarness(t, nil).app.settings.system
	if plain.override.Visible() {
		t.Errorf("no flag, yet the card says %q", plain.override.Text)
	}
}
