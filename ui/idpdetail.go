package ui

// The Identity Providers screen's detail pane of the selected IdP: its SP
// values to copy, metadata, settings, refresh, test sign-in and removal.

import (
	"context"
	"fmt"
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
	// healthRefresh is the header's "Refresh metadata now" (nil when the
	// health does not call for it).
	healthRefresh *widget.Button

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
	line := fmt.Sprintf("Slug “%s” · %s", i.idp.Slug, sourceName(i.idp))
	if i.idp.EntityID != "" {
		line += " · " + i.idp.EntityID
	}
	sub := widget.NewLabel(line)
	sub.Importance = widget.LowImportance
	sub.Wrapping = fyne.TextWrapBreak
	status, imp := idpStatus(i)
	state := widget.NewLabel(status)
	state.Importance = imp
	state.Wrapping = fyne.TextWrapWord
	switch {
	case i.idp.IsDraft():
		state.SetText("Draft: waiting for its metadata. Sign-ins through it are refused until “Continue setup…” imports it.")
	case !i.idp.Enabled:
		state.SetText("Disabled: sign-ins through this IdP are refused. " + status)
		if imp != widget.DangerImportance {
			state.Importance = widget.WarningImportance
		}
	}
	name := title(i.idp.DisplayName)
	name.Truncation = fyne.TextTruncateEllipsis
	box := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(theme.StorageIcon()), nil, name),
		sub, state)
	if b := d.healthAction(i); b != nil {
		box.Add(container.NewHBox(b))
	}
	return box
}

// buildValues is the card of what to paste into the IdP's admin console.
func (d *idpDetail) buildValues(i idpInfo) fyne.CanvasObject {
	values := newCopyRows(d.s.app)
	d.copies = values.copies
	rows, add := values.box, values.add
	add("SP entity ID", i.ep.EntityID, "Also called Audience or Identifier.")
	add("ACS URL", i.ep.ACSURL, "Also called Reply URL or Single sign-on URL; binding HTTP-POST.")
	add("NameID format", nameIDUnspecified, "unspecified — any persistent or email NameID works")
	add("SP metadata URL", i.ep.MetadataURL, "IdPs that import SP metadata read everything above from here.")
	add("Login URL", i.ep.LoginURL, "“Test sign-in” opens this SP-initiated login; copy it into any browser when none opens here.")
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
	if i.idp.IsDraft() {
		box.Add(wrapped("No metadata yet: “Continue setup…” above imports it.", widget.WarningImportance))
		return widget.NewCard("Metadata", "What the IdP published, as stored", box)
	}
	if i.metaErr != nil {
		box.Add(wrapped("The stored metadata no longer validates: "+errorText(i.metaErr), widget.DangerImportance))
	}
	box.Add(metadataView(i.meta))
	return widget.NewCard("Metadata", "What the IdP published, as stored", box)
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
		showText(d.saveMsg, errorText(err), widget.DangerImportance)
		return
	}
	idp := d.loaded
	idp.DisplayName, idp.Enabled, idp.Security, idp.RefreshEvery = st.name, st.enabled, st.security, st.every
	d.save.Disable()
	showText(d.saveMsg, "Saving…", widget.LowImportance)
	a := d.s.app
	background(a, "save IdP "+idp.Slug, func(ctx context.Context) (core.IdP, error) {
		return a.svc.UpdateIdP(ctx, idp)
	}, func(saved core.IdP, err error) {
		if err != nil {
			showText(d.saveMsg, "Not saved: "+errorText(err), widget.DangerImportance)
			d.onEdited()
			return
		}
		d.fill(saved)
		showText(d.saveMsg, "Saved.", widget.SuccessImportance)
		d.s.reload.Trigger()
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
	background(a, "refresh the metadata of "+slug, func(ctx context.Context) (core.IdP, error) {
		return a.svc.RefreshIdP(ctx, slug)
	}, func(idp core.IdP, err error) {
		btn.Enable()
		bar.Stop()
		bar.Hide()
		if err != nil {
			showText(msg, "Refresh failed; the last good metadata stays in use. "+errorText(err), widget.DangerImportance)
		} else {
			showText(msg, "Refreshed "+longTime(idp.RefreshedAt)+".", widget.SuccessImportance)
		}
		d.s.reload.Trigger()
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
	backgroundErr(a, "save the SP metadata of "+slug, func(ctx context.Context) error {
		data, err := a.svc.SPMetadataXML(ctx, slug)
		return writeFile(w, data, err)
	}, func(err error) {
		if err != nil {
			showText(d.spSaved, "Not saved: "+errorText(err), widget.DangerImportance)
			return
		}
		showText(d.spSaved, "Saved to "+w.URI().Path(), widget.SuccessImportance)
	})
}

// onTestSignIn opens the browser at this IdP's SP-initiated login.
func (d *idpDetail) onTestSignIn() {
	d.s.app.openURL(d.info.ep.LoginURL) // a dialog with the URL if no browser opens
}

// onRemove counts the IdP's accounts, then asks for confirmation.
func (d *idpDetail) onRemove() {
	a, slug, name := d.s.app, d.slug, d.info.idp.DisplayName
	d.remove.Disable()
	background(a, "count the accounts of "+slug, func(ctx context.Context) ([]core.User, error) {
		return a.svc.Users(ctx, core.UserFilter{IdPSlug: slug})
	}, func(users []core.User, err error) {
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
}

func (d *idpDetail) doRemove() {
	a, slug := d.s.app, d.slug
	d.remove.Disable()
	backgroundErr(a, "remove IdP "+slug, func(ctx context.Context) error {
		return a.svc.RemoveIdP(ctx, slug)
	}, func(err error) {
		d.remove.Enable()
		if err != nil {
			a.bridge.showErrorNow(err)
		}
		d.s.reload.Trigger()
	})
}

// hoursText is "24 hours", "1 hour" or, for a part of an hour, "1h30m0s".
func hoursText(d time.Duration) string {
	if d%time.Hour == 0 {
		return plural(int(d/time.Hour), "hour", "hours")
	}
	return d.String()
}
