package ui

import (
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

const (
	// userLimit is how many accounts the table holds; a search narrows
	// the rest down.
	userLimit = 1000
	// searchDelay is how long typing must pause before a search runs.
	searchDelay = 250 * time.Millisecond
)

// userColumn is one column of the users table.
type userColumn struct {
	title string
	width float32
	value func(core.User) string
}

var userColumns = []userColumn{
	{"Username", 150, func(u core.User) string { return u.Username }},
	{"Display name", 150, func(u core.User) string { return u.DisplayName }},
	{"Email", 210, func(u core.User) string { return u.Email }},
	{"IdP", 60, userIdP},
	{"Roles", 140, func(u core.User) string { return roleNames(u.Roles) }},
	{"Created", 115, func(u core.User) string { return shortTime(u.CreatedAt) }},
	{"Last sign-in", 115, func(u core.User) string { return shortTime(u.LastLoginAt) }},
	{"Sign-ins", 75, func(u core.User) string { return strconv.Itoa(u.LoginCount) }},
}

// users is the Users screen: the accounts table with a search, and the
// detail pane of the selected account.
type users struct {
	app        *App
	content    fyne.CanvasObject
	reload     *throttle // re-reads the table
	loadDetail *throttle // re-reads the selected account

	search      *widget.Entry
	searchTimer *time.Timer
	queryMu     sync.Mutex
	query       string       // the search the next read uses
	selected    atomic.Int64 // the account the detail pane shows, 0 for none

	list        []core.User
	selectedRow int // row of the selected account in list, -1 if none
	table       *widget.Table
	count       *widget.Label

	detail       *fyne.Container // the detail pane's content, rebuilt per account
	detailScroll *container.Scroll
	detailTitle  *widget.Label
}

func newUsers(a *App) *users {
	u := &users{app: a, selectedRow: -1}
	u.reload = newThrottle(a.bridge, refreshInterval, u.read)
	u.loadDetail = newThrottle(a.bridge, refreshInterval, u.readDetail)
	a.feed.listen(u.onEvent)
	u.content = u.build()
	return u
}

func (u *users) stop() {
	u.reload.Stop()
	u.loadDetail.Stop()
}

// onEvent runs on the feed goroutine.
func (u *users) onEvent(e core.Event) {
	if e.Kind != core.EventUserCreated && e.Kind != core.EventUserUpdated {
		return
	}
	u.reload.Trigger()
	if e.UserID != 0 && e.UserID == u.selected.Load() {
		u.loadDetail.Trigger()
	}
}

func (u *users) build() fyne.CanvasObject {
	u.search = widget.NewEntry()
	u.search.SetPlaceHolder("Search username, name, email or NameID")
	u.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	u.search.OnChanged = u.onSearch
	u.count = widget.NewLabel("Loading accounts…")

	u.table = widget.NewTable(u.size, newUserCell, u.updateCell)
	u.table.ShowHeaderRow = true
	u.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	u.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(userColumns) {
			o.(*widget.Label).SetText(userColumns[id.Col].title)
		}
	}
	for i, c := range userColumns {
		u.table.SetColumnWidth(i, c.width)
	}
	u.table.OnSelected = u.onSelect

	list := container.NewBorder(
		container.NewVBox(u.search, u.count), nil, nil, nil, u.table)

	u.detail = container.NewVBox()
	u.detailTitle = widget.NewLabel("")
	u.showNoSelection()
	u.detailScroll = container.NewVScroll(u.detail)
	split := container.NewHSplit(list, u.detailScroll)
	split.Offset = 0.66
	return split
}

// userIdP is the account's IdP slug, marked when that IdP was removed.
func userIdP(u core.User) string {
	if u.IdPRemoved {
		return u.IdPSlug + " (removed)"
	}
	return u.IdPSlug
}

func (u *users) size() (int, int) { return len(u.list), len(userColumns) }

func newUserCell() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.Transparent)
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return container.NewStack(bg, l)
}

