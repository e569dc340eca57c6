package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// nameIDUnspecified is the NameID format the SP asks for: any.
const nameIDUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"

// idpInfo is one IdP as the screen shows it: the connection, its
// endpoints, and what its stored metadata says (or why it no longer
// validates).
type idpInfo struct {
	idp     core.IdP
	ep      core.Endpoints
	meta    core.MetadataPreview
	metaErr error
}

// version identifies what info shows, to rebuild the detail pane only when
// something changed.
func (i idpInfo) version() string {
	return fmt.Sprint(i.idp, i.ep, i.meta, core.ErrorMessage(i.metaErr))
}

// idps is the Identity Providers screen: the connected IdPs on the left,
// the selected one's SP values, metadata, settings and removal on the
// right, and "Add identity provider…".
type idps struct {
	app     *App
	content fyne.CanvasObject
	reload  *throttle

	list     []idpInfo
	listView *widget.List
	count    *widget.Label
	add      *widget.Button

	selected   string // the slug the detail pane shows, "" for none
	wantSelect string // a slug to select once a read has it (after an import)

	detail       *idpDetail // nil when none is selected
	detailBox    *fyne.Container
	detailScroll *container.Scroll
	importer     *idpImport // the open wizard, nil when none
}

func newIdPs(a *App) *idps {
	s := &idps{app: a}
	s.reload = newThrottle(a.bridge, refreshInterval, s.read)
	a.feed.listen(func(e core.Event) {
		switch e.Kind {
		case core.EventIdPRegistered, core.EventIdPRefreshed, core.EventIdPRemoved,
			core.EventAdminChange, core.EventListener:
			s.reload.Trigger()
		}
	})
	s.content = s.build()
	return s
}

func (s *idps) stop() { s.reload.Stop() }

func (s *idps) build() fyne.CanvasObject {
	s.add = widget.NewButtonWithIcon("Add identity provider…", theme.ContentAddIcon(), s.onAdd)
	s.add.Importance = widget.HighImportance
	s.count = widget.NewLabel("Loading identity providers…")
	s.count.Wrapping = fyne.TextWrapWord
	s.listView = widget.NewList(
		func() int { return len(s.list) },
		newIdPRow,
		func(id widget.ListItemID, o fyne.CanvasObject) { updateIdPRow(o, s.list[id]) },
	)
	s.listView.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(s.list) {
			s.show(s.list[id])
		}
	}
	left := container.NewBorder(
		container.NewVBox(title("Identity providers"), s.add, s.count),
		nil, nil, nil, s.listView)

	s.detailBox = container.NewVBox()
	s.detailScroll = container.NewVScroll(container.NewPadded(s.detailBox))
	s.showNone()
	split := container.NewHSplit(left, s.detailScroll)
	split.Offset = 0.3
	return split
}

func newIdPRow() fyne.CanvasObject {
	icon := widget.NewIcon(theme.ConfirmIcon())
	name := widget.NewLabelWithStyle("Identity provider", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	sub := widget.NewLabel("slug · source")
	sub.Importance = widget.LowImportance
	sub.Truncation = fyne.TextTruncateEllipsis
	status := widget.NewLabel("status")
	status.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil, container.NewCenter(icon), nil,
		container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), name, sub, status))
}

func updateIdPRow(o fyne.CanvasObject, i idpInfo) {
	row := o.(*fyne.Container)
	lines := row.Objects[0].(*fyne.Container).Objects
	icon := row.Objects[1].(*fyne.Container).Objects[0].(*widget.Icon)
	lines[0].(*widget.Label).SetText(i.idp.DisplayName)
	state := "enabled"
	if !i.idp.Enabled {
		state = "disabled"
	}
	lines[1].(*widget.Label).SetText(fmt.Sprintf("%s · %s · %s", i.idp.Slug, sourceName(i.idp), state))
	text, imp := idpStatus(i)
	status := lines[2].(*widget.Label)
	status.Importance = imp
	status.SetText(text)
	switch {
	case imp == widget.DangerImportance:
		icon.SetResource(outcomeIcon(core.OutcomeRefused))
	case imp == widget.WarningImportance:
		icon.SetResource(outcomeIcon(core.OutcomeWarning))
	case !i.idp.Enabled:
		icon.SetResource(theme.MediaPauseIcon())
	default:
		icon.SetResource(outcomeIcon(core.OutcomeAccepted))
	}
}

