package ui

// The Activity screen (tab "Activity"): the flight recorder's sign-ins with
// their filters, updating live, and the selected entry's decoded detail. Its
// audit log tab is in audit.go, the validator window in validator.go.

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// recordingLimit is how many flight recorder entries the list holds; the
// filters narrow the rest down.
const recordingLimit = 500

// Options of the Activity screen's filters.
const (
	allIdPs      = "All identity providers"
	allOutcomes  = "All outcomes"
	onlyAccepted = "Accepted"
	onlyRefused  = "Refused"
)

// timeRanges are the time filter's choices; 0 is all time.
var timeRanges = []struct {
	label string
	span  time.Duration
}{
	{"Last hour", time.Hour},
	{"Last 24 hours", 24 * time.Hour},
	{"Last 7 days", 7 * 24 * time.Hour},
	{"Last 30 days", 30 * 24 * time.Hour},
	{"All time", 0},
}

// recordingQuery is what the filters select, read by the background read.
type recordingQuery struct {
	idp     string // slug, "" for all
	outcome core.Outcome
	search  string
	span    time.Duration
}

// activity is the Activity screen, in two tabs. "Sign-ins": the flight
// recorder's entries with filters on the left, updating live, and the
// selected entry's decoded detail on the right; "Validate a response…"
// opens the validator. "Audit log": every admin change (auditLog).
type activity struct {
	app        *App
	content    fyne.CanvasObject
	reload     *throttle
	loadDetail *throttle

	tabs     *container.AppTabs
	auditTab *container.TabItem
	audit    *auditLog

	idpSelect     *widget.Select
	idpOptions    map[string]string // option → slug
	outcomeSelect *widget.Select
	rangeSelect   *widget.Select
	search        *widget.Entry
	searchTimer   *time.Timer
	validate      *widget.Button

	queryMu  sync.Mutex
	query    recordingQuery
	selected atomic.Int64 // the entry the detail shows, 0 for none

	list     []core.Recording
	listView *widget.List
	count    *widget.Label
	detail   *recordView
}

func newActivity(a *App) *activity {
	v := &activity{app: a, query: recordingQuery{span: 24 * time.Hour}}
	v.reload = newThrottle(a.bridge, a.refresh, v.read)
	v.loadDetail = newThrottle(a.bridge, a.refresh, v.readDetail)
	a.feed.listen(func(e core.Event) {
		switch e.Kind {
		case core.EventLoginRefused, core.EventUserCreated, core.EventUserUpdated,
			core.EventIdPRegistered, core.EventIdPRemoved, core.EventAdminChange:
			v.reload.Trigger()
		}
	})
	v.audit = newAuditLog(a)
	v.auditTab = container.NewTabItemWithIcon("Audit log", theme.DocumentCreateIcon(), v.audit.content)
	v.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Sign-ins", theme.LoginIcon(), v.build()),
		v.auditTab)
	v.content = v.tabs
	return v
}

func (v *activity) stop() {
	v.audit.stop()
	v.reload.Stop()
	v.loadDetail.Stop()
	if v.searchTimer != nil {
		v.searchTimer.Stop()
	}
}

