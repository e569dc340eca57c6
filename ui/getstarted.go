package ui

// The Dashboard's "Get started" card: a newcomer's three steps (sign in as
// a persona, simulate new hires, connect your IdP), each ticked off from
// the console's own state, and the demo IdP's buttons the card shares with
// the demo IdP's endpoint card.

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// getStartedService is the part of the service the card reads and
// changes (core.Console has it; a service without it shows no card).
type getStartedService interface {
	GetStarted(ctx context.Context) (core.GetStartedState, error)
	DismissGetStarted(ctx context.Context) error
}

// getStartedStep is one step of the card: its tick and its caption.
type getStartedStep struct {
	icon  *widget.Icon
	label *widget.Label
}

// getStarted is the "Get started" card. It is hidden when the service
// cannot say what is done, when dismissed and once every step is done.
type getStarted struct {
	app     *App
	content *fyne.Container // hidden while the card is not shown

	steps     [3]getStartedStep // sign in, simulate, connect
	dismiss   *widget.Button
	signInURL *widget.Label
	errLabel  *widget.Label

	state     core.GetStartedState
	hasState  bool
	dismissed bool // dismissed here, before the store says so
}

// getStartedRead is one read of the card's state, made off the UI
// goroutine with the dashboard's snapshot.
type getStartedRead struct {
	state     core.GetStartedState
	supported bool
	loginURL  string
	err       error
}

func newGetStarted(a *App) *getStarted {
	g := &getStarted{app: a}
	g.build()
	return g
}

func (g *getStarted) build() {
	for i := range g.steps {
		g.steps[i] = getStartedStep{icon: widget.NewIcon(theme.RadioButtonIcon()), label: heading("")}
	}
	g.steps[0].label.SetText("1. Sign in as a persona")
	g.steps[1].label.SetText("2. Simulate new hires")
	g.steps[2].label.SetText("3. Connect your identity provider")

	g.signInURL = mono("")
	g.errLabel = errorLabel()
	g.dismiss = widget.NewButtonWithIcon("Dismiss", theme.CancelIcon(), g.onDismiss)
	g.dismiss.Importance = widget.LowImportance

	connect := widget.NewButtonWithIcon("Add identity provider…", theme.ContentAddIcon(), g.app.openAddIdP)
	body := container.NewVBox(
		g.stepRow(0, "The built-in demo IdP signs people in with real, signed SAML. Your browser opens at its sign-in; "+
			"pick a persona and their account appears here and on the Users screen.",
			container.NewHBox(g.app.signInAsPersonaButton())),
		g.app.urlRow(g.signInURL),
		widget.NewSeparator(),
		g.stepRow(1, "Generated people each go through the same flow, some at a time; watch the counters and the live activity.",
			container.NewHBox(g.app.simulateButton())),
		widget.NewSeparator(),
		g.stepRow(2, "Register this console with your own IdP (Okta, Entra ID, Google, Keycloak…) and import its metadata.",
			container.NewHBox(connect)),
		g.errLabel,
	)
	head := container.NewBorder(nil, nil, nil, g.dismiss, title("Get started"))
	g.content = container.NewVBox(widget.NewCard("", "", container.NewBorder(head, nil, nil, nil, body)))
	g.content.Hide()
}

// stepRow is a step's tick and caption, its explanation and its buttons.
func (g *getStarted) stepRow(i int, explain string, buttons fyne.CanvasObject) fyne.CanvasObject {
	s := g.steps[i]
	text := container.NewVBox(s.label, lowLabel(explain))
	return container.NewBorder(nil, nil, container.NewVBox(s.icon), container.NewVBox(buttons), text)
}

// read runs off the UI goroutine: the card's state and the demo IdP's
// sign-in URL.
func (g *getStarted) read(ctx context.Context) getStartedRead {
	svc, ok := g.app.svc.(getStartedService)
	if !ok {
		return getStartedRead{}
	}
	st, err := svc.GetStarted(ctx)
	return getStartedRead{state: st, supported: true, loginURL: g.app.svc.Endpoints(core.DemoSlug).LoginURL, err: err}
}