// idpStatus is the one-line state of an IdP for the list: a failed
// refresh, unusable metadata or a certificate that expired or expires
// soon first, else when it was refreshed or until when it is good.
func idpStatus(i idpInfo) (string, widget.Importance) {
	if i.idp.RefreshError != "" {
		return "Refresh failed: " + i.idp.RefreshError, widget.DangerImportance
	}
	if i.metaErr != nil {
		return core.ErrorMessage(i.metaErr), widget.DangerImportance
	}
	var soonest time.Time
	for _, c := range i.meta.Certs {
		if c.Use == "encryption" {
			continue
		}
		if c.Expired {
			return "Certificate expired on " + day(c.NotAfter), widget.DangerImportance
		}
		if c.ExpiresSoon {
			return "Certificate expires on " + day(c.NotAfter), widget.WarningImportance
		}
		if soonest.IsZero() || c.NotAfter.Before(soonest) {
			soonest = c.NotAfter
		}
	}
	if i.idp.MetadataSource == core.SourceURL && !i.idp.RefreshedAt.IsZero() {
		return "Refreshed " + shortTime(i.idp.RefreshedAt), widget.LowImportance
	}
	return "Certificate valid until " + day(soonest), widget.LowImportance
}

// sourceName says where an IdP's metadata came from, for a person.
func sourceName(idp core.IdP) string {
	switch idp.MetadataSource {
	case core.SourceDemo:
		return "built-in demo"
	case core.SourceFile:
		return "metadata file"
	case core.SourceURL:
		return "metadata URL"
	case core.SourcePaste:
		return "pasted XML"
	case "":
		if idp.Slug == core.DemoSlug {
			return "built-in demo"
		}
		return "metadata"
	default:
		return idp.MetadataSource
	}
}

// read runs in a background goroutine: every IdP, its endpoints and what
// its stored metadata says.
func (s *idps) read() {
	ctx, svc := s.app.ctx, s.app.svc
	list, err := svc.IdPs(ctx)
	infos := make([]idpInfo, 0, len(list))
	for _, idp := range list {
		i := idpInfo{idp: idp, ep: svc.Endpoints(idp.Slug)}
		i.meta, i.metaErr = svc.PreviewMetadata(ctx, core.MetadataInput{
			Source: core.SourcePaste, Name: idp.Slug, Data: []byte(idp.MetadataXML), EntityID: idp.EntityID})
		infos = append(infos, i)
	}
	if ctx.Err() != nil {
		return
	}
	s.app.bridge.ui(func() { s.apply(infos, err) })
}

// apply shows a read, on the UI goroutine, keeping the selection on the
// same IdP (or moving it to a newly added one).
func (s *idps) apply(infos []idpInfo, err error) {
	if err != nil {
		showText(s.count, "The identity providers could not be read: "+core.ErrorMessage(err), widget.DangerImportance)
		return
	}
	s.list = infos
	s.listView.Refresh()
	enabled := 0
	for _, i := range infos {
		if i.idp.Enabled {
			enabled++
		}
	}
	showText(s.count, fmt.Sprintf("%s, %d enabled", plural(len(infos), "connection", "connections"), enabled), widget.MediumImportance)

	want := s.selected
	if s.wantSelect != "" {
		want, s.wantSelect = s.wantSelect, ""
	}
	idx := slices.IndexFunc(infos, func(i idpInfo) bool { return i.idp.Slug == want })
	if idx < 0 && len(infos) > 0 {
		idx = 0 // the first, when none was selected or the selected one went
	}
	if idx < 0 {
		s.listView.UnselectAll()
		s.showNone()
		return
	}
	s.listView.Select(idx) // calls show when the row was not selected
	s.show(infos[idx])
}

