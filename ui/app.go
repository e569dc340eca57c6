// Package ui is the Fyne desktop interface of JIT Console: the window, its
// navigation and one controller per screen (Dashboard, Identity Providers,
// Mapping Rules, Users, Activity, Demo, Settings), plus the assertion
// validator's window.
//
// ui talks only to core's service API, through the Service interface; it
// knows nothing of SQL, storage or SAML internals. It never imports
// fyne.io/fyne/v2/app (only main.go does), so its tests run without a
// display and even with CGO_ENABLED=0. Work that may take time (database
// reads, the simulation) runs in goroutines; its results reach widgets only
// through the bridge (bridge.go), which is fyne.Do in the running app.
package ui

import (
	"context"
	"image/color"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// Service is the part of core's service API the screens use. *core.Console
// implements it.
type Service interface {
	// Listener reports whether the SP listener serves, and where.
	Listener() core.ListenerStatus
	// Restart moves the SP listener to another address.
	Restart(listenAddr string) error
	// Subscribe delivers live events until the returned function is called.
	Subscribe(buffer int) (<-chan core.Event, func())
	// KeyWarning is "" when private keys are in the OS keyring, otherwise a
	// sentence saying where they are and why.
	KeyWarning() string

	IdPs(ctx context.Context) ([]core.IdP, error)
	Endpoints(slug string) core.Endpoints
	// PreviewMetadata validates metadata and describes it, saving nothing.
	PreviewMetadata(ctx context.Context, in core.MetadataInput) (core.MetadataPreview, error)
	ImportIdP(ctx context.Context, req core.ImportRequest) (core.IdP, core.MetadataPreview, error)
	UpdateIdP(ctx context.Context, idp core.IdP) (core.IdP, error)
	RefreshIdP(ctx context.Context, slug string) (core.IdP, error)
	RemoveIdP(ctx context.Context, slug string) error
	SPMetadataXML(ctx context.Context, slug string) ([]byte, error)
	// CreateDraftIdP, PreviewImport and IdPHealth serve the "Connect an
	// IdP" wizard and the list's health badges.
	CreateDraftIdP(ctx context.Context, req core.DraftRequest) (core.IdP, error)
	PreviewImport(ctx context.Context, req core.ImportRequest) (core.ImportPreview, error)
	IdPHealth(ctx context.Context, idp core.IdP) (core.IdPHealth, error)
	ClockSkew(ctx context.Context) time.Duration
	SetClockSkew(ctx context.Context, d time.Duration) error

	// Recordings lists flight recorder entries, newest first, without
	// their raw responses; Recording decodes one for display.
	Recordings(ctx context.Context, f core.RecordingFilter) ([]core.Recording, error)
	Recording(ctx context.Context, id int64) (core.RecordingView, error)
	// CheckAgainstIdP validates a response against a connected IdP (its
	// metadata and the SP's key); empty audience and ACS take the console's
	// own values for it. Nothing is created or changed.
	CheckAgainstIdP(ctx context.Context, slug string, opts core.CheckOptions) (core.CheckReport, error)

	Users(ctx context.Context, f core.UserFilter) ([]core.User, error)
	User(ctx context.Context, id int64) (core.UserDetail, error)
	// GrantRole and RevokeRole manage manual (pinned) grants.
	GrantRole(ctx context.Context, userID int64, role string) error
	RevokeRole(ctx context.Context, userID int64, role string) error
	SetUsersDisabled(ctx context.Context, ids []int64, disabled bool) (int, error)
	// CountUsers counts what a filter selects, its Limit and Offset aside;
	// ForEachMatchingUser reads all of it in batches, newest first;
	// SetMatchingUsersDisabled disables (or enables) all of it in one
	// change with one audit event.
	CountUsers(ctx context.Context, f core.UserFilter) (int, error)
	ForEachMatchingUser(ctx context.Context, f core.UserFilter, fn func(core.User) error) error
	SetMatchingUsersDisabled(ctx context.Context, f core.UserFilter, disabled bool) (int, error)
	DeleteUser(ctx context.Context, id int64) error

	// The role catalogue.
	Roles(ctx context.Context) ([]core.RoleInfo, error)
	SaveRole(ctx context.Context, name, description string) error
	RenameRole(ctx context.Context, oldName, newName string) error
	DeleteRole(ctx context.Context, name string) error

	// SaveMapping validates and stores an IdP's mapping and revokes the
	// grants of the saved rules revokeRuleIDs, as one change (it returns
	// how many grants went); it applies from the next sign-in. ApplyNowProgress
	// re-evaluates the stored attributes of the IdP's accounts with the
	// saved mapping at once.
	SaveMapping(ctx context.Context, slug string, m core.Mapping, revokeRuleIDs []string) (core.IdP, int, error)
	ApplyNowProgress(ctx context.Context, slug string, progress core.ImpactProgress) (core.Impact, error)
	// PreviewImpactProgress evaluates m, unsaved, against every account's
	// last attributes. Both tell progress how far they are and stop when
	// ctx is cancelled.
	PreviewImpactProgress(ctx context.Context, slug string, m core.Mapping, progress core.ImpactProgress) (core.Impact, error)
	// TestRules and TestRulesOnResponse evaluate m, unsaved, against a
	// recorded sign-in or a pasted response.
	TestRules(ctx context.Context, slug string, m core.Mapping, recordingID int64) (core.RuleTest, error)
	TestRulesOnResponse(ctx context.Context, slug string, m core.Mapping, response []byte) (core.RuleTest, core.CheckReport, error)
	// AuditLog lists admin changes, newest first.
	AuditLog(ctx context.Context, limit int) ([]core.Event, error)
	Stats(ctx context.Context) (core.Stats, error)
	LoginsPerMinute(ctx context.Context, minutes int) ([]core.MinuteCount, error)
	RecentEvents(ctx context.Context, n int) ([]core.Event, error)

	Personas(ctx context.Context) ([]core.Persona, error)
	SavePersona(ctx context.Context, p core.Persona) error
	// MintPersonaSignIn returns a one-time login URL that signs persona
	// id in at the demo IdP without its picker.
	MintPersonaSignIn(ctx context.Context, id string) (string, error)
	SimulateOnboarding(ctx context.Context, count, concurrency int, progress func(core.SimProgress)) (core.SimResult, error)
	// DemoIdP says whether the demo IdP serves in this run, and why;
	// SetDemoIdPEnabled stores its switch (Settings).
	DemoIdP(ctx context.Context) core.DemoIdPState
	SetDemoIdPEnabled(ctx context.Context, on bool) (core.DemoIdPState, error)
	RetentionService
}

// WindowTitle is the title of the console's window.
const WindowTitle = "JIT Console"

// App is the console's window content: navigation, the key warning banner
// and the screens. Create makes it; Close (also run when the window closes)
// ends its background work.
type App struct {
	fyneApp fyne.App
	win     fyne.Window
	svc     Service
	bridge  *bridge
	feed    *feed
	log     *slog.Logger // nil for slog.Default(); see logFailure

	ctx     context.Context
	cancel  context.CancelFunc
	refresh time.Duration // the screens' throttles' interval

	dashboard *dashboard
	idps      *idps
	rules     *rules
	users     *users
	activity  *activity
	demo      *demo
	settings  *settings
	validator *validator // the validator's window, nil until opened

	// findBrowser checks that a browser can be opened (nil:
	// systemBrowserOpener); noBrowser is the last "No web browser could
	// be opened" dialog shown (openurl.go).
	findBrowser browserOpener
	noBrowser   dialog.Dialog

	tabs    *container.AppTabs
	banner  fyne.CanvasObject // nil without a key warning
	warning *widget.Label     // the banner's sentence
	keyMove *widget.Button    // the banner's "Move into the keyring", nil when not offered

	memory  memoryReturner // gives memory back after big jobs (memory.go)
	settled *time.Timer    // returns launch's memory once the window settled

	closeOnce sync.Once
}

// Create builds the whole window content of w over svc, sets the window's
// title, starts the live feed and the first loads, and returns the App.
// Closing w ends the App's background work (as Close does).
func Create(a fyne.App, w fyne.Window, svc Service) *App {
	return create(a, w, svc, fyne.Do)
}

// create is Create with the door from goroutines to widgets given: fyne.Do
// in the app, a queue drained by the test goroutine in tests.
func create(a fyne.App, w fyne.Window, svc Service, do func(func())) *App {
	return createWith(a, w, svc, do, refreshInterval)
}

// createWith is create with the screens' refresh interval given (the
// least time between two re-reads of a screen while changes arrive);
// tests shorten it, so that they do not wait out the coalescing.
func createWith(a fyne.App, w fyne.Window, svc Service, do func(func()), refresh time.Duration) *App {
	ctx, cancel := context.WithCancel(context.Background())
	ui := &App{fyneApp: a, win: w, svc: svc, ctx: ctx, cancel: cancel, refresh: refresh}
	if !isConsoleTheme(a.Settings().Theme()) {
		// Readable text in both variants (theme.go). Set only when it is
		// not already: a theme change empties Fyne's caches of text sizes
		// and fonts and redraws every window.
		a.Settings().SetTheme(newConsoleTheme())
	}
	ui.bridge = newBridge(do, w)
	ui.feed = newFeed(svc)

	ui.dashboard = newDashboard(ui)
	ui.idps = newIdPs(ui)
	ui.rules = newRules(ui)
	ui.users = newUsers(ui)
	ui.activity = newActivity(ui)
	ui.demo = newDemo(ui)
	ui.settings = newSettings(ui)

	ui.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Dashboard", theme.HomeIcon(), ui.dashboard.content),
		container.NewTabItemWithIcon("Identity Providers", theme.StorageIcon(), newLazyScreen(ui.idps.content)),
		container.NewTabItemWithIcon("Mapping Rules", theme.ListIcon(), newLazyScreen(ui.rules.content)),
		container.NewTabItemWithIcon("Users", theme.AccountIcon(), newLazyScreen(ui.users.content)),
		container.NewTabItemWithIcon("Activity", theme.HistoryIcon(), newLazyScreen(ui.activity.content)),
		container.NewTabItemWithIcon("Demo", theme.MediaPlayIcon(), newLazyScreen(ui.demo.content)),
		container.NewTabItemWithIcon("Settings", theme.SettingsIcon(), newLazyScreen(ui.settings.content)),
	)
	ui.tabs.SetTabLocation(container.TabLocationLeading)
	ui.tabs.OnUnselected = ui.rules.tabUnselected
	ui.tabs.OnSelected = func(t *container.TabItem) {
		if ui.rules.tabSelected(ui.tabs, t) {
			return // held on Mapping Rules: unsaved edits
		}
		if screenOf(t) == ui.settings.content {
			ui.settings.storage.load() // the figures as of now, not of the start
		}
	}

	var top fyne.CanvasObject
	if text := svc.KeyWarning(); text != "" {
		ui.banner, ui.warning = warningBanner(text, ui.keyMoveAction())
		top = ui.banner
	}
	w.SetTitle(WindowTitle)
	w.SetContent(container.NewBorder(top, nil, nil, nil, ui.tabs))
	w.SetOnClosed(ui.Close)

	ui.feed.start()
	ui.dashboard.refresh.Trigger()
	ui.idps.reload.Trigger()
	ui.rules.reload.Trigger()
	ui.users.reload.Trigger()
	ui.activity.reload.Trigger()
	ui.activity.audit.reload.Trigger()
	ui.demo.loadPersonas()
	ui.settings.load()
	ui.settled = time.AfterFunc(settleAfterLaunch, ui.memory.afterBigJob)
	return ui
}

