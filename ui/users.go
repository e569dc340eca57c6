package ui

// The Users screen (tab "Users"): its controller, the accounts table and its
// columns, reading the accounts and selecting one. The search and filters
// are in users_filters.go, the stale-accounts view with bulk disable in
// users_stale.go, Export CSV… in users_export.go, the selected account's
// pane in userdetail.go.

import (
	"errors"
	"image/color"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

const (
	// searchDelay is how long typing must pause before a search runs
	// (the Activity screen's; Users debounces with typingDelay).
	searchDelay = 250 * time.Millisecond
	// defaultStaleDays is the stale view's default: no sign-in for 90 days.
	defaultStaleDays = 90
)

// users is the Users screen: the accounts table with a search, filters
// (IdP, role, status, warnings), the stale-accounts view with bulk disable
// and the CSV export on the left; the selected account's detail, with its
// roles, their provenance and the account's actions, on the right.
type users struct {
	app        *App
	content    fyne.CanvasObject
	reload     *throttle // re-reads the table
	loadDetail *throttle // re-reads the selected account

	search      *widget.Entry
	typing      *debouncer // the search
	daysTyping  *debouncer // the stale view's days
	idpSelect   *widget.Select
	idpOptions  map[string]string // option → slug
	roleSelect  *widget.Select
	statusSel   *widget.Select
	warnings    *widget.Check
	stale       *widget.Check
	staleDays   *widget.Entry
	staleBar    *fyne.Container // select all and bulk disable, in the stale view
	selectAll   *widget.Check
	disableSel  *widget.Button
	bulkConfirm *dialog.ConfirmDialog
	bulkAsk     string // bulkConfirm's question: "Disable 23,989 accounts?"
	export      *widget.Button
	notice      *widget.Label // the outcome of an export or a bulk action
	prevPage    *widget.Button
	nextPage    *widget.Button
	pageLabel   *widget.Label // "1–100 of 23,989"

	queryMu  sync.Mutex
	query    userQuery    // the filters the next read uses
	selected atomic.Int64 // the account the detail pane shows, 0 for none

	list        []core.User
	total       int             // how many accounts the shown query selects
	shown       userQuery       // the query of the shown page
	shownFilter core.UserFilter // its filter, as read
	columns     []userColumn
	checked     map[int64]bool // the stale view's selection
	allMatching bool           // the stale view's selection is every account the filters select
	selectedRow int            // row of the selected account in list, -1 if none
	fittedWidth float32        // the width the columns were last fitted to
	fittedCols  int            // how many columns they were then
	table       *widget.Table
	count       *widget.Label
	catalogue   []string // role names, for the filter and grants

	detail       *fyne.Container // the detail pane's content, rebuilt per account
	detailScroll *container.Scroll
	detailTitle  *widget.Label
	acct         *userDetail       // the shown account's pane, nil when none
	note         detailNote        // the outcome of the last action on an account
	idpNames     map[string]string // display names by slug
}

func newUsers(a *App) *users {
	u := &users{app: a, selectedRow: -1, columns: userColumns, checked: map[int64]bool{},
		query: userQuery{staleDays: defaultStaleDays}, typing: newDebouncer(typingDelay), daysTyping: newDebouncer(typingDelay)}
	u.reload = newThrottle(a.bridge, a.refresh, u.read)
	u.loadDetail = newThrottle(a.bridge, a.refresh, u.readDetail)
	a.feed.listen(u.onEvent)
	u.content = u.build()
	return u
}

func (u *users) stop() {
	u.reload.Stop()
	u.loadDetail.Stop()
	u.typing.stop()
	u.daysTyping.stop()
}

// onEvent runs on the feed goroutine.
func (u *users) onEvent(e core.Event) {
	switch e.Kind {
	case core.EventUserCreated, core.EventUserUpdated, core.EventAdminChange, core.EventIdPRemoved:
	default:
		return
	}
	u.reload.Trigger()
	if id := u.selected.Load(); id != 0 && (e.UserID == id || e.Kind == core.EventAdminChange) {
		u.loadDetail.Trigger()
	}
}

func (u *users) build() fyne.CanvasObject {
	u.search = widget.NewEntry()
	u.search.SetPlaceHolder("Search username, name, email or NameID")
	u.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	u.search.OnChanged = u.onSearch
	u.export = widget.NewButtonWithIcon("Export CSV…", theme.DocumentSaveIcon(), u.onExport)
	u.count = widget.NewLabel("Loading accounts…")
	u.notice = errorLabel()

	u.table = widget.NewTable(u.size, newUserCell, u.updateCell)
	u.table.ShowHeaderRow = true
	u.table.CreateHeader = func() fyne.CanvasObject { return newSortHeader() }
	u.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		h := o.(*sortHeader)
		if id.Col < 0 || id.Col >= len(u.columns) {
			h.onTap = nil
			h.SetText("")
			return
		}
		col := id.Col
		h.onTap = func() { u.onHeader(col) }
		h.SetText(headerText(u.columns[col], u.currentQuery()))
	}
	u.setColumns(userColumns)
	u.table.OnSelected = u.onSelect

	filters := u.buildFilters() // also makes u.warnings, shown on the count's line
	top := container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.AccountIcon()), title("Users")), u.export, u.search),
		filters, u.buildStale(), u.notice, container.NewBorder(nil, nil, nil, u.warnings, u.count))
	table := container.New(&tableFit{fit: u.fitColumns}, u.table)
	list := container.NewBorder(top, container.NewCenter(u.buildPaging()), nil, nil, table)

	u.detail = container.NewVBox()
	u.detailTitle = widget.NewLabel("")
	u.showNoSelection()
	u.detailScroll = container.NewVScroll(container.NewPadded(u.detail))
	split := container.NewHSplit(list, u.detailScroll)
	split.Offset = 0.64
	return split
}