// show puts i in the detail pane: a new pane for another IdP, an update of
// the current one otherwise.
func (s *idps) show(i idpInfo) {
	s.selected = i.idp.Slug
	if s.detail == nil || s.detail.slug != i.idp.Slug {
		s.detail = newIdPDetail(s, i)
		s.detailBox.Objects = []fyne.CanvasObject{s.detail.box}
		s.detailBox.Refresh()
		s.detailScroll.ScrollToTop()
		return
	}
	s.detail.update(i)
}

func (s *idps) showNone() {
	s.selected, s.detail = "", nil
	hint := wrapped("Select an identity provider to see the values to paste into its admin console, its metadata and its settings — or add one.", widget.LowImportance)
	hint.Alignment = fyne.TextAlignCenter
	s.detailBox.Objects = []fyne.CanvasObject{layout.NewSpacer(), container.NewCenter(widget.NewIcon(theme.StorageIcon())), hint}
	s.detailBox.Refresh()
}

// info returns the listed IdP with slug.
func (s *idps) info(slug string) (idpInfo, bool) {
	i := slices.IndexFunc(s.list, func(i idpInfo) bool { return i.idp.Slug == slug })
	if i < 0 {
		return idpInfo{}, false
	}
	return s.list[i], true
}

// idpDetail is the detail pane of one IdP. Its settings form survives
// refreshes; the rest is rebuilt when the IdP changes.
type idpDetail struct {
	s       *idps
	slug    string
	info    idpInfo
	version string
	box     *fyne.Container // header, values, metadata, settings, removal

	copies     map[string]*widget.Button // the copy buttons by field name
	saveSP     *widget.Button
	spSaved    *widget.Label // where the SP metadata went
	refreshNow *widget.Button
	refreshing *widget.ProgressBarInfinite
	refreshMsg *widget.Label

	loaded          core.IdP // what the form was filled from
	displayName     *widget.Entry
	enabled         *widget.Check
	idpInitiated    *widget.Check
	acceptSHA1      *widget.Check
	signedResponse  *widget.Check
	signedAssertion *widget.Check
	refreshHours    *widget.Entry
	save            *widget.Button
	revert          *widget.Button
	saveMsg         *widget.Label
	filling         bool                  // the form is being filled: no confirmation
	risk            *dialog.ConfirmDialog // the open IdP-initiated warning

	remove        *widget.Button
	removeConfirm *dialog.ConfirmDialog // the open removal confirmation
}

func newIdPDetail(s *idps, i idpInfo) *idpDetail {
	d := &idpDetail{s: s, slug: i.idp.Slug}
	settings := d.buildSettings()
	d.remove = widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), d.onRemove)
	d.remove.Importance = widget.DangerImportance
	why := wrapped("Removing the connection stops its sign-ins at once. Accounts it created stay, marked as from a removed IdP.", widget.MediumImportance)
	if i.idp.Slug == core.DemoSlug {
		d.remove.Disable()
		why = wrapped("The built-in demo IdP cannot be removed; switch it off with “Enabled” instead.", widget.LowImportance)
	}
	removal := container.NewBorder(nil, nil, nil, container.NewCenter(d.remove), why)
	d.box = container.NewVBox(layout.NewSpacer(), layout.NewSpacer(), layout.NewSpacer(),
		widget.NewCard("Settings", "Saved for this connection only", settings),
		widget.NewCard("Remove", "", removal))
	d.update(i)
	return d
}

// update rebuilds the read-only parts for i and refills the form if it
// holds no unsaved change.
func (d *idpDetail) update(i idpInfo) {
	v := i.version()
	if v == d.version {
		return
	}
	d.info, d.version = i, v
	d.box.Objects[0] = d.buildHeader(i)
	d.box.Objects[1] = d.buildValues(i)
	d.box.Objects[2] = d.buildMetadata(i)
	d.box.Refresh()
	if d.loaded.Slug == "" || !d.dirty() {
		d.fill(i.idp) // else keep the person's unsaved edits
	}
	d.refreshHours.Disable()
	if i.idp.MetadataSource == core.SourceURL {
		d.refreshHours.Enable()
	}
}

