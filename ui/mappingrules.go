package ui

// The Mapping Rules screen (tab "Mapping Rules"): its controller, the IdP
// choice, the toolbar's state, the missing-roles bar and Undo. The editor
// form is in mappingrules_form.go and its card files; Save, Preview and
// Apply now in mappingrules_save.go; the tester and impact tabs in
// mappingrules_ruletester.go and mappingrules_impact.go; the role catalogue
// dialog in mappingrules_rolecatalogue.go.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// rules is the Mapping Rules screen: pick an IdP, edit a working copy of
// its mapping (mappingForm), see what the copy makes of a recorded sign-in
// (ruleTester) and of every account (the impact preview), then save it —
// it applies from the next sign-in — or apply it now. The role catalogue
// opens from here.
type rules struct {
	app     *App
	content fyne.CanvasObject
	reload  *throttle // the IdPs and the role catalogue

	idps          []core.IdP
	catalogue     []core.RoleInfo
	haveCatalogue bool
	idpSelect     *widget.Select
	idpOptions    map[string]string // option → slug
	switching     bool              // the select is being set back

	slugMu sync.Mutex
	slug   string // the IdP being edited, "" for none

	idp        core.IdP     // as last read
	loaded     core.Mapping // its saved mapping, prepared
	form       *mappingForm // nil until an IdP is selected
	formBox    *fyne.Container
	formScroll *container.Scroll

	status     *widget.Label
	note       string // said after a save while nothing is edited
	addMissing *widget.Button
	missing    []string // roles the working copy grants that the catalogue lacks
	undo       *widget.Button
	previewBtn *widget.Button
	save       *widget.Button
	applyNow   *widget.Button
	roleButton *widget.Button
	busy       bool // a save or an apply runs
	previewing bool

	impact    *impactView
	tester    *ruleTester
	side      *container.AppTabs // the editor, the rule tester, the impact preview
	editorTab *container.TabItem
	impactTab *container.TabItem
	testerTab *container.TabItem

	catalogueDlg *roleCatalogue        // the open catalogue, nil when none
	revoke       *revokeOffer          // the open revoke offer, nil when none
	applyConfirm *dialog.ConfirmDialog // the open "Apply now" confirmation
	discard      *dialog.ConfirmDialog // the open "discard changes" question
	leaveDlg     *dialog.ConfirmDialog // the open question on leaving the screen
	leaving      bool                  // the tabs are leaving this screen
}

func newRules(a *App) *rules {
	r := &rules{app: a}
	r.reload = newThrottle(a.bridge, a.refresh, r.read)
	r.tester = newRuleTester(r)
	a.feed.listen(r.onEvent)
	r.content = r.build()
	return r
}

func (r *rules) stop() {
	r.reload.Stop()
	r.tester.stop()
}

// onEvent runs on the feed goroutine.
func (r *rules) onEvent(e core.Event) {
	switch e.Kind {
	case core.EventAdminChange, core.EventIdPRegistered, core.EventIdPRemoved, core.EventIdPRefreshed:
		r.reload.Trigger()
	case core.EventUserCreated, core.EventUserUpdated, core.EventLoginRefused:
		if e.IdPSlug == r.currentSlug() {
			r.tester.loadRecs.Trigger()
		}
	}
}

func (r *rules) currentSlug() string {
	r.slugMu.Lock()
	defer r.slugMu.Unlock()
	return r.slug
}

func (r *rules) setSlug(slug string) {
	r.slugMu.Lock()
	r.slug = slug
	r.slugMu.Unlock()
}

func (r *rules) build() fyne.CanvasObject {
	r.idpSelect = widget.NewSelect(nil, r.onSelectIdP)
	r.idpSelect.PlaceHolder = "Loading identity providers…"
	r.roleButton = widget.NewButtonWithIcon("Role catalogue…", theme.AccountIcon(), r.openCatalogue)
	head := container.NewBorder(nil, nil,
		container.NewHBox(widget.NewIcon(theme.ListIcon()), title("Mapping Rules"), widget.NewLabel("for")),
		r.roleButton, r.idpSelect)

	r.status = wrapped("", widget.LowImportance)
	r.addMissing = widget.NewButtonWithIcon("", theme.ContentAddIcon(), r.onAddMissing)
	r.addMissing.Hide()
	r.undo = widget.NewButtonWithIcon("Undo changes", theme.ContentUndoIcon(), r.onUndo)
	r.previewBtn = widget.NewButtonWithIcon("Preview impact", theme.VisibilityIcon(), r.onPreview)
	r.applyNow = widget.NewButtonWithIcon("Apply now…", theme.MediaFastForwardIcon(), r.onApplyNow)
	r.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), r.onSave)
	r.save.Importance = widget.HighImportance
	buttons := container.NewHBox(r.undo, r.previewBtn, r.applyNow, r.save)

	r.formBox = container.NewVBox()
	r.formScroll = container.NewVScroll(container.NewPadded(r.formBox))
	r.showNone("Loading identity providers…")

	// The rule tester and the impact preview are tabs beside the editor,
	// not a column: at 1024 px a third column left the editor too narrow
	// for its rows' buttons. The editor keeps the whole width.
	r.impact = newImpactView()
	r.editorTab = container.NewTabItemWithIcon("Rules", theme.DocumentCreateIcon(), wheelScrolls(r.formScroll))
	r.testerTab = container.NewTabItemWithIcon("Rule tester", theme.ConfirmIcon(), r.tester.content)
	r.impactTab = container.NewTabItemWithIcon("Impact preview", theme.VisibilityIcon(), r.impact.content)
	r.side = container.NewAppTabs(r.editorTab, r.testerTab, r.impactTab)

	// The buttons on a line of their own, right-aligned; the missing-roles
	// offer under the status line: side by side they asked for more than
	// a laptop's width.
	actions := container.NewBorder(nil, nil, nil, buttons)
	top := container.NewVBox(head, actions, r.status, container.NewHBox(r.addMissing), widget.NewSeparator())
	r.refreshState()
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, r.side)
}