// Close ends the live feed and the background work of every screen. It
// waits (up to a few seconds) for running reads and a running simulation
// to stop. Calling it again does nothing.
func (a *App) Close() {
	a.closeOnce.Do(func() {
		a.settled.Stop()
		a.cancel()
		a.feed.stop()
		a.dashboard.stop()
		a.idps.stop()
		a.rules.stop()
		a.users.stop()
		a.activity.stop()
		a.demo.stop()
		if a.validator != nil {
			a.validator.win.Close()
		}
		a.bridge.wait(5 * time.Second)
	})
}

// warningBanner is the yellow strip across the top that says the private
// keys are not in the OS keyring, with action (if not nil) at its end.
func warningBanner(text string, action fyne.CanvasObject) (fyne.CanvasObject, *widget.Label) {
	warn := theme.Color(theme.ColorNameWarning)
	r, g, b, _ := warn.RGBA()
	// A tint of the warning colour keeps the theme's text readable on it in
	// light and dark variants; a solid bar on the left carries the colour.
	bg := canvas.NewRectangle(color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x50})
	bar := canvas.NewRectangle(warn)
	bar.SetMinSize(fyne.NewSize(6, 0))
	icon := widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon()))
	title := widget.NewLabelWithStyle("Private keys are not in the OS keyring", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	var end fyne.CanvasObject
	if action != nil {
		end = container.NewCenter(action)
	}
	body := container.NewBorder(nil, nil, container.NewCenter(icon), end,
		container.NewVBox(title, msg))
	return container.NewStack(bg, container.NewBorder(nil, nil, bar, nil, container.NewPadded(body))), msg
}

// copyButton puts value on the clipboard and shows a check for a moment.
func (a *App) copyButton(value string) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() {
		a.fyneApp.Clipboard().SetContent(value)
		b.SetIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		time.AfterFunc(1500*time.Millisecond, func() {
			a.bridge.ui(func() { b.SetIcon(theme.ContentCopyIcon()) })
		})
	})
	b.Importance = widget.LowImportance
	return b
}
