package ui

// The Identity Providers screen (tab "Identity Providers"): its controller
// and the list of connected IdPs. The selected IdP's pane is in
// idpdetail.go, the add dialog in idpimport.go.

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
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
	health  core.IdPHealth
}

// version identifies what info shows, to rebuild the detail pane only when
// something changed.
func (i idpInfo) version() string {
	return fmt.Sprint(i.idp, i.ep, i.meta, errorText(i.metaErr), i.health)
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
	wizard       *idpWizard // the open wizard, nil when none
}

func newIdPs(a *App) *idps {
	s := &idps{app: a}
	s.reload = newThrottle(a.bridge, a.refresh, s.read)
	a.feed.listen(func(e core.Event) {
		switch e.Kind {
		case core.EventUserCreated, core.EventUserUpdated, core.EventLoginRefused:
			a.bridge.ui(func() {
				if s.wizard != nil {
					s.wizard.onEvent(e)
				}
			})
			s.reload.Trigger() // the health badges
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
		func(id widget.ListItemID, o fyne.CanvasObject) { s.updateIdPRow(o, s.list[id]) },
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
	split := container.NewHSplit(left, wheelScrolls(s.detailScroll)) // the wheel scrolls the settings form over its entries too
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
	refresh := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), nil)
	refresh.Importance = widget.LowImportance
	refresh.Hide()
	return container.NewBorder(nil, nil, container.NewCenter(icon), container.NewCenter(refresh),
		container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), name, sub, status))
}

func (s *idps) updateIdPRow(o fyne.CanvasObject, i idpInfo) {
	row := o.(*fyne.Container)
	lines := row.Objects[0].(*fyne.Container).Objects
	icon := row.Objects[1].(*fyne.Container).Objects[0].(*widget.Icon)
	refresh := row.Objects[2].(*fyne.Container).Objects[0].(*widget.Button)
	if offersRefresh(i) {
		slug := i.idp.Slug
		refresh.OnTapped = func() { s.refreshMetadata(slug, nil) }
		refresh.Show()
	} else {
		refresh.Hide()
	}
	lines[0].(*widget.Label).SetText(i.idp.DisplayName)
	state := "enabled"
	switch {
	case i.idp.IsDraft():
		state = "draft"
	case !i.idp.Enabled:
		state = "disabled"
	}
	lines[1].(*widget.Label).SetText(fmt.Sprintf("%s · %s · %s", i.idp.Slug, sourceName(i.idp), state))
	text, imp := idpStatus(i)
	if i.health.State == core.HealthOK {
		text = "OK · " + text
	}
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
	if h := i.health; h.State != "" && h.State != core.HealthOK {
		return h.Text, healthImportance(h.State)
	}
	if i.idp.RefreshError != "" {
		return "Refresh failed: " + i.idp.RefreshError, widget.DangerImportance
	}
	if i.metaErr != nil {
		return errorText(i.metaErr), widget.DangerImportance
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
	if idp.IsDraft() {
		return "no metadata yet"
	}
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
		return string(idp.MetadataSource)
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
		if !idp.IsDraft() {
			i.meta, i.metaErr = svc.PreviewMetadata(ctx, core.MetadataInput{
				Source: core.SourcePaste, Name: idp.Slug, Data: []byte(idp.MetadataXML), EntityID: idp.EntityID})
		}
		var herr error
		if i.health, herr = svc.IdPHealth(ctx, idp); herr != nil {
			i.health = core.IdPHealth{State: core.HealthOK, Text: "Health unknown: " + errorText(herr)}
		}
		infos = append(infos, i)
	}
	s.app.deliver("read the identity providers", err, func() { s.apply(infos, err) })
}

// apply shows a read, on the UI goroutine, keeping the selection on the
// same IdP (or moving it to a newly added one).
func (s *idps) apply(infos []idpInfo, err error) {
	if err != nil {
		showText(s.count, "The identity providers could not be read: "+errorText(err), widget.DangerImportance)
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