// showNone empties the editor with a sentence.
func (r *rules) showNone(text string) {
	r.form = nil
	hint := wrapped(text, widget.LowImportance)
	hint.Alignment = fyne.TextAlignCenter
	r.formBox.Objects = []fyne.CanvasObject{layout.NewSpacer(), container.NewCenter(widget.NewIcon(theme.ListIcon())), hint}
	r.formBox.Refresh()
}

// read runs in a background goroutine: the IdPs and the role catalogue.
func (r *rules) read() {
	ctx := r.app.ctx
	idps, err := r.app.svc.IdPs(ctx)
	roles, rerr := r.app.svc.Roles(ctx)
	r.app.deliver("read the identity providers and roles", errors.Join(err, rerr), func() { r.apply(idps, err, roles, rerr) })
}

// apply shows a read, on the UI goroutine: the IdP choice follows the
// connections, the form the saved mapping (unless it holds edits), the
// catalogue what roles exist.
func (r *rules) apply(idps []core.IdP, err error, roles []core.RoleInfo, rerr error) {
	if err != nil {
		showText(r.status, "The identity providers could not be read: "+errorText(err), widget.DangerImportance)
		return
	}
	if rerr == nil {
		r.catalogue, r.haveCatalogue = roles, true
		if r.form != nil {
			r.form.setRoles(r.roleNames())
		}
		if r.catalogueDlg != nil {
			r.catalogueDlg.update(roles)
		}
	}
	r.idps = idps
	opts := make([]string, len(idps))
	r.idpOptions = map[string]string{}
	for i, idp := range idps {
		opts[i] = idpOption(idp)
		r.idpOptions[opts[i]] = idp.Slug
	}
	slug := r.currentSlug()
	i := slices.IndexFunc(idps, func(idp core.IdP) bool { return idp.Slug == slug })
	r.switching = true
	r.idpSelect.PlaceHolder = "Choose an identity provider"
	r.idpSelect.SetOptions(opts)
	if i >= 0 {
		r.idpSelect.SetSelected(opts[i])
	}
	r.switching = false
	switch {
	case i >= 0:
		r.savedChanged(idps[i])
	case len(idps) > 0:
		r.idpSelect.SetSelected(opts[0]) // shows it
	default:
		r.setSlug("")
		r.showNone("No identity provider yet. Add one on the Identity Providers screen.")
	}
	if rerr != nil {
		showText(r.status, "The role catalogue could not be read: "+errorText(rerr), widget.DangerImportance)
		return
	}
	r.refreshState()
}

// savedChanged takes a new read of the IdP being edited: an unedited form
// follows the saved mapping; edits are kept.
func (r *rules) savedChanged(idp core.IdP) {
	r.idp = idp
	saved := prepareMapping(idp.Mapping)
	if r.form == nil {
		r.show(idp)
		return
	}
	if mappingKey(saved) == mappingKey(r.loaded) {
		return
	}
	if !r.dirty() {
		r.show(idp)
		return
	}
	r.loaded = saved // Undo goes back to what is saved now
	r.note = ""
}

func (r *rules) roleNames() []string {
	if !r.haveCatalogue {
		return nil // not known: core validates roles when saving
	}
	names := make([]string, len(r.catalogue))
	for i, ri := range r.catalogue {
		names[i] = ri.Name
	}
	sort.Strings(names)
	return names
}