func (d *idpDetail) buildHeader(i idpInfo) fyne.CanvasObject {
	sub := widget.NewLabel(fmt.Sprintf("Slug “%s” · %s · %s", i.idp.Slug, sourceName(i.idp), i.idp.EntityID))
	sub.Importance = widget.LowImportance
	sub.Wrapping = fyne.TextWrapBreak
	status, imp := idpStatus(i)
	state := widget.NewLabel(status)
	state.Importance = imp
	state.Wrapping = fyne.TextWrapWord
	if !i.idp.Enabled {
		state.SetText("Disabled: sign-ins through this IdP are refused. " + status)
		if imp != widget.DangerImportance {
			state.Importance = widget.WarningImportance
		}
	}
	name := title(i.idp.DisplayName)
	name.Truncation = fyne.TextTruncateEllipsis
	return container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.StorageIcon()), nil, name),
		sub, state)
}

// buildValues is the card of what to paste into the IdP's admin console.
func (d *idpDetail) buildValues(i idpInfo) fyne.CanvasObject {
	d.copies = map[string]*widget.Button{}
	rows := container.New(layout.NewFormLayout())
	add := func(name, value, note string) {
		b := d.s.app.copyButton(value)
		d.copies[name] = b
		var v fyne.CanvasObject = mono(value)
		if note != "" {
			v = container.NewVBox(v, wrapped(note, widget.LowImportance))
		}
		rows.Add(fieldName(name))
		rows.Add(container.NewBorder(nil, nil, nil, container.NewVBox(b), v))
	}
	add("SP entity ID", i.ep.EntityID, "Also called Audience or Identifier.")
	add("ACS URL", i.ep.ACSURL, "Also called Reply URL or Single sign-on URL; binding HTTP-POST.")
	add("NameID format", nameIDUnspecified, "unspecified — any persistent or email NameID works")
	add("SP metadata URL", i.ep.MetadataURL, "IdPs that import SP metadata read everything above from here.")
	d.saveSP = widget.NewButtonWithIcon("Save SP metadata…", theme.DocumentSaveIcon(), d.onSaveSPMetadata)
	test := widget.NewButtonWithIcon("Test sign-in", theme.LoginIcon(), d.onTestSignIn)
	if !i.idp.Enabled {
		test.Disable()
	}
	d.spSaved = errorLabel()
	return widget.NewCard("Values for your IdP's admin console",
		"Copy each into the IdP's application settings, or hand it the SP metadata.",
		container.NewVBox(rows, container.NewHBox(d.saveSP, test), d.spSaved))
}

// buildMetadata is the card of the stored metadata, with its refresh.
func (d *idpDetail) buildMetadata(i idpInfo) fyne.CanvasObject {
	box := container.NewVBox()
	if i.idp.MetadataSource == core.SourceURL {
		d.refreshNow = widget.NewButtonWithIcon("Refresh now", theme.ViewRefreshIcon(), d.onRefresh)
		d.refreshing = widget.NewProgressBarInfinite()
		d.refreshing.Hide()
		d.refreshMsg = errorLabel()
		if i.idp.RefreshError != "" {
			showText(d.refreshMsg, "The last refresh failed; the last good metadata stays in use. "+i.idp.RefreshError, widget.DangerImportance)
		}
		every := i.idp.RefreshEvery
		if every == 0 {
			every = core.DefaultRefreshEvery
		}
		box.Add(formRows("Metadata URL", i.idp.MetadataURL,
			"Last refreshed", longTime(i.idp.RefreshedAt),
			"Refreshed every", hoursText(every)))
		box.Add(container.NewHBox(d.refreshNow))
		box.Add(d.refreshing)
		box.Add(d.refreshMsg)
		box.Add(widget.NewSeparator())
	}
	if i.metaErr != nil {
		box.Add(wrapped("The stored metadata no longer validates: "+core.ErrorMessage(i.metaErr), widget.DangerImportance))
	}
	box.Add(metadataView(i.meta))
	return widget.NewCard("Metadata", "What the IdP published, as stored", box)
}

