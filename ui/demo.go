package ui

// The Demo screen (tab "Demo"): the built-in IdP's personas with "Sign in
// as…" and their editor, and "Simulate new hires" with its progress.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// Defaults and bounds of the simulation form.
const (
	defaultHires       = 50
	defaultConcurrency = 4
	maxHires           = 10000
	maxConcurrency     = 64
)

// demo is the Demo screen: the built-in IdP's personas, with "Sign in
// as…" and an editor, and the simulation of new hires.
type demo struct {
	app     *App
	content fyne.CanvasObject
	reload  *throttle

	personas   []core.Persona
	personaBox *fyne.Container
	scroll     *container.Scroll
	rows       []personaRow // one per persona, in order
	loadError  *widget.Label
	editor     *personaEditor // the open editor, nil when none

	// demoState says whether the demo IdP serves; while it is off the
	// banner says why and how to switch it on, and nothing can start.
	demoState core.DemoIdPState
	banner    *widget.Label

	hires       *widget.Entry
	concurrency *widget.Entry
	start       *widget.Button
	progress    *progressBar
	status      *widget.Label
	failures    *widget.Label

	simMu      sync.Mutex
	simLatest  core.SimProgress
	simQueued  bool // a showProgress is on its way to the UI goroutine
	simRunning bool
}

// personaRow is the card of one persona.
type personaRow struct {
	persona core.Persona
	signIn  *widget.Button
	edit    *widget.Button
	// url shows the persona's sign-in URL to copy: the demo IdP's picker
	// until "Sign in as…" mints a one-time link, then that link.
	url *widget.Label
}

func newDemo(a *App) *demo {
	d := &demo{app: a}
	d.reload = newThrottle(a.bridge, a.refresh, d.readPersonas)
	a.feed.listen(func(e core.Event) {
		if e.Kind == core.EventPersonaChanged || e.Kind == core.EventIdPRegistered || e.Kind == core.EventListener ||
			(e.Kind == core.EventAdminChange && e.IdPSlug == core.DemoSlug) {
			d.reload.Trigger()
		}
	})
	d.content = d.build()
	return d
}

func (d *demo) stop() { d.reload.Stop() }

func (d *demo) build() fyne.CanvasObject {
	d.personaBox = container.NewGridWithColumns(2)
	d.loadError = widget.NewLabel("")
	d.loadError.Importance = widget.DangerImportance
	d.loadError.Wrapping = fyne.TextWrapWord
	d.loadError.Hide()
	intro := widget.NewLabel("The built-in demo IdP signs these people in with real, signed SAML assertions. " +
		"“Sign in as…” opens your browser at the SP-initiated login: watch the account appear on the Dashboard and the Users screen.")

	intro.Wrapping = fyne.TextWrapWord
	title := heading("Demo personas")
	title.SizeName = theme.SizeNameSubHeadingText
	personas := container.NewVBox(title, intro, d.loadError, d.personaBox)
	d.banner = widget.NewLabel("")
	d.banner.Wrapping = fyne.TextWrapWord
	d.banner.Hide()
	d.scroll = container.NewVScroll(container.NewVBox(d.banner, d.buildSimulation(), personas))
	return d.scroll
}

func (d *demo) buildSimulation() fyne.CanvasObject {
	d.hires = widget.NewEntry()
	d.hires.SetText(strconv.Itoa(defaultHires))
	d.concurrency = widget.NewEntry()
	d.concurrency.SetText(strconv.Itoa(defaultConcurrency))
	d.start = widget.NewButtonWithIcon("Start simulation", theme.MediaPlayIcon(), d.onStart)
	d.start.Importance = widget.HighImportance
	d.progress = newProgressBar()
	d.status = widget.NewLabel("Not started.")
	d.failures = widget.NewLabel("")
	d.failures.Importance = widget.DangerImportance
	d.failures.Wrapping = fyne.TextWrapWord
	d.failures.Hide()

	form := container.New(layout.NewFormLayout(),
		widget.NewLabelWithStyle("New hires", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), d.hires,
		widget.NewLabelWithStyle("At a time", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), d.concurrency,
	)
	controls := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(260, form.MinSize().Height), form),
		nil, container.NewHBox(container.NewCenter(d.start)))
	return widget.NewCard("Simulate new hires",
		"Generated people each go through the real flow: SP-initiated login, the demo IdP, a signed assertion posted to the ACS.",
		container.NewVBox(controls, d.progress, d.status, d.failures))
}

