package ui

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
	side      *container.AppTabs
	impactTab *container.TabItem
	testerTab *container.TabItem

	catalogueDlg *roleCatalogue        // the open catalogue, nil when none
	revoke       *revokeOffer          // the open revoke offer, nil when none
	applyConfirm *dialog.ConfirmDialog // the open "Apply now" confirmation
	discard      *dialog.ConfirmDialog // the open "discard changes" question
}

func newRules(a *App) *rules {
	r := &rules{app: a}
	r.reload = newThrottle(a.bridge, refreshInterval, r.read)
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
	actions := container.NewBorder(nil, nil, container.NewHBox(r.addMissing), buttons)

	r.formBox = container.NewVBox()
	r.formScroll = container.NewVScroll(container.NewPadded(r.formBox))
	r.showNone("Loading identity providers…")

	r.impact = newImpactView()
	r.testerTab = container.NewTabItemWithIcon("Rule tester", theme.ConfirmIcon(), r.tester.content)
	r.impactTab = container.NewTabItemWithIcon("Impact preview", theme.VisibilityIcon(), r.impact.content)
	r.side = container.NewAppTabs(r.testerTab, r.impactTab)

	split := container.NewHSplit(r.formScroll, r.side)
	split.Offset = 0.58
	top := container.NewVBox(head, actions, r.status, widget.NewSeparator())
	r.refreshState()
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, split)
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
	r.addMissing.SetText("Add " + quoted(r.missing) + " to the role catalogue")
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

// ruleOffer is a saved rule whose grants the person may revoke with the
// save: it was deleted, or its conditions or roles were edited.
type ruleOffer struct {
	id, label string
	index     int // 1-based, in the saved mapping
	deleted   bool
}

// revokeOffers compares the saved rules with the working copy's.
func revokeOffers(saved, working core.Mapping) []ruleOffer {
	var out []ruleOffer
	for i, old := range saved.RoleRules {
		if old.ID == "" {
			continue
		}
		j := slices.IndexFunc(working.RoleRules, func(r core.RoleRule) bool { return r.ID == old.ID })
		o := ruleOffer{id: old.ID, label: old.RuleLabel(), index: i + 1}
		switch {
		case j < 0:
			o.deleted = true
		case mappingKey(core.Mapping{RoleRules: []core.RoleRule{{Conditions: old.Conditions, Roles: old.Roles}}}) ==
			mappingKey(core.Mapping{RoleRules: []core.RoleRule{{Conditions: working.RoleRules[j].Conditions, Roles: working.RoleRules[j].Roles}}}):
			continue
		}
		out = append(out, o)
	}
	return out
}

// revokeOffer is the dialog that saves and offers to revoke the grants of
// deleted or edited rules.
type revokeOffer struct {
	dlg    *dialog.ConfirmDialog
	offers []ruleOffer
	checks []*widget.Check
}

func (r *rules) onSave() {
	if r.form == nil || r.form.problem != nil {
		return
	}
	offers := revokeOffers(r.loaded, r.form.m)
	if len(offers) == 0 {
		r.doSave(nil)
		return
	}
	ro := &revokeOffer{offers: offers}
	box := container.NewVBox(wrapped("Accounts keep the roles these rules granted until their next sign-in. "+
		"Revoke exactly those grants now?", widget.MediumImportance))
	for _, o := range offers {
		text := fmt.Sprintf("Revoke the grants of deleted rule %d, “%s”", o.index, o.label)
		if !o.deleted {
			text = fmt.Sprintf("Revoke the grants of edited rule %d, “%s” (they return at the next sign-in if it still matches)", o.index, o.label)
		}
		c := widget.NewCheck(text, nil)
		c.SetChecked(o.deleted)
		ro.checks = append(ro.checks, c)
		box.Add(c)
	}
	box.Add(lowLabel("Manual grants are never touched."))
	ro.dlg = dialog.NewCustomConfirm("Save the mapping", "Save", "Cancel", box, func(ok bool) {
		r.revoke = nil
		if !ok {
			return
		}
		var chosen []ruleOffer
		for i, c := range ro.checks {
			if c.Checked {
				chosen = append(chosen, ro.offers[i])
			}
		}
		r.doSave(chosen)
	}, r.app.win)
	ro.dlg.SetConfirmImportance(widget.HighImportance)
	ro.dlg.Resize(fyne.NewSize(560, ro.dlg.MinSize().Height))
	r.revoke = ro
	ro.dlg.Show()
}