// apply shows a read, on the UI goroutine. A failed read leaves the card
// as it was.
func (g *getStarted) apply(r getStartedRead) {
	if !r.supported || r.err != nil {
		return
	}
	g.state, g.hasState = r.state, true
	for i, done := range []bool{r.state.SignedIn, r.state.Simulated, r.state.Connected} {
		s := g.steps[i]
		if done {
			s.icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
			s.label.Importance = widget.SuccessImportance
		} else {
			s.icon.SetResource(theme.RadioButtonIcon())
			s.label.Importance = widget.MediumImportance
		}
		s.label.Refresh()
	}
	g.signInURL.SetText(r.loginURL)
	if g.dismissed || r.state.Dismissed || r.state.Done() {
		g.content.Hide()
	} else {
		g.content.Show()
	}
}

// onDismiss hides the card and remembers it in the console's settings.
func (g *getStarted) onDismiss() {
	svc, ok := g.app.svc.(getStartedService)
	if !ok {
		return
	}
	g.dismissed = true
	g.content.Hide()
	backgroundErr(g.app, "dismiss the get-started card", svc.DismissGetStarted, func(err error) {
		if err != nil {
			g.app.bridge.showErrorNow(err)
		}
	})
}

// signInAsPersonaButton opens the browser at the demo IdP's SP-initiated
// sign-in, where one picks a persona.
func (a *App) signInAsPersonaButton() *widget.Button {
	b := widget.NewButtonWithIcon("Sign in as a persona…", theme.LoginIcon(), a.openPersonaSignIn)
	b.Importance = widget.HighImportance
	return b
}

// openPersonaSignIn opens the system browser at the demo IdP's sign-in.
// Opening a browser can fail silently, so the URL is also shown beside
// the button with a copy button (urlRow).
func (a *App) openPersonaSignIn() {
	a.openURL(a.svc.Endpoints(core.DemoSlug).LoginURL)
}

// simulateButton starts the Demo screen's simulation of new hires (with
// its form's numbers); its progress shows there and on the Dashboard.
func (a *App) simulateButton() *widget.Button {
	return widget.NewButtonWithIcon("Simulate new hires", theme.MediaPlayIcon(), func() {
		if !a.demo.simIdle() {
			a.bridge.showErrorNow(core.Errorf(core.ECONFLICT, "A simulation is already running: see the Demo screen."))
			return
		}
		a.demo.onStart()
	})
}

// openAddIdP shows the Identity Providers screen and opens its "Add
// identity provider" dialog.
func (a *App) openAddIdP() {
	for _, item := range a.tabs.Items {
		if screenOf(item) == a.idps.content {
			a.tabs.Select(item)
			break
		}
	}
	a.idps.onAdd()
}

// urlRow shows a URL label with a copy button beside it that copies the
// label's text as it is when tapped.
func (a *App) urlRow(l *widget.Label) fyne.CanvasObject {
	var b *widget.Button
	b = widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() {
		a.fyneApp.Clipboard().SetContent(l.Text)
		b.SetIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		time.AfterFunc(1500*time.Millisecond, func() {
			a.bridge.ui(func() { b.SetIcon(theme.ContentCopyIcon()) })
		})
	})
	b.Importance = widget.LowImportance
	name := widget.NewLabel("Sign-in URL")
	name.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, name, b, l)
}

// demoIdPButtons are the demo IdP's endpoint card's buttons: the same
// "Sign in as a persona…" (with its URL to copy) and "Simulate new hires"
// as the "Get started" card.
func (a *App) demoIdPButtons(loginURL string) fyne.CanvasObject {
	return container.NewVBox(
		container.NewHBox(layout.NewSpacer(), a.simulateButton(), a.signInAsPersonaButton()),
		a.urlRow(mono(loginURL)),
	)
}