// loadPersonas reads the personas in the background.
func (d *demo) loadPersonas() { d.reload.Trigger() }

// readPersonas runs in a background goroutine: the personas and whether
// the demo IdP serves.
func (d *demo) readPersonas() {
	ctx := d.app.ctx
	ps, err := d.app.svc.Personas(ctx)
	st := d.app.svc.DemoIdP(ctx)
	d.app.deliver("read the personas", err, func() {
		d.applyState(st)
		d.applyPersonas(ps, err)
	})
}

// applyState shows whether the demo IdP serves, on the UI goroutine.
func (d *demo) applyState(st core.DemoIdPState) {
	d.demoState = st
	switch {
	case !st.On:
		showText(d.banner, "The demo IdP is off, so nobody can sign in through it. "+st.Reason, widget.DangerImportance)
	case st.Warning != "":
		showText(d.banner, st.Warning, widget.WarningImportance)
	default:
		showText(d.banner, "", widget.MediumImportance)
	}
	if st.On && d.simIdle() {
		d.start.Enable()
	} else {
		d.start.Disable()
	}
	for _, r := range d.rows {
		if st.On {
			r.signIn.Enable()
		} else {
			r.signIn.Disable()
		}
	}
}

// simIdle reports whether no simulation runs.
func (d *demo) simIdle() bool {
	d.simMu.Lock()
	defer d.simMu.Unlock()
	return !d.simRunning
}

func (d *demo) applyPersonas(ps []core.Persona, err error) {
	if err != nil {
		d.loadError.SetText("The personas could not be read: " + errorText(err))
		d.loadError.Show()
		return
	}
	d.loadError.Hide()
	d.personas = ps
	d.rows = d.rows[:0]
	d.personaBox.RemoveAll()
	for _, p := range ps {
		d.personaBox.Add(d.personaCard(p))
	}
	if len(ps) == 0 {
		d.personaBox.Add(lowLabel("The demo IdP has no personas yet; it gets them when the SP listener first starts."))
	}
	d.scroll.Refresh()
}

func (d *demo) personaCard(p core.Persona) fyne.CanvasObject {
	row := personaRow{persona: p, url: mono(d.app.svc.Endpoints(core.DemoSlug).LoginURL)}
	row.signIn = widget.NewButtonWithIcon("Sign in as…", theme.LoginIcon(), func() { d.onSignIn(row) })
	row.signIn.Importance = widget.HighImportance
	if !d.demoState.On {
		row.signIn.Disable()
	}
	row.edit = widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() { d.onEdit(p) })
	d.rows = append(d.rows, row)

	groups := "No groups"
	if len(p.Groups) > 0 {
		groups = "Groups: " + strings.Join(p.Groups, ", ")
	}
	lines := container.NewVBox(widget.NewLabel(groups))
	if p.Department != "" {
		lines.Add(widget.NewLabel("Department: " + p.Department))
	}
	if p.Note != "" {
		note := widget.NewLabelWithStyle(p.Note, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		note.Wrapping = fyne.TextWrapWord
		lines.Add(note)
	}
	buttons := container.NewHBox(layout.NewSpacer(), row.edit, row.signIn)
	bottom := container.NewVBox(buttons, d.app.urlRow(row.url))
	return widget.NewCard(orDash(p.DisplayName), p.Email, container.NewBorder(nil, bottom, nil, nil, lines))
}