func (v *activity) build() fyne.CanvasObject {
	v.idpOptions = map[string]string{allIdPs: ""}
	v.idpSelect = widget.NewSelect([]string{allIdPs}, func(opt string) {
		v.setQuery(func(q *recordingQuery) { q.idp = v.idpOptions[opt] })
	})
	v.idpSelect.SetSelected(allIdPs)
	v.outcomeSelect = widget.NewSelect([]string{allOutcomes, onlyAccepted, onlyRefused}, func(opt string) {
		v.setQuery(func(q *recordingQuery) {
			q.outcome = map[string]core.Outcome{onlyAccepted: core.OutcomeAccepted, onlyRefused: core.OutcomeRefused}[opt]
		})
	})
	v.outcomeSelect.SetSelected(allOutcomes)
	ranges := make([]string, len(timeRanges))
	for i, r := range timeRanges {
		ranges[i] = r.label
	}
	v.rangeSelect = widget.NewSelect(ranges, func(opt string) {
		i := slices.Index(ranges, opt)
		v.setQuery(func(q *recordingQuery) { q.span = timeRanges[i].span })
	})
	v.rangeSelect.SetSelected("Last 24 hours")
	v.search = widget.NewEntry()
	v.search.SetPlaceHolder("Search NameID, refusal class or reason")
	v.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	v.search.OnChanged = v.onSearch
	v.validate = widget.NewButtonWithIcon("Validate a response…", theme.ConfirmIcon(), v.app.openValidator)
	v.count = widget.NewLabel("Loading the flight recorder…")
	v.count.Wrapping = fyne.TextWrapWord

	v.listView = widget.NewList(func() int { return len(v.list) }, newRecordingRow,
		func(id widget.ListItemID, o fyne.CanvasObject) { updateRecordingRow(o, v.list[id]) })
	v.listView.OnSelected = v.onSelect

	head := container.NewBorder(nil, nil, title("Flight recorder"), v.validate)
	filters := container.NewVBox(
		container.NewGridWithColumns(3, v.idpSelect, v.outcomeSelect, v.rangeSelect),
		v.search, v.count)
	left := container.NewBorder(container.NewVBox(head, filters), nil, nil, nil, v.listView)

	v.detail = newRecordView(v.app, false)
	v.detail.message("Select a sign-in to see what the IdP sent: the verdict, signatures, times, attributes and the XML.",
		widget.LowImportance, theme.HistoryIcon())
	split := container.NewHSplit(left, container.NewPadded(v.detail.content))
	split.Offset = 0.42
	return split
}

// newRecordingRow is a row of the flight recorder: the outcome's icon,
// then the NameID over the whole width left, and under it the refusal
// class (or what was done) with the time and the IdP; each line truncates
// rather than running into the next column.
func newRecordingRow() fyne.CanvasObject {
	icon := widget.NewIcon(theme.InfoIcon())
	nameID := widget.NewLabel("")
	nameID.Truncation = fyne.TextTruncateEllipsis
	class := widget.NewLabel("")
	meta := widget.NewLabel("2006-01-02 15:04:05 · idp-slug")
	meta.Importance = widget.LowImportance
	meta.Truncation = fyne.TextTruncateEllipsis
	second := container.NewBorder(nil, nil, class, nil, meta)
	lines := container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), nameID, second)
	return container.NewBorder(nil, nil, container.NewCenter(icon), nil, lines)
}

func updateRecordingRow(o fyne.CanvasObject, r core.Recording) {
	row := o.(*fyne.Container)
	lines := row.Objects[0].(*fyne.Container).Objects
	row.Objects[1].(*fyne.Container).Objects[0].(*widget.Icon).SetResource(outcomeIcon(r.Outcome))
	lines[0].(*widget.Label).SetText(orDash(r.NameID))
	second := lines[1].(*fyne.Container)
	meta, class := second.Objects[0].(*widget.Label), second.Objects[1].(*widget.Label)
	meta.SetText("· " + longTime(r.At) + " · " + orDash(r.IdPSlug))
	switch {
	case r.Outcome == core.OutcomeRefused:
		class.Importance = widget.DangerImportance
		class.SetText(orDash(r.Class) + timesSuffix(r.Count))
	case r.Weak:
		class.Importance = widget.WarningImportance
		class.SetText(r.Action + ", weak algorithm")
	default:
		class.Importance = widget.SuccessImportance
		class.SetText(orDash(r.Action))
	}
	row.Refresh()
}

// setQuery changes the filters and reads again.
func (v *activity) setQuery(change func(*recordingQuery)) {
	v.queryMu.Lock()
	change(&v.query)
	v.queryMu.Unlock()
	if v.reload != nil {
		v.reload.Trigger()
	}
}

func (v *activity) currentQuery() recordingQuery {
	v.queryMu.Lock()
	defer v.queryMu.Unlock()
	return v.query
}