func (u *users) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	cell := o.(*fyne.Container)
	bg, l := cell.Objects[0].(*canvas.Rectangle), cell.Objects[1].(*widget.Label)
	if id.Row < 0 || id.Row >= len(u.list) {
		l.SetText("")
		return
	}
	l.SetText(userColumns[id.Col].value(u.list[id.Row]))
	var fill color.Color = color.Transparent
	if id.Row == u.selectedRow {
		fill = theme.Color(theme.ColorNameSelection)
	}
	if bg.FillColor != fill {
		bg.FillColor = fill
		bg.Refresh()
	}
}

// onSearch runs the search once typing pauses.
func (u *users) onSearch(text string) {
	u.queryMu.Lock()
	u.query = strings.TrimSpace(text)
	u.queryMu.Unlock()
	if u.searchTimer != nil {
		u.searchTimer.Stop()
	}
	u.searchTimer = time.AfterFunc(searchDelay, u.reload.Trigger)
}

func (u *users) currentQuery() string {
	u.queryMu.Lock()
	defer u.queryMu.Unlock()
	return u.query
}

// read runs in a background goroutine.
func (u *users) read() {
	ctx := u.app.ctx
	q := u.currentQuery()
	list, err := u.app.svc.Users(ctx, core.UserFilter{Search: q, Limit: userLimit})
	if ctx.Err() != nil {
		return
	}
	u.app.bridge.ui(func() { u.applyList(q, list, err) })
}

// applyList shows a read of the table, on the UI goroutine.
func (u *users) applyList(q string, list []core.User, err error) {
	if err != nil {
		u.count.Importance = widget.DangerImportance
		u.count.SetText("The accounts could not be read: " + core.ErrorMessage(err))
		return
	}
	u.list = list
	oldRow := u.selectedRow
	u.selectedRow = slices.IndexFunc(list, func(x core.User) bool { return x.ID == u.selected.Load() })
	if oldRow != u.selectedRow {
		// The table's own highlight stays on a cell position; the row
		// highlight drawn by updateCell follows the account.
		u.table.UnselectAll()
	}
	u.table.Refresh()

	u.count.Importance = widget.MediumImportance
	switch {
	case len(list) >= userLimit:
		u.count.SetText(fmt.Sprintf("The newest %d accounts are shown; search to find others.", len(list)))
	case q != "":
		u.count.SetText(fmt.Sprintf("%s match “%s”", plural(len(list), "account", "accounts"), q))
	case len(list) == 0:
		u.count.SetText("No accounts yet. Sign in as a demo persona, or simulate new hires on the Demo screen.")
	default:
		u.count.SetText(plural(len(list), "account", "accounts") + ", newest first")
	}
}

func (u *users) onSelect(id widget.TableCellID) {
	if id.Row < 0 || id.Row >= len(u.list) {
		return
	}
	user := u.list[id.Row]
	u.selectedRow = id.Row
	u.table.Refresh()
	if u.selected.Swap(user.ID) != user.ID {
		u.showLoading(user)
	}
	u.loadDetail.Trigger()
}

// readDetail runs in a background goroutine.
func (u *users) readDetail() {
	ctx := u.app.ctx
	id := u.selected.Load()
	if id == 0 {
		return
	}
	d, err := u.app.svc.User(ctx, id)
	if ctx.Err() != nil {
		return
	}
	u.app.bridge.ui(func() {
		if u.selected.Load() != id {
			return // another account was selected meanwhile
		}
		if err != nil {
			u.showDetailError(err)
			return
		}
		u.showDetail(d)
	})
}

func (u *users) showNoSelection() {
	hint := widget.NewLabel("Select an account to see its roles, the attributes of its last assertion and its sign-in history.")
	hint.Wrapping = fyne.TextWrapWord
	hint.Alignment = fyne.TextAlignCenter
	hint.Importance = widget.LowImportance
	u.detail.Objects = []fyne.CanvasObject{layout.NewSpacer(), container.NewCenter(widget.NewIcon(theme.AccountIcon())), hint}
	u.detail.Refresh()
	if u.detailScroll != nil {
		u.detailScroll.Refresh()
	}
}