// onSelectIdP switches the editor to another IdP, asking first when that
// would drop edits.
func (r *rules) onSelectIdP(opt string) {
	if r.switching {
		return
	}
	slug := r.idpOptions[opt]
	i := slices.IndexFunc(r.idps, func(idp core.IdP) bool { return idp.Slug == slug })
	if i < 0 || slug == r.currentSlug() {
		return
	}
	idp := r.idps[i]
	if !r.dirty() {
		r.show(idp)
		return
	}
	back := idpOption(r.idp)
	msg := wrapped(fmt.Sprintf("The mapping of %s has unsaved changes. Switching to %s discards them.", r.idp.DisplayName, idp.DisplayName), widget.MediumImportance)
	r.discard = dialog.NewCustomConfirm("Discard unsaved changes?", "Discard", "Keep editing", msg, func(ok bool) {
		r.discard = nil
		if ok {
			r.show(idp)
			return
		}
		r.switching = true
		r.idpSelect.SetSelected(back)
		r.switching = false
	}, r.app.win)
	r.discard.SetConfirmImportance(widget.DangerImportance)
	r.discard.Show()
}

// show puts idp's saved mapping in a new form.
func (r *rules) show(idp core.IdP) {
	r.setSlug(idp.Slug)
	r.idp = idp
	r.loaded = prepareMapping(idp.Mapping)
	r.note = ""
	r.form = newMappingForm(r.app.win, cloneMapping(r.loaded), r.roleNames(),
		core.SuggestPreset(idp.EntityID, nil), r.refreshState)
	r.formBox.Objects = []fyne.CanvasObject{r.form.content}
	r.formBox.Refresh()
	r.formScroll.ScrollToTop()
	r.impact.reset()
	r.tester.reset(idp.Slug)
	r.refreshState()
}

// dirty reports whether the working copy differs from the saved mapping.
func (r *rules) dirty() bool {
	return r.form != nil && mappingKey(r.form.m) != mappingKey(r.loaded)
}

// refreshState follows an edit: the buttons, the status line, the roles
// missing from the catalogue, the preview's freshness and the tester.
func (r *rules) refreshState() {
	if r.form == nil {
		for _, b := range []*widget.Button{r.undo, r.previewBtn, r.applyNow, r.save} {
			b.Disable()
		}
		r.addMissing.Hide()
		return
	}
	p, dirty := r.form.problem, r.dirty()
	enable(r.save, dirty && p == nil && !r.busy)
	enable(r.undo, dirty && !r.busy)
	enable(r.previewBtn, p == nil && !r.previewing)
	enable(r.applyNow, p == nil && !r.busy)
	r.updateMissing()
	switch {
	case p != nil:
		where := describeField(p.Field)
		if where != "" {
			where += ": "
		}
		showText(r.status, "Cannot be saved yet. "+where+p.Message, widget.DangerImportance)
	case dirty:
		r.note = ""
		showText(r.status, "Unsaved changes. Once saved they apply from the next sign-in through "+r.idp.DisplayName+
			"; “Apply now” re-evaluates every account at once.", widget.WarningImportance)
	case r.note != "":
		showText(r.status, r.note, widget.SuccessImportance)
	default:
		showText(r.status, "The saved mapping of "+r.idp.DisplayName+". Edit it below, try it in the tester, preview its impact, then save.", widget.LowImportance)
	}
	r.impact.workingChanged(mappingKey(r.form.m))
	r.tester.workingChanged()
}

// updateMissing offers to add the roles the working copy grants that the
// catalogue lacks.
func (r *rules) updateMissing() {
	r.missing = nil
	if r.haveCatalogue {
		known := r.roleNames()
		for _, role := range r.form.m.RolesNamed() {
			if !slices.Contains(known, role) {
				r.missing = append(r.missing, role)
			}
		}
	}
	if len(r.missing) == 0 {
		r.addMissing.Hide()
		return
	}
	names := quoted(r.missing)
	if len(r.missing) > 3 { // a button's text does not wrap: keep it short
		names = fmt.Sprintf("the %d missing roles", len(r.missing))
	}
	r.addMissing.SetText("Add " + names + " to the role catalogue")
	r.addMissing.Show()
}

// quoted is “a”, “b” and “c”.
func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "“" + n + "”"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// onAddMissing creates the missing roles in the background.
func (r *rules) onAddMissing() {
	roles := slices.Clone(r.missing)
	r.addMissing.Disable()
	a := r.app
	backgroundErr(a, "add the missing roles", func(ctx context.Context) error {
		for _, role := range roles {
			if err := a.svc.SaveRole(ctx, role, ""); err != nil {
				return err
			}
		}
		return nil
	}, func(err error) {
		r.addMissing.Enable()
		if err != nil {
			showText(r.status, "The roles could not be added: "+errorText(err), widget.DangerImportance)
		}
		r.reload.Trigger()
	})
}

func (r *rules) onUndo() {
	if r.form == nil {
		return
	}
	r.form.m = cloneMapping(r.loaded)
	r.form.rebuild()
	r.refreshState()
}
