package ui

// The Activity screen's "Audit log" tab: admin changes, newest first, with
// who made each.

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// auditLimit is how many admin changes the audit log shows.
const auditLimit = 500

// auditLog is the Activity screen's "Audit log" tab: every admin change,
// newest first — who made it (the OS user), what it was, and the before
// and after — updating live as changes are made.
type auditLog struct {
	app     *App
	content fyne.CanvasObject
	reload  *throttle

	list     []core.Event
	listView *widget.List
	count    *widget.Label
	selected int64 // the event the detail shows, 0 for none

	what   *widget.Label
	facts  *widget.Label
	change *widget.Label // before and after, monospace
	detail *fyne.Container
}

func newAuditLog(a *App) *auditLog {
	v := &auditLog{app: a}
	v.reload = newThrottle(a.bridge, a.refresh, v.read)
	a.feed.listen(func(e core.Event) {
		if e.Kind == core.EventAdminChange {
			v.reload.Trigger()
		}
	})
	v.content = v.build()
	return v
}

func (v *auditLog) stop() { v.reload.Stop() }

func (v *auditLog) build() fyne.CanvasObject {
	v.count = wrapped("Loading the audit log…", widget.MediumImportance)
	v.listView = widget.NewList(func() int { return len(v.list) }, newAuditRow,
		func(id widget.ListItemID, o fyne.CanvasObject) { updateAuditRow(o, v.list[id]) })
	v.listView.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(v.list) {
			v.show(v.list[id])
		}
	}
	head := container.NewVBox(title("Audit log"),
		wrapped("Every change an administrator made: IdPs, mappings, roles, grants, accounts.", widget.LowImportance), v.count)
	left := container.NewBorder(head, nil, nil, nil, v.listView)

	v.what = title("")
	v.what.Wrapping = fyne.TextWrapWord
	v.facts = wrapped("", widget.LowImportance)
	v.change = mono("")
	v.detail = container.NewVBox()
	v.showNone()
	split := container.NewHSplit(left, container.NewVScroll(container.NewPadded(v.detail)))
	split.Offset = 0.5
	return split
}

func newAuditRow() fyne.CanvasObject {
	at := widget.NewLabel("2006-01-02 15:04:05")
	at.Importance = widget.LowImportance
	// The actor column is as wide as "administrator" in every row, so the
	// messages line up; a longer name ends in an ellipsis.
	wide := widget.NewLabelWithStyle("administrator", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}).MinSize().Width
	who := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	who.Truncation = fyne.TextTruncateEllipsis
	what := widget.NewLabel("")
	what.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil,
		container.NewHBox(widget.NewIcon(theme.DocumentCreateIcon()), at, container.New(atLeast{Width: wide}, who)), nil, what)
}

func updateAuditRow(o fyne.CanvasObject, e core.Event) {
	row := o.(*fyne.Container)
	row.Objects[0].(*widget.Label).SetText(e.Message)
	left := row.Objects[1].(*fyne.Container).Objects
	left[1].(*widget.Label).SetText(longTime(e.At))
	left[2].(*fyne.Container).Objects[0].(*widget.Label).SetText(auditWho(e))
}

// auditWho is who made a change: the OS user, or the console itself
// (the demo IdP's registration at first start, a metadata refresh).
func auditWho(e core.Event) string {
	if e.Subject == "" {
		return "the console"
	}
	return e.Subject
}

// read runs in a background goroutine.
func (v *auditLog) read() {
	ctx := v.app.ctx
	list, err := v.app.svc.AuditLog(ctx, auditLimit)
	v.app.deliver("read the audit log", err, func() { v.apply(list, err) })
}

// apply shows a read, on the UI goroutine.
func (v *auditLog) apply(list []core.Event, err error) {
	if err != nil {
		showText(v.count, "The audit log could not be read: "+errorText(err), widget.DangerImportance)
		return
	}
	v.list = list
	v.listView.Refresh()
	if i := slices.IndexFunc(list, func(e core.Event) bool { return e.ID == v.selected }); i >= 0 {
		v.listView.Select(i)
	} else {
		v.listView.UnselectAll()
	}
	switch {
	case len(list) == 0:
		showText(v.count, "No admin change yet. Saving a mapping, editing the role catalogue or granting a role appears here at once.", widget.MediumImportance)
	case len(list) >= auditLimit:
		showText(v.count, fmt.Sprintf("The newest %d changes.", len(list)), widget.MediumImportance)
	default:
		showText(v.count, plural(len(list), "change", "changes")+", newest first", widget.MediumImportance)
	}
}

func (v *auditLog) showNone() {
	hint := wrapped("Select a change to see who made it and what was before and after.", widget.LowImportance)
	hint.Alignment = fyne.TextAlignCenter
	v.detail.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewIcon(theme.DocumentCreateIcon())), hint}
	v.detail.Refresh()
}

// show puts one change in the detail pane.
func (v *auditLog) show(e core.Event) {
	v.selected = e.ID
	v.what.SetText(e.Message)
	facts := fmt.Sprintf("%s · by %s · event #%d", longTime(e.At), auditWho(e), e.ID)
	if e.IdPSlug != "" {
		facts += " · IdP “" + e.IdPSlug + "”"
	}
	if e.UserID != 0 {
		facts += fmt.Sprintf(" · account #%d", e.UserID)
	}
	v.facts.SetText(facts)
	v.change.SetText(orDash(e.Detail))
	who := formRows("Who", auditWho(e), "When", longTime(e.At))
	v.detail.Objects = []fyne.CanvasObject{
		container.NewBorder(nil, nil, widget.NewIcon(theme.DocumentCreateIcon()), nil, v.what),
		v.facts,
		widget.NewCard("", "Who and when", who),
		widget.NewCard("", "Before and after", v.change),
	}
	v.detail.Refresh()
}