// setColumns switches the table's columns.
func (u *users) setColumns(cols []userColumn) {
	u.columns = cols
	for i, c := range cols {
		u.table.SetColumnWidth(i, c.width)
	}
	u.fittedWidth = 0
	if w := u.table.Size().Width; w > 0 {
		u.fitColumns(w - theme.ScrollBarSize())
	}
	u.table.Refresh()
}

// userIdP is the account's IdP slug, marked when that IdP was removed.
func userIdP(u core.User) string {
	if u.IdPRemoved {
		return u.IdPSlug + " (removed)"
	}
	return u.IdPSlug
}

// userStatus is "Active" or "Disabled".
func userStatus(u core.User) string {
	if u.Disabled {
		return statusDisabled
	}
	return statusActive
}

func (u *users) size() (int, int) { return len(u.list), len(u.columns) }

func newUserCell() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.Transparent)
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	icon := widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon()))
	check := widget.NewCheck("", nil)
	return container.NewStack(bg, l, container.NewCenter(icon), check)
}

func (u *users) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	cell := o.(*fyne.Container)
	bg, l := cell.Objects[0].(*canvas.Rectangle), cell.Objects[1].(*widget.Label)
	icon, check := cell.Objects[2], cell.Objects[3].(*widget.Check)
	l.Hide()
	icon.Hide()
	check.Hide()
	if id.Row < 0 || id.Row >= len(u.list) || id.Col >= len(u.columns) {
		return
	}
	user, col := u.list[id.Row], u.columns[id.Col]
	switch col.kind {
	case colWarn:
		if len(user.Warnings) > 0 {
			icon.Show()
		}
	case colCheck:
		check.OnChanged = nil
		check.SetChecked(u.isChecked(user.ID))
		check.OnChanged = func(on bool) { u.setChecked(user.ID, on) }
		check.Show()
	default:
		imp := widget.MediumImportance
		if user.Disabled {
			imp = widget.LowImportance
		}
		if l.Importance != imp {
			l.Importance = imp
			l.Refresh()
		}
		l.SetText(col.value(user))
		l.Show()
	}
	var fill color.Color = color.Transparent
	if id.Row == u.selectedRow {
		fill = theme.Color(theme.ColorNameSelection)
	}
	if bg.FillColor != fill {
		bg.FillColor = fill
		bg.Refresh()
	}
}

// read runs in a background goroutine: the accounts the filters select,
// the IdPs and the role catalogue for the filters.
func (u *users) read() {
	ctx := u.app.ctx
	q := u.currentQuery()
	f := q.filter(userPage)
	list, err := u.app.svc.Users(ctx, f)
	total := 0
	if err == nil {
		total, err = u.app.svc.CountUsers(ctx, f)
	}
	idps, ierr := u.app.svc.IdPs(ctx)
	roles, rerr := u.app.svc.Roles(ctx)
	u.app.deliver("read the accounts", errors.Join(err, ierr, rerr), func() {
		if ierr == nil {
			u.applyIdPs(idps)
		}
		if rerr == nil {
			u.applyRoles(roles)
		}
		u.applyList(q, f, list, total, err)
	})
}

// applyList shows a read of the table, on the UI goroutine.
func (u *users) applyList(q userQuery, f core.UserFilter, list []core.User, total int, err error) {
	if err != nil {
		u.count.Importance = widget.DangerImportance
		u.count.SetText("The accounts could not be read: " + errorText(err))
		return
	}
	if len(list) == 0 && total > 0 && q.page > 0 {
		// The page is past the end (accounts went): show the last one.
		u.queryMu.Lock()
		if u.query == q {
			u.query.page = lastPage(total)
		}
		u.queryMu.Unlock()
		u.reload.Trigger()
		return
	}
	if q != u.shown {
		u.table.ScrollToTop() // a new query or page starts at its top
	}
	prev := u.shown
	u.list, u.total, u.shown, u.shownFilter = list, total, q, f
	u.showPaging(q, len(list), total)
	oldRow := u.selectedRow
	u.selectedRow = slices.IndexFunc(list, func(x core.User) bool { return x.ID == u.selected.Load() })
	if oldRow != u.selectedRow {
		// The table's own highlight stays on a cell position; the row
		// highlight drawn by updateCell follows the account.
		u.table.UnselectAll()
	}
	u.followList(q, prev)
	for id := range u.checked {
		if !slices.ContainsFunc(list, func(x core.User) bool { return x.ID == id }) {
			delete(u.checked, id) // no longer shown: not selected
		}
	}
	u.table.Refresh()
	u.updateBulk()

	u.count.Importance = widget.MediumImportance
	u.count.SetText(countText(q, len(list), total))
}

func (u *users) onSelect(id widget.TableCellID) {
	if id.Row < 0 || id.Row >= len(u.list) {
		return
	}
	if id.Col < len(u.columns) && u.columns[id.Col].kind == colCheck {
		user := u.list[id.Row]
		u.setChecked(user.ID, !u.isChecked(user.ID))
		u.table.UnselectAll()
		u.table.Refresh()
		return
	}
	user := u.list[id.Row]
	u.selectedRow = id.Row
	u.table.Refresh()
	if u.selected.Swap(user.ID) != user.ID {
		u.note = detailNote{}
		u.showLoading(user)
	}
	u.loadDetail.Trigger()
}