// doSave saves the working copy and revokes the chosen rules' grants, as
// one change, in the background.
func (r *rules) doSave(revoke []ruleOffer) {
	a, slug, m := r.app, r.currentSlug(), cloneMapping(r.form.m)
	ids := make([]string, len(revoke))
	for i, o := range revoke {
		ids[i] = o.id
	}
	r.busy = true
	r.refreshState()
	showText(r.status, "Saving…", widget.LowImportance)
	var revoked int
	background(a, "save the mapping of "+slug, func(ctx context.Context) (idp core.IdP, err error) {
		idp, revoked, err = a.svc.SaveMapping(ctx, slug, m, ids)
		return idp, err
	}, func(idp core.IdP, err error) {
		r.busy = false
		if err != nil {
			r.saveFailed(err)
			return
		}
		note := "Saved. It applies from the next sign-in through " + idp.DisplayName + "."
		if len(revoke) > 0 {
			note += " " + plural(revoked, "grant", "grants") + " of the changed rules revoked."
		}
		r.saved(slug, idp, note)
	})
}

// saveFailed shows why core refused the mapping, under the field when it
// names one.
func (r *rules) saveFailed(err error) {
	var fe *core.FieldError
	if r.form != nil && errors.As(err, &fe) {
		r.form.problem = fe
		if l := r.form.labelFor(fe.Field); l != nil {
			showText(l, fe.Message, widget.DangerImportance)
		}
	}
	r.refreshState()
	showText(r.status, "Not saved: "+errorText(err), widget.DangerImportance)
}

// saved takes the stored mapping (with the IDs core gave new rules) into
// the form.
func (r *rules) saved(slug string, idp core.IdP, note string) {
	if r.currentSlug() == slug && r.form != nil {
		r.idp = idp
		r.loaded = prepareMapping(idp.Mapping)
		r.form.m = cloneMapping(r.loaded)
		r.form.rebuild()
	}
	r.note = note
	r.refreshState()
	r.reload.Trigger()
}

// onPreview evaluates the working copy against every account in the
// background.
func (r *rules) onPreview() {
	if r.form == nil || r.form.problem != nil {
		return
	}
	a, slug, m, key := r.app, r.currentSlug(), cloneMapping(r.form.m), mappingKey(r.form.m)
	r.previewing = true
	r.refreshState()
	r.side.Select(r.impactTab)
	r.impact.running("Evaluating the working copy against the last sign-in of every account of " + r.idp.DisplayName + "…")
	background(a, "preview the impact of the mapping of "+slug, func(ctx context.Context) (core.Impact, error) {
		return a.svc.PreviewImpact(ctx, slug, m)
	}, func(im core.Impact, err error) {
		r.previewing = false
		if r.currentSlug() == slug {
			r.impact.show(im, err, key, false)
		}
		r.refreshState()
	})
}

// onApplyNow asks, then saves (if edited) and re-evaluates every account
// of the IdP with the saved mapping.
func (r *rules) onApplyNow() {
	if r.form == nil || r.form.problem != nil {
		return
	}
	what := "Re-evaluate the roles of every account of " + r.idp.DisplayName + " now"
	if r.dirty() {
		what = "Save the mapping and re-evaluate the roles of every account of " + r.idp.DisplayName + " now"
	}
	msg := wrapped(what+", from the attributes of each one's last sign-in?\n\n"+
		"Roles granted by rules and the default role change at once instead of at each person's next sign-in. "+
		"Manual grants stay. The change is recorded in the audit log.", widget.MediumImportance)
	r.applyConfirm = dialog.NewCustomConfirm("Apply now?", "Apply now", "Cancel", msg, func(ok bool) {
		r.applyConfirm = nil
		if ok {
			r.doApply()
		}
	}, r.app.win)
	r.applyConfirm.SetConfirmImportance(widget.WarningImportance)
	r.applyConfirm.Resize(fyne.NewSize(520, r.applyConfirm.MinSize().Height))
	r.applyConfirm.Show()
}

func (r *rules) doApply() {
	a, slug, m, dirty := r.app, r.currentSlug(), cloneMapping(r.form.m), r.dirty()
	key := mappingKey(r.form.m)
	r.busy = true
	r.refreshState()
	r.side.Select(r.impactTab)
	r.impact.running("Applying the mapping to every account of " + r.idp.DisplayName + "…")
	var idp core.IdP
	background(a, "apply the mapping of "+slug+" now", func(ctx context.Context) (core.Impact, error) {
		if dirty {
			var err error
			if idp, _, err = a.svc.SaveMapping(ctx, slug, m, nil); err != nil {
				return core.Impact{}, err
			}
		}
		return a.svc.ApplyNow(ctx, slug)
	}, func(im core.Impact, err error) {
		r.busy = false
		if err != nil {
			r.impact.show(core.Impact{}, err, "", true)
			r.saveFailed(err)
			return
		}
		r.impact.show(im, nil, key, true)
		note := "Applied now: " + strings.TrimSuffix(impactSummary(im), ".") + "."
		if dirty {
			r.saved(slug, idp, note)
			return
		}
		r.note = note
		r.refreshState()
	})
}

// impactSummary is the impact's summary line, or that nothing changes.
func impactSummary(im core.Impact) string {
	if s := im.Summary(); s != "" {
		return s
	}
	return "no account gains or loses a role"
}