// onSearch runs the search once typing pauses.
func (v *activity) onSearch(text string) {
	v.queryMu.Lock()
	v.query.search = strings.TrimSpace(text)
	v.queryMu.Unlock()
	if v.searchTimer != nil {
		v.searchTimer.Stop()
	}
	v.searchTimer = time.AfterFunc(searchDelay, v.reload.Trigger)
}

// read runs in a background goroutine: the entries the filters select,
// and the IdPs for the IdP filter.
func (v *activity) read() {
	ctx := v.app.ctx
	q := v.currentQuery()
	f := core.RecordingFilter{IdPSlug: q.idp, Outcome: q.outcome, Search: q.search, Limit: recordingLimit}
	if q.span > 0 {
		f.Since = time.Now().Add(-q.span)
	}
	list, err := v.app.svc.Recordings(ctx, f)
	idps, _ := v.app.svc.IdPs(ctx)
	v.app.deliver("read the flight recorder", err, func() { v.apply(q, list, idps, err) })
}

// apply shows a read, on the UI goroutine.
func (v *activity) apply(q recordingQuery, list []core.Recording, idps []core.IdP, err error) {
	v.applyIdPs(idps)
	if err != nil {
		showText(v.count, "The flight recorder could not be read: "+errorText(err), widget.DangerImportance)
		return
	}
	v.list = list
	v.listView.Refresh()
	id := v.selected.Load()
	if i := slices.IndexFunc(list, func(r core.Recording) bool { return r.ID == id }); i >= 0 {
		v.listView.Select(i) // the same entry: onSelect does not read it again
	} else {
		v.listView.UnselectAll() // the detail keeps showing it
	}
	refused := 0
	for _, r := range list {
		if r.Outcome == core.OutcomeRefused {
			refused++
		}
	}
	text := fmt.Sprintf("%s, %d refused", plural(len(list), "sign-in", "sign-ins"), refused)
	switch {
	case len(list) >= recordingLimit:
		text = fmt.Sprintf("The newest %d sign-ins are shown; narrow the filters to find others.", len(list))
	case len(list) == 0 && q == (recordingQuery{span: q.span}):
		text = "No sign-ins in this period. Sign in through an IdP (the Demo screen has personas) and it appears here at once."
	case len(list) == 0:
		text = "No sign-in matches these filters."
	}
	showText(v.count, text, widget.MediumImportance)
}

// applyIdPs keeps the IdP filter's options in step with the connections.
func (v *activity) applyIdPs(idps []core.IdP) {
	opts := []string{allIdPs}
	byOpt := map[string]string{allIdPs: ""}
	for _, idp := range idps {
		opt := fmt.Sprintf("%s (%s)", idp.DisplayName, idp.Slug)
		opts = append(opts, opt)
		byOpt[opt] = idp.Slug
	}
	if slices.Equal(opts, v.idpSelect.Options) {
		return
	}
	current := v.currentQuery().idp
	v.idpOptions = byOpt
	v.idpSelect.SetOptions(opts)
	for opt, slug := range byOpt {
		if slug == current && opt != v.idpSelect.Selected {
			v.idpSelect.SetSelected(opt) // a renamed IdP keeps its filter
		}
	}
}

func (v *activity) onSelect(id widget.ListItemID) {
	if id < 0 || id >= len(v.list) {
		return
	}
	r := v.list[id]
	if v.selected.Swap(r.ID) == r.ID {
		return
	}
	v.detail.message("Decoding the response…", widget.LowImportance, theme.HistoryIcon())
	v.loadDetail.Trigger()
}

// readDetail runs in a background goroutine: the selected entry, decoded.
func (v *activity) readDetail() {
	ctx := v.app.ctx
	id := v.selected.Load()
	if id == 0 {
		return
	}
	rec, err := v.app.svc.Recording(ctx, id)
	v.app.deliver(fmt.Sprintf("read recording %d", id), err, func() {
		if v.selected.Load() != id {
			return // another entry was selected meanwhile
		}
		if err != nil {
			v.detail.message("This entry could not be read: "+errorText(err), widget.DangerImportance, theme.ErrorIcon())
			return
		}
		v.detail.show(rec)
	})
}