func (u *users) showLoading(user core.User) {
	u.setDetail(user.DisplayName, widget.NewLabel("Loading…"))
}

func (u *users) showDetailError(err error) {
	l := widget.NewLabel("This account could not be read: " + core.ErrorMessage(err))
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	u.setDetail(u.detailTitle.Text, l)
}

func (u *users) setDetail(title string, parts ...fyne.CanvasObject) {
	u.detailTitle = widget.NewLabelWithStyle(orDash(title), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.detailTitle.SizeName = theme.SizeNameSubHeadingText
	u.detailTitle.Truncation = fyne.TextTruncateEllipsis
	head := container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), nil, u.detailTitle)
	u.detail.Objects = append([]fyne.CanvasObject{head}, parts...)
	u.detail.Refresh()
	u.detailScroll.Refresh()
}

// showDetail shows an account's identity, roles, attributes and logins.
func (u *users) showDetail(d core.UserDetail) {
	identity := formRows(
		"Username", d.Username,
		"Email", d.Email,
		"NameID", d.NameID,
		"IdP", userIdP(d.User),
		"Created", longTime(d.CreatedAt),
		"Last sign-in", longTime(d.LastLoginAt),
		"Sign-ins", strconv.Itoa(d.LoginCount),
	)
	u.setDetail(orDash(d.DisplayName),
		widget.NewCard("", "Identity", identity),
		widget.NewCard("", "Roles", rolesView(d.Roles)),
		widget.NewCard("", "Attributes of the last assertion", attributesView(d.Attributes)),
		widget.NewCard("", "Sign-in history", loginsView(d.Logins)),
	)
}

// formRows lays out name, value pairs in two columns.
func formRows(pairs ...string) *fyne.Container {
	rows := container.New(layout.NewFormLayout())
	for i := 0; i+1 < len(pairs); i += 2 {
		v := widget.NewLabel(orDash(pairs[i+1]))
		v.Wrapping = fyne.TextWrapBreak
		v.Selectable = true
		rows.Add(widget.NewLabelWithStyle(pairs[i], fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		rows.Add(v)
	}
	return rows
}

func rolesView(roles []core.RoleGrant) fyne.CanvasObject {
	if len(roles) == 0 {
		return lowLabel("No roles: no rule matched and there is no default role.")
	}
	box := container.NewVBox()
	for _, r := range roles {
		name := widget.NewLabelWithStyle(r.Role, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		box.Add(container.NewBorder(nil, nil,
			container.NewHBox(widget.NewIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon())), name),
			nil, widget.NewLabelWithStyle(r.Source, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})))
	}
	return box
}

func attributesView(attrs core.Attributes) fyne.CanvasObject {
	if len(attrs) == 0 {
		return lowLabel("No attributes recorded.")
	}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	slices.Sort(names)
	pairs := make([]string, 0, 2*len(names))
	for _, name := range names {
		pairs = append(pairs, name, strings.Join(attrs[name], "\n"))
	}
	return formRows(pairs...)
}

func loginsView(logins []core.Login) fyne.CanvasObject {
	if len(logins) == 0 {
		return lowLabel("No sign-ins recorded.")
	}
	box := container.NewVBox()
	for _, l := range logins {
		reason := l.Reason
		if reason == "" && l.Outcome == core.OutcomeAccepted {
			reason = "Signed in"
		}
		at := widget.NewLabel(longTime(l.At))
		outcome := widget.NewLabel(l.Outcome)
		outcome.Importance = outcomeImportance(l.Outcome)
		why := widget.NewLabel(reason)
		why.Wrapping = fyne.TextWrapWord
		box.Add(container.NewBorder(nil, nil,
			container.NewHBox(widget.NewIcon(outcomeIcon(l.Outcome)), at, outcome), nil, why))
	}
	return box
}

func lowLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}