// metadataView shows everything a metadata preview holds: the wizard's
// preview step and the detail pane's metadata card.
func metadataView(p core.MetadataPreview) fyne.CanvasObject {
	box := container.NewVBox()
	for _, w := range p.Warnings {
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(outcomeIcon(core.OutcomeWarning)), nil,
			wrapped(w, widget.WarningImportance)))
	}
	validUntil, cache, signed := "none given", "none given", "no (the console trusts it because you chose it)"
	if !p.ValidUntil.IsZero() {
		validUntil = longTime(p.ValidUntil)
	}
	if p.CacheDuration > 0 {
		cache = p.CacheDuration.String()
	}
	if p.Signed {
		signed = "yes, the document carries a signature"
	}
	box.Add(formRows("IdP entity ID", p.EntityID, "validUntil", validUntil, "cacheDuration", cache,
		"Signed metadata", signed, "NameID formats", strings.Join(shortNames(p.NameIDFormats), ", ")))

	box.Add(heading("Single sign-on endpoints"))
	if len(p.SSO) == 0 {
		box.Add(lowLabel("None."))
	}
	for _, e := range p.SSO {
		b := widget.NewLabelWithStyle(lastSegment(e.Binding), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		box.Add(container.NewBorder(nil, nil, b, nil, mono(e.Location)))
	}
	box.Add(heading(plural(len(p.Certs), "certificate", "certificates")))
	if len(p.Certs) == 0 {
		box.Add(lowLabel("None."))
	}
	for _, c := range p.Certs {
		box.Add(certView(c))
	}
	return box
}

// certView is one certificate: subject, use, SHA-256 fingerprint,
// validity, with expired or expiring soon in the warning colours.
func certView(c core.CertInfo) fyne.CanvasObject {
	use := c.Use
	if use == "" {
		use = "signing and encryption"
	}
	state, imp, icon := "valid", widget.SuccessImportance, outcomeIcon(core.OutcomeAccepted)
	switch {
	case c.Expired:
		state, imp, icon = "EXPIRED on "+day(c.NotAfter), widget.DangerImportance, outcomeIcon(core.OutcomeRefused)
	case c.ExpiresSoon:
		days := int(time.Until(c.NotAfter).Hours() / 24)
		state, imp, icon = fmt.Sprintf("expires in %s, on %s", plural(days, "day", "days"), day(c.NotAfter)), widget.WarningImportance, outcomeIcon(core.OutcomeWarning)
	}
	subject := widget.NewLabelWithStyle(orDash(c.Subject), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	subject.Wrapping = fyne.TextWrapBreak
	status := widget.NewLabel(fmt.Sprintf("Valid from %s until %s — %s", day(c.NotBefore), day(c.NotAfter), state))
	status.Importance = imp
	status.Wrapping = fyne.TextWrapWord
	rows := container.New(layout.NewFormLayout(),
		fieldName("Use"), widget.NewLabel(use),
		fieldName("SHA-256"), mono(c.Fingerprint))
	return widget.NewCard("", "", container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil,
		container.NewVBox(subject, rows, status)))
}

// shortNames are the last segments of URIs.
func shortNames(uris []string) []string {
	out := make([]string, len(uris))
	for i, u := range uris {
		out[i] = lastSegment(u)
	}
	return out
}

// idpSettings are the form's values that UpdateIdP saves.
type idpSettings struct {
	name     string
	enabled  bool
	security core.IdPSecurity
	every    time.Duration
}

func settingsOf(idp core.IdP) idpSettings {
	return idpSettings{idp.DisplayName, idp.Enabled, idp.Security, idp.RefreshEvery}
}