// impactView shows an impact preview (or what "Apply now" did): the
// summary, then per role the accounts that gain or lose it and those that
// would be denied, in expandable lists.
type impactView struct {
	content  fyne.CanvasObject
	summary  *widget.Label
	note     *widget.Label
	progress *widget.ProgressBarInfinite
	lists    *widget.Accordion
	key      string // the working copy the preview shows, "" for none
	applied  bool
	last     *core.Impact
}

func newImpactView() *impactView {
	v := &impactView{}
	v.summary = title("")
	v.summary.Wrapping = fyne.TextWrapWord
	v.note = wrapped("", widget.LowImportance)
	v.progress = widget.NewProgressBarInfinite()
	v.progress.Hide()
	v.lists = widget.NewAccordion()
	v.lists.MultiOpen = true
	v.content = container.NewVScroll(container.NewPadded(container.NewVBox(v.summary, v.progress, v.note, v.lists)))
	v.reset()
	return v
}

// reset shows the explanation of an empty preview.
func (v *impactView) reset() {
	v.key, v.last, v.applied = "", nil, false
	v.progress.Stop()
	v.progress.Hide()
	v.summary.SetText("Impact preview")
	showText(v.note, "“Preview impact” evaluates the working copy, unsaved, against the attributes of every account's last sign-in "+
		"and lists who would gain or lose which role, and who would be denied. Nothing changes until you save.", widget.LowImportance)
	v.lists.Items = nil
	v.lists.Refresh()
}

func (v *impactView) running(text string) {
	v.summary.SetText("Working…")
	showText(v.note, text, widget.LowImportance)
	v.lists.Items = nil
	v.lists.Refresh()
	v.progress.Show()
	v.progress.Start()
}

// show shows an impact for the working copy key; applied says it was
// applied, not previewed.
func (v *impactView) show(im core.Impact, err error, key string, applied bool) {
	v.progress.Stop()
	v.progress.Hide()
	v.lists.Items = nil
	if err != nil {
		v.key, v.last = "", nil
		v.summary.SetText("No preview")
		showText(v.note, errorText(err), widget.DangerImportance)
		v.lists.Refresh()
		return
	}
	v.key, v.last, v.applied = key, &im, applied
	v.summary.SetText(impactSummary(im))
	v.note.Importance = widget.LowImportance
	v.setNote(false)
	for _, role := range sortedKeys(im.Gains) {
		v.lists.Append(widget.NewAccordionItem(fmt.Sprintf("+%s — %s gain it", role, plural(len(im.Gains[role]), "account", "accounts")), impactUsers(im.Gains[role])))
	}
	for _, role := range sortedKeys(im.Losses) {
		v.lists.Append(widget.NewAccordionItem(fmt.Sprintf("−%s — %s lose it", role, plural(len(im.Losses[role]), "account", "accounts")), impactUsers(im.Losses[role])))
	}
	if len(im.Denied) > 0 {
		v.lists.Append(widget.NewAccordionItem(fmt.Sprintf("Denied — %s would be refused at the next sign-in", plural(len(im.Denied), "account", "accounts")), impactUsers(im.Denied)))
	}
	if len(v.lists.Items) > 0 && len(v.lists.Items) <= 3 {
		for i := range v.lists.Items {
			v.lists.Open(i)
		}
	}
	v.lists.Refresh()
}

// setNote says what the shown impact is, and whether the rules changed
// since.
func (v *impactView) setNote(stale bool) {
	if v.last == nil {
		return
	}
	switch {
	case stale:
		showText(v.note, "The rules changed since this preview: preview again to see their impact.", widget.WarningImportance)
	case v.applied:
		showText(v.note, fmt.Sprintf("Applied to the %s with recorded attributes. The audit log holds the change.", plural(v.last.Users, "account", "accounts")), widget.SuccessImportance)
	default:
		showText(v.note, fmt.Sprintf("The working copy, unsaved, evaluated against the last sign-in of %s. Nothing has changed yet.", plural(v.last.Users, "account", "accounts")), widget.LowImportance)
	}
}

// workingChanged marks the preview stale when the working copy moved on.
func (v *impactView) workingChanged(key string) {
	if v.key != "" {
		v.setNote(key != v.key)
	}
}

func sortedKeys(m map[string][]core.ImpactUser) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// maxImpactNames bounds the accounts one list names.
const maxImpactNames = 200

// impactUsers lists accounts by username.
func impactUsers(us []core.ImpactUser) fyne.CanvasObject {
	names := make([]string, 0, min(len(us), maxImpactNames))
	for i, u := range us {
		if i == maxImpactNames {
			break
		}
		names = append(names, orDash(u.Username))
	}
	text := strings.Join(names, "\n")
	if more := len(us) - len(names); more > 0 {
		text += fmt.Sprintf("\n… and %d more", more)
	}
	l := widget.NewLabel(text)
	l.Selectable = true
	l.Wrapping = fyne.TextWrapWord
	return l
}