// onSignIn mints a one-time sign-in link for the persona, shows it in the
// card to copy (it works once, for core.PersonaSignInLifetime) and opens
// the system browser at it.
func (d *demo) onSignIn(row personaRow) {
	id := row.persona.ID
	background(d.app, "make a sign-in link for "+id, func(ctx context.Context) (string, error) {
		return d.app.svc.MintPersonaSignIn(ctx, id)
	}, func(link string, err error) {
		if err != nil {
			d.app.bridge.showErrorNow(err)
			return
		}
		row.url.SetText(link)
		d.app.openURL(link)
	})
}

// onStart starts the simulation with the form's numbers.
func (d *demo) onStart() {
	n, err := boundedInt(d.hires.Text, 1, maxHires, "The number of new hires")
	if err != nil {
		d.app.bridge.showErrorNow(err)
		return
	}
	c, err := boundedInt(d.concurrency.Text, 1, maxConcurrency, "The number at a time")
	if err != nil {
		d.app.bridge.showErrorNow(err)
		return
	}
	d.start.Disable()
	d.failures.Hide()
	d.progress.SetValue(0)
	d.status.Importance = widget.MediumImportance
	d.status.SetText(fmt.Sprintf("Starting: 0 of %d signed in", n))
	d.simMu.Lock()
	d.simLatest, d.simQueued, d.simRunning = core.SimProgress{Total: n}, false, true
	d.simMu.Unlock()

	background(d.app, fmt.Sprintf("simulate %d new hires", n), func(ctx context.Context) (core.SimResult, error) {
		return d.app.svc.SimulateOnboarding(ctx, n, c, d.onProgress)
	}, func(res core.SimResult, err error) { d.finish(n, res, err) })
}

// onProgress runs on the simulation's worker goroutines. Reports are
// coalesced: at most one update is on its way to the UI at a time.
func (d *demo) onProgress(p core.SimProgress) {
	d.simMu.Lock()
	if p.Done > d.simLatest.Done {
		d.simLatest = p
	}
	send := !d.simQueued
	d.simQueued = true
	d.simMu.Unlock()
	if send {
		d.app.bridge.ui(d.showProgress)
	}
}

// showProgress shows the latest report, on the UI goroutine.
func (d *demo) showProgress() {
	d.simMu.Lock()
	p := d.simLatest
	d.simQueued = false
	d.simMu.Unlock()
	if p.Total == 0 {
		return
	}
	d.progress.SetValue(float64(p.Done) / float64(p.Total))
	text := progressText(p.Done-p.Failed, p.Failed, p.Total)
	if p.Last != "" {
		text += " — last: " + p.Last
	}
	d.status.SetText(text)
}

func progressText(succeeded, failed, total int) string {
	return fmt.Sprintf("%d of %d signed in, %d failed", succeeded, total, failed)
}

// finish shows the simulation's outcome, on the UI goroutine.
func (d *demo) finish(n int, res core.SimResult, err error) {
	d.simMu.Lock()
	d.simRunning = false
	d.simMu.Unlock()
	if d.demoState.On {
		d.start.Enable()
	}
	if err != nil {
		d.status.Importance = widget.DangerImportance
		d.status.SetText("The simulation did not run to the end: " + errorText(err))
		return
	}
	d.progress.SetValue(float64(res.Succeeded+res.Failed) / float64(n))
	text := progressText(res.Succeeded, res.Failed, n) + fmt.Sprintf(" in %s", res.Elapsed.Round(100*time.Millisecond))
	if res.Failed == 0 {
		d.status.Importance = widget.SuccessImportance
		d.status.SetText(text + ". Every account is on the Users screen.")
		return
	}
	d.status.Importance = widget.WarningImportance
	d.status.SetText(text + ".")
	more := ""
	if hidden := res.Failed - len(res.Errors); hidden > 0 {
		more = fmt.Sprintf("\n… and %d more", hidden)
	}
	d.failures.SetText("Failed sign-ins:\n" + strings.Join(res.Errors, "\n") + more)
	d.failures.Show()
}