func (d *idpDetail) buildSettings() fyne.CanvasObject {
	d.displayName = widget.NewEntry()
	d.displayName.OnChanged = func(string) { d.onEdited() }
	check := func(text string, changed func(bool)) *widget.Check {
		c := widget.NewCheck(text, func(on bool) {
			if changed != nil {
				changed(on)
			}
			d.onEdited()
		})
		return c
	}
	d.enabled = check("Accept sign-ins from this IdP", nil)
	d.idpInitiated = check("Allow IdP-initiated sign-in", d.onIdPInitiated)
	d.acceptSHA1 = check("Accept SHA-1 signatures", nil)
	d.signedResponse = check("Require a signed Response", nil)
	d.signedAssertion = check("Require a signed Assertion", nil)
	d.refreshHours = widget.NewEntry()
	d.refreshHours.OnChanged = func(string) { d.onEdited() }

	form := widget.NewForm(
		widget.NewFormItem("Display name", d.displayName),
		widget.NewFormItem("Enabled", d.enabled),
		widget.NewFormItem("IdP-initiated", d.idpInitiated),
		widget.NewFormItem("SHA-1", d.acceptSHA1),
		widget.NewFormItem("Signatures", container.NewVBox(d.signedResponse, d.signedAssertion)),
		widget.NewFormItem("Refresh every", container.NewHBox(
			container.NewGridWrap(fyne.NewSize(100, d.refreshHours.MinSize().Height), d.refreshHours), widget.NewLabel("hours"))),
	)
	form.Items[1].HintText = "Off: every sign-in through this IdP is refused."
	form.Items[2].HintText = "Off: only sign-ins started here (SP-initiated) are accepted."
	form.Items[3].HintText = "Many IdPs still sign with rsa-sha1; such sign-ins are flagged “weak algorithm” in Activity."
	form.Items[4].HintText = "Unticked, a signature on either the Response or the Assertion is enough."
	form.Items[5].HintText = "Metadata from a URL only; default 24."

	d.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), d.onSave)
	d.save.Importance = widget.HighImportance
	d.revert = widget.NewButtonWithIcon("Undo changes", theme.ContentUndoIcon(), func() { d.fill(d.loaded) })
	d.saveMsg = errorLabel()
	return container.NewVBox(form, container.NewHBox(layout.NewSpacer(), d.revert, d.save), d.saveMsg)
}

// fill puts idp's settings in the form.
func (d *idpDetail) fill(idp core.IdP) {
	d.filling = true
	defer func() { d.filling = false }()
	d.loaded = idp
	d.displayName.SetText(idp.DisplayName)
	d.enabled.SetChecked(idp.Enabled)
	d.idpInitiated.SetChecked(idp.Security.AllowIdPInitiated)
	d.acceptSHA1.SetChecked(!idp.Security.RejectSHA1)
	d.signedResponse.SetChecked(idp.Security.RequireSignedResponse)
	d.signedAssertion.SetChecked(idp.Security.RequireSignedAssertion)
	every := idp.RefreshEvery
	if every == 0 {
		every = core.DefaultRefreshEvery
	}
	d.refreshHours.SetText(strconv.FormatFloat(every.Hours(), 'f', -1, 64))
	d.onEdited()
}

// edited is the form's settings; err says what is wrong with them.
func (d *idpDetail) edited() (idpSettings, error) {
	st := idpSettings{
		name:    strings.TrimSpace(d.displayName.Text),
		enabled: d.enabled.Checked,
		security: core.IdPSecurity{
			AllowIdPInitiated:      d.idpInitiated.Checked,
			RejectSHA1:             !d.acceptSHA1.Checked,
			RequireSignedResponse:  d.signedResponse.Checked,
			RequireSignedAssertion: d.signedAssertion.Checked,
		},
		every: d.loaded.RefreshEvery,
	}
	if d.loaded.MetadataSource == core.SourceURL {
		h, err := strconv.ParseFloat(strings.TrimSpace(d.refreshHours.Text), 64)
		if err != nil || h < 0.1 || h > 24*365 {
			return st, core.Errorf(core.EINVALID, "The refresh interval must be a number of hours from 0.1 to 8760.")
		}
		st.every = time.Duration(h * float64(time.Hour)).Round(time.Minute)
		if st.every == core.DefaultRefreshEvery {
			st.every = 0
		}
	}
	return st, nil
}

// dirty reports whether the form holds unsaved changes.
func (d *idpDetail) dirty() bool {
	st, err := d.edited()
	return err != nil || st != settingsOf(d.loaded)
}

func (d *idpDetail) onEdited() {
	if d.save == nil {
		return // still building
	}
	if d.dirty() {
		d.save.Enable()
		d.revert.Enable()
	} else {
		d.save.Disable()
		d.revert.Disable()
	}
}

// onIdPInitiated asks before IdP-initiated sign-in is switched on.
func (d *idpDetail) onIdPInitiated(on bool) {
	if !on || d.filling {
		return
	}
	msg := wrapped("An IdP-initiated (unsolicited) response is not an answer to a sign-in this console started, "+
		"so it cannot be tied to a request: anyone who gets hold of a valid response — from a proxy log, a browser "+
		"extension, a shared computer — can use it to sign in as that person until it expires.\n\n"+
		"Replay protection still applies: each response is accepted only once. Turn this on only if your IdP's "+
		"portal (an app tile or dashboard) must start sign-ins, and keep its assertion lifetime short.", widget.MediumImportance)
	d.risk = dialog.NewCustomConfirm("Allow IdP-initiated sign-in?", "Allow", "Keep it off", msg, func(ok bool) {
		d.risk = nil
		if !ok {
			d.idpInitiated.SetChecked(false)
		}
	}, d.s.app.win)
	d.risk.SetConfirmImportance(widget.WarningImportance)
	d.risk.Resize(fyne.NewSize(520, d.risk.MinSize().Height))
	d.risk.Show()
}

// onSave saves the form in the background.
func (d *idpDetail) onSave() {
	st, err := d.edited()
	if err == nil && st.name == "" {
		err = core.Errorf(core.EINVALID, "The display name must not be empty.")
	}
	if err != nil {
		showText(d.saveMsg, core.ErrorMessage(err), widget.DangerImportance)
		return
	}
	idp := d.loaded
	idp.DisplayName, idp.Enabled, idp.Security, idp.RefreshEvery = st.name, st.enabled, st.security, st.every
	d.save.Disable()
	showText(d.saveMsg, "Saving…", widget.LowImportance)
	a := d.s.app
	a.bridge.run(func() {
		saved, err := a.svc.UpdateIdP(a.ctx, idp)
		if a.ctx.Err() != nil {
			return
		}
		a.bridge.ui(func() {
			if err != nil {
				showText(d.saveMsg, "Not saved: "+core.ErrorMessage(err), widget.DangerImportance)
				d.onEdited()
				return
			}
			d.fill(saved)
			showText(d.saveMsg, "Saved.", widget.SuccessImportance)
			d.s.reload.Trigger()
		})
	})
}

// onRefresh fetches URL-sourced metadata again, in the background.
func (d *idpDetail) onRefresh() {
	d.refreshNow.Disable()
	d.refreshing.Show()
	d.refreshing.Start()
	showText(d.refreshMsg, "Fetching "+d.info.idp.MetadataURL+"…", widget.LowImportance)
	a, slug := d.s.app, d.slug
	btn, bar, msg := d.refreshNow, d.refreshing, d.refreshMsg
	a.bridge.run(func() {
		idp, err := a.svc.RefreshIdP(a.ctx, slug)
		if a.ctx.Err() != nil {
			return
		}
		a.bridge.ui(func() {
			btn.Enable()
			bar.Stop()
			bar.Hide()
			if err != nil {
				showText(msg, "Refresh failed; the last good metadata stays in use. "+core.ErrorMessage(err), widget.DangerImportance)
			} else {
				showText(msg, "Refreshed "+longTime(idp.RefreshedAt)+".", widget.SuccessImportance)
			}
			d.s.reload.Trigger()
		})
	})
}