// boundedInt parses text as a whole number from lo to hi.
func boundedInt(text string, lo, hi int, what string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < lo || n > hi {
		return 0, core.Errorf(core.EINVALID, "%s must be a whole number from %d to %d.", what, lo, hi)
	}
	return n, nil
}

// personaEditor is the dialog that edits one persona. It stays open when
// saving fails, with the reason shown.
type personaEditor struct {
	persona     core.Persona
	displayName *widget.Entry
	email       *widget.Entry
	nameID      *widget.Entry
	groups      *widget.Entry
	department  *widget.Entry
	save        *widget.Button
	errLabel    *widget.Label
	dialog      *dialog.CustomDialog
}

// onEdit opens the editor for p.
func (d *demo) onEdit(p core.Persona) {
	e := &personaEditor{persona: p}
	entry := func(text, placeholder string) *widget.Entry {
		w := widget.NewEntry()
		w.SetText(text)
		w.SetPlaceHolder(placeholder)
		return w
	}
	e.displayName = entry(p.DisplayName, "Full name")
	e.email = entry(p.Email, "name@example.com")
	e.nameID = entry(p.NameID, "empty: the email is the NameID")
	e.groups = entry(strings.Join(p.Groups, ", "), "Engineering, Admins")
	e.department = entry(p.Department, "Engineering")
	e.errLabel = widget.NewLabel("")
	e.errLabel.Importance = widget.DangerImportance
	e.errLabel.Wrapping = fyne.TextWrapWord
	e.errLabel.Hide()

	form := widget.NewForm(
		widget.NewFormItem("Display name", e.displayName),
		widget.NewFormItem("Email", e.email),
		widget.NewFormItem("NameID", e.nameID),
		widget.NewFormItem("Groups", e.groups),
		widget.NewFormItem("Department", e.department),
	)
	form.Items[2].HintText = "A new NameID makes the next sign-in a new account."
	form.Items[3].HintText = "Comma-separated; the role rules match these."

	e.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { d.onSavePersona(e) })
	e.save.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { e.dialog.Hide() })
	e.dialog = dialog.NewCustomWithoutButtons("Edit persona", container.NewVBox(form, e.errLabel), d.app.win)
	e.dialog.SetButtons([]fyne.CanvasObject{cancel, e.save})
	e.dialog.SetOnClosed(func() {
		if d.editor == e {
			d.editor = nil
		}
	})
	d.editor = e
	e.fit()
	e.dialog.Show()
}

// edited is the persona with the form's values.
func (e *personaEditor) edited() core.Persona {
	p := e.persona
	p.DisplayName = strings.TrimSpace(e.displayName.Text)
	p.Email = strings.TrimSpace(e.email.Text)
	p.NameID = strings.TrimSpace(e.nameID.Text)
	p.Department = strings.TrimSpace(e.department.Text)
	p.Groups = nil
	for _, g := range strings.Split(e.groups.Text, ",") {
		if g = strings.TrimSpace(g); g != "" {
			p.Groups = append(p.Groups, g)
		}
	}
	return p
}

// onSavePersona saves the editor's persona in the background.
func (d *demo) onSavePersona(e *personaEditor) {
	p := e.edited()
	if p.DisplayName == "" {
		e.showError("A persona needs a display name.")
		return
	}
	if p.Email != "" && !strings.Contains(p.Email, "@") {
		e.showError(fmt.Sprintf("%q is not an email address.", p.Email))
		return
	}
	e.save.Disable()
	backgroundErr(d.app, "save persona "+p.ID, func(ctx context.Context) error {
		return d.app.svc.SavePersona(ctx, p)
	}, func(err error) {
		e.save.Enable()
		if err != nil {
			e.showError(errorText(err))
			return
		}
		e.dialog.Hide()
		d.reload.Trigger()
	})
}

func (e *personaEditor) showError(text string) {
	e.errLabel.SetText(text)
	e.errLabel.Show()
	e.fit()
}

// fit sizes the dialog to its content.
func (e *personaEditor) fit() {
	e.dialog.Resize(fyne.NewSize(560, e.dialog.MinSize().Height))
}