// onSaveSPMetadata writes the SP metadata for this IdP to a file.
func (d *idpDetail) onSaveSPMetadata() {
	a, slug := d.s.app, d.slug
	save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			a.bridge.showErrorNow(err)
			return
		}
		if w != nil { // else cancelled
			d.writeSPMetadata(w)
		}
	}, a.win)
	save.SetFileName(slug + "-sp-metadata.xml")
	save.Show()
}

// writeSPMetadata writes the SP metadata to w in the background and says
// where it went.
func (d *idpDetail) writeSPMetadata(w fyne.URIWriteCloser) {
	a, slug := d.s.app, d.slug
	a.bridge.run(func() {
		data, err := a.svc.SPMetadataXML(a.ctx, slug)
		if err == nil {
			if _, werr := w.Write(data); werr != nil {
				err = core.Errorf(core.EUNAVAILABLE, "%s could not be written: %v", w.URI().Name(), werr)
			}
		}
		if cerr := w.Close(); err == nil && cerr != nil {
			err = core.Errorf(core.EUNAVAILABLE, "%s could not be written: %v", w.URI().Name(), cerr)
		}
		if a.ctx.Err() != nil {
			return
		}
		a.bridge.ui(func() {
			if err != nil {
				showText(d.spSaved, "Not saved: "+core.ErrorMessage(err), widget.DangerImportance)
				return
			}
			showText(d.spSaved, "Saved to "+w.URI().Path(), widget.SuccessImportance)
		})
	})
}

// onTestSignIn opens the browser at this IdP's SP-initiated login.
func (d *idpDetail) onTestSignIn() {
	u, err := url.Parse(d.info.ep.LoginURL)
	if err == nil {
		err = d.s.app.fyneApp.OpenURL(u)
	}
	if err != nil {
		d.s.app.bridge.showErrorNow(core.Errorf(core.EUNAVAILABLE, "The browser could not be opened: %v", err))
	}
}

// onRemove counts the IdP's accounts, then asks for confirmation.
func (d *idpDetail) onRemove() {
	a, slug, name := d.s.app, d.slug, d.info.idp.DisplayName
	d.remove.Disable()
	a.bridge.run(func() {
		users, err := a.svc.Users(a.ctx, core.UserFilter{IdPSlug: slug})
		if a.ctx.Err() != nil {
			return
		}
		a.bridge.ui(func() {
			d.remove.Enable()
			stay := "Its accounts stay, marked as from a removed IdP."
			if err == nil {
				stay = fmt.Sprintf("Its %s stay, marked as from a removed IdP.", plural(len(users), "user", "users"))
				if len(users) == 1 {
					stay = "Its 1 user stays, marked as from a removed IdP."
				}
			}
			msg := wrapped(fmt.Sprintf("Sign-ins through %s stop at once; its metadata and settings are deleted. %s", name, stay), widget.MediumImportance)
			d.removeConfirm = dialog.NewCustomConfirm("Remove "+name+"?", "Remove", "Cancel", msg, func(ok bool) {
				d.removeConfirm = nil
				if ok {
					d.doRemove()
				}
			}, a.win)
			d.removeConfirm.SetConfirmImportance(widget.DangerImportance)
			d.removeConfirm.Resize(fyne.NewSize(480, d.removeConfirm.MinSize().Height))
			d.removeConfirm.Show()
		})
	})
}

func (d *idpDetail) doRemove() {
	a, slug := d.s.app, d.slug
	d.remove.Disable()
	a.bridge.run(func() {
		err := a.svc.RemoveIdP(a.ctx, slug)
		if a.ctx.Err() != nil {
			return
		}
		a.bridge.ui(func() {
			d.remove.Enable()
			if err != nil {
				a.bridge.showErrorNow(err)
			}
			d.s.reload.Trigger()
		})
	})
}

// hoursText is "24 hours", "1 hour" or, for a part of an hour, "1h30m0s".
func hoursText(d time.Duration) string {
	if d%time.Hour == 0 {
		return plural(int(d/time.Hour), "hour", "hours")
	}
	return d.String()
}
