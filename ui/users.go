package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image/color"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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
	// defaultStaleDays is the stale view's default: no sign-in for 90 days.
	defaultStaleDays = 90
)

// Options of the Users screen's filters.
const (
	allRoles       = "All roles"
	anyStatus      = "Any status"
	statusActive   = "Active"
	statusDisabled = "Disabled"
)

// Kinds of the users table's columns.
const (
	colText  = iota
	colWarn  // a warning icon when the account has warnings
	colCheck // the stale view's selection
)

// userColumn is one column of the users table.
type userColumn struct {
	title string
	width float32
	value func(core.User) string
	kind  int
}

var userColumns = []userColumn{
	{"", 34, nil, colWarn},
	{"Username", 150, func(u core.User) string { return u.Username }, colText},
	{"Display name", 150, func(u core.User) string { return u.DisplayName }, colText},
	{"Email", 200, func(u core.User) string { return u.Email }, colText},
	{"IdP", 70, userIdP, colText},
	{"Roles", 140, func(u core.User) string { return roleNames(u.Roles) }, colText},
	{"Status", 80, userStatus, colText},
	{"Created", 115, func(u core.User) string { return shortTime(u.CreatedAt) }, colText},
	{"Last sign-in", 115, func(u core.User) string { return shortTime(u.LastLoginAt) }, colText},
	{"Sign-ins", 70, func(u core.User) string { return strconv.Itoa(u.LoginCount) }, colText},
}

// staleColumns are the stale view's: a selection column first.
var staleColumns = append([]userColumn{{"", 40, nil, colCheck}}, userColumns...)

// userQuery is what the search and the filters select, read by the
// background read.
type userQuery struct {
	search    string
	idp       string // slug, "" for all
	role      string
	status    string // "", core.UserActive, core.UserDisabled
	warnings  bool
	stale     bool
	staleDays int
}

// filter is the query as core takes it; limit 0 reads every account.
func (q userQuery) filter(limit int) core.UserFilter {
	f := core.UserFilter{Search: q.search, IdPSlug: q.idp, Role: q.role, Status: q.status,
		WithWarnings: q.warnings, Limit: limit}
	if q.stale {
		f.LastLoginBefore = time.Now().AddDate(0, 0, -q.staleDays)
	}
	return f
}

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
	searchTimer *time.Timer
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
	export      *widget.Button
	notice      *widget.Label // the outcome of an export or a bulk action

	queryMu  sync.Mutex
	query    userQuery    // the filters the next read uses
	selected atomic.Int64 // the account the detail pane shows, 0 for none

	list        []core.User
	columns     []userColumn
	checked     map[int64]bool // the stale view's selection
	selectedRow int            // row of the selected account in list, -1 if none
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
		query: userQuery{staleDays: defaultStaleDays}}
	u.reload = newThrottle(a.bridge, refreshInterval, u.read)
	u.loadDetail = newThrottle(a.bridge, refreshInterval, u.readDetail)
	a.feed.listen(u.onEvent)
	u.content = u.build()
	return u
}

func (u *users) stop() {
	u.reload.Stop()
	u.loadDetail.Stop()
	if u.searchTimer != nil {
		u.searchTimer.Stop()
	}
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
	u.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	u.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(u.columns) {
			o.(*widget.Label).SetText(u.columns[id.Col].title)
		}
	}
	u.setColumns(userColumns)
	u.table.OnSelected = u.onSelect

	top := container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(theme.AccountIcon()), title("Users")), u.export, u.search),
		u.buildFilters(), u.buildStale(), u.notice, u.count)
	list := container.NewBorder(top, nil, nil, nil, u.table)

	u.detail = container.NewVBox()
	u.detailTitle = widget.NewLabel("")
	u.showNoSelection()
	u.detailScroll = container.NewVScroll(container.NewPadded(u.detail))
	split := container.NewHSplit(list, u.detailScroll)
	split.Offset = 0.64
	return split
}

func (u *users) buildFilters() fyne.CanvasObject {
	u.idpOptions = map[string]string{allIdPs: ""}
	u.idpSelect = widget.NewSelect([]string{allIdPs}, func(opt string) {
		u.setQuery(func(q *userQuery) { q.idp = u.idpOptions[opt] })
	})
	u.idpSelect.SetSelected(allIdPs)
	u.roleSelect = widget.NewSelect([]string{allRoles}, func(opt string) {
		u.setQuery(func(q *userQuery) {
			q.role = opt
			if opt == allRoles {
				q.role = ""
			}
		})
	})
	u.roleSelect.SetSelected(allRoles)
	u.statusSel = widget.NewSelect([]string{anyStatus, statusActive, statusDisabled}, func(opt string) {
		u.setQuery(func(q *userQuery) {
			q.status = map[string]string{statusActive: core.UserActive, statusDisabled: core.UserDisabled}[opt]
		})
	})
	u.statusSel.SetSelected(anyStatus)
	u.warnings = widget.NewCheck("With warnings", func(on bool) {
		u.setQuery(func(q *userQuery) { q.warnings = on })
	})
	return container.NewBorder(nil, nil, nil, u.warnings,
		container.NewGridWithColumns(3, u.idpSelect, u.roleSelect, u.statusSel))
}

// buildStale is the stale-accounts switch with its number of days, and the
// bar of the stale view.
func (u *users) buildStale() fyne.CanvasObject {
	u.staleDays = widget.NewEntry()
	u.staleDays.SetText(strconv.Itoa(defaultStaleDays))
	u.staleDays.OnChanged = func(text string) {
		n, err := boundedInt(text, 1, 3650, "The number of days")
		if err != nil {
			showText(u.notice, errorText(err), widget.DangerImportance)
			return
		}
		showText(u.notice, "", widget.DangerImportance)
		u.setQuery(func(q *userQuery) { q.staleDays = n })
	}
	u.stale = widget.NewCheck("Stale accounts: no sign-in for", u.onStale)
	days := container.NewGridWrap(fyne.NewSize(70, u.staleDays.MinSize().Height), u.staleDays)
	u.selectAll = widget.NewCheck("Select all", u.onSelectAll)
	u.disableSel = widget.NewButtonWithIcon("Disable selected", theme.MediaPauseIcon(), u.onDisableSelected)
	u.disableSel.Importance = widget.WarningImportance
	u.disableSel.Disable()
	hint := widget.NewLabel("JIT never deprovisions: disable who no longer signs in.")
	hint.Importance = widget.LowImportance
	hint.Truncation = fyne.TextTruncateEllipsis
	u.staleBar = container.NewBorder(nil, nil, container.NewHBox(u.selectAll, u.disableSel), nil, hint)
	u.staleBar.Hide()
	return container.NewVBox(container.NewHBox(u.stale, days, widget.NewLabel("days")), u.staleBar)
}

// setColumns switches the table's columns.
func (u *users) setColumns(cols []userColumn) {
	u.columns = cols
	for i, c := range cols {
		u.table.SetColumnWidth(i, c.width)
	}
	u.table.Refresh()
}

func (u *users) onStale(on bool) {
	if on {
		u.setColumns(staleColumns)
		u.staleBar.Show()
	} else {
		u.setColumns(userColumns)
		u.staleBar.Hide()
	}
	u.checked = map[int64]bool{}
	u.updateBulk()
	u.setQuery(func(q *userQuery) { q.stale = on })
}

// setQuery changes the filters and reads again.
func (u *users) setQuery(change func(*userQuery)) {
	u.queryMu.Lock()
	change(&u.query)
	u.queryMu.Unlock()
	if u.reload != nil {
		u.reload.Trigger()
	}
}

func (u *users) currentQuery() userQuery {
	u.queryMu.Lock()
	defer u.queryMu.Unlock()
	return u.query
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
		check.SetChecked(u.checked[user.ID])
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

// onSearch runs the search once typing pauses.
func (u *users) onSearch(text string) {
	u.queryMu.Lock()
	u.query.search = strings.TrimSpace(text)
	u.queryMu.Unlock()
	if u.searchTimer != nil {
		u.searchTimer.Stop()
	}
	u.searchTimer = time.AfterFunc(searchDelay, u.reload.Trigger)
}

// read runs in a background goroutine: the accounts the filters select,
// the IdPs and the role catalogue for the filters.
func (u *users) read() {
	ctx := u.app.ctx
	q := u.currentQuery()
	list, err := u.app.svc.Users(ctx, q.filter(userLimit))
	idps, ierr := u.app.svc.IdPs(ctx)
	roles, rerr := u.app.svc.Roles(ctx)
	u.app.deliver("read the accounts", errors.Join(err, ierr, rerr), func() {
		if ierr == nil {
			u.applyIdPs(idps)
		}
		if rerr == nil {
			u.applyRoles(roles)
		}
		u.applyList(q, list, err)
	})
}

// applyIdPs keeps the IdP filter's options in step with the connections.
func (u *users) applyIdPs(idps []core.IdP) {
	opts := []string{allIdPs}
	byOpt := map[string]string{allIdPs: ""}
	u.idpNames = map[string]string{}
	for _, idp := range idps {
		opt := idpOption(idp)
		opts = append(opts, opt)
		byOpt[opt] = idp.Slug
		u.idpNames[idp.Slug] = idp.DisplayName
	}
	if !slices.Equal(opts, u.idpSelect.Options) {
		u.idpOptions = byOpt
		u.idpSelect.SetOptions(opts)
	}
}

// applyRoles keeps the role filter and the grant choice in step with the
// catalogue.
func (u *users) applyRoles(roles []core.RoleInfo) {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r.Name
	}
	slices.Sort(names)
	u.catalogue = names
	if opts := append([]string{allRoles}, names...); !slices.Equal(opts, u.roleSelect.Options) {
		u.roleSelect.SetOptions(opts)
		if u.acct != nil {
			u.acct.setCatalogue(names)
		}
	}
}

// applyList shows a read of the table, on the UI goroutine.
func (u *users) applyList(q userQuery, list []core.User, err error) {
	if err != nil {
		u.count.Importance = widget.DangerImportance
		u.count.SetText("The accounts could not be read: " + errorText(err))
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
	for id := range u.checked {
		if !slices.ContainsFunc(list, func(x core.User) bool { return x.ID == id }) {
			delete(u.checked, id) // no longer shown: not selected
		}
	}
	u.table.Refresh()
	u.updateBulk()

	u.count.Importance = widget.MediumImportance
	filtered := q.search != "" || q.idp != "" || q.role != "" || q.status != "" || q.warnings
	switch {
	case len(list) >= userLimit:
		u.count.SetText(fmt.Sprintf("The newest %d accounts are shown; search or filter to find others.", len(list)))
	case q.stale && len(list) == 0:
		u.count.SetText(fmt.Sprintf("No account has gone %s without a sign-in.", plural(q.staleDays, "day", "days")))
	case q.stale:
		u.count.SetText(fmt.Sprintf("%s without a sign-in for %s", plural(len(list), "account", "accounts"), plural(q.staleDays, "day", "days")))
	case q.search != "":
		u.count.SetText(fmt.Sprintf("%s match “%s”", plural(len(list), "account", "accounts"), q.search))
	case filtered:
		u.count.SetText(plural(len(list), "account matches", "accounts match") + " the filters")
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
	if id.Col < len(u.columns) && u.columns[id.Col].kind == colCheck {
		user := u.list[id.Row]
		u.setChecked(user.ID, !u.checked[user.ID])
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

// setChecked selects an account of the stale view, or unselects it.
func (u *users) setChecked(id int64, on bool) {
	if on {
		u.checked[id] = true
	} else {
		delete(u.checked, id)
	}
	u.updateBulk()
}

func (u *users) onSelectAll(on bool) {
	u.checked = map[int64]bool{}
	if on {
		for _, x := range u.list {
			u.checked[x.ID] = true
		}
	}
	u.table.Refresh()
	u.updateBulk()
}

// checkedIDs lists the stale view's selected accounts in table order.
func (u *users) checkedIDs() []int64 {
	var ids []int64
	for _, x := range u.list {
		if u.checked[x.ID] {
			ids = append(ids, x.ID)
		}
	}
	return ids
}

// updateBulk labels the bulk button with the selection's size.
func (u *users) updateBulk() {
	n := len(u.checkedIDs())
	u.disableSel.SetText("Disable selected")
	if n > 0 {
		u.disableSel.SetText(fmt.Sprintf("Disable %s", plural(n, "account", "accounts")))
	}
	enable(u.disableSel, n > 0)
}

// onDisableSelected asks, then disables the stale view's selection.
func (u *users) onDisableSelected() {
	ids := u.checkedIDs()
	if len(ids) == 0 {
		return
	}
	msg := wrapped(fmt.Sprintf("Disable %s? Their sign-ins are refused with a clear page until an administrator enables them again. "+
		"Nothing is deleted: roles, attributes and history stay.", plural(len(ids), "account", "accounts")), widget.MediumImportance)
	u.bulkConfirm = dialog.NewCustomConfirm("Disable stale accounts?", "Disable", "Cancel", msg, func(ok bool) {
		u.bulkConfirm = nil
		if ok {
			u.disableAccounts(ids)
		}
	}, u.app.win)
	u.bulkConfirm.SetConfirmImportance(widget.WarningImportance)
	u.bulkConfirm.Resize(fyne.NewSize(480, u.bulkConfirm.MinSize().Height))
	u.bulkConfirm.Show()
}

func (u *users) disableAccounts(ids []int64) {
	a := u.app
	u.disableSel.Disable()
	background(a, fmt.Sprintf("disable %d accounts", len(ids)), func(ctx context.Context) (int, error) {
		return a.svc.SetUsersDisabled(ctx, ids, true)
	}, func(n int, err error) {
		if err != nil {
			showText(u.notice, "Not disabled: "+errorText(err), widget.DangerImportance)
			u.updateBulk()
			return
		}
		showText(u.notice, "Disabled "+plural(n, "account", "accounts")+".", widget.SuccessImportance)
		u.checked = map[int64]bool{}
		u.selectAll.SetChecked(false)
		u.reload.Trigger()
		u.loadDetail.Trigger()
	})
}

// onExport asks where to save the current view as CSV.
func (u *users) onExport() {
	save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			u.app.bridge.showErrorNow(err)
			return
		}
		if w != nil { // else cancelled
			u.exportTo(w)
		}
	}, u.app.win)
	save.SetFileName("jitconsole-users-" + time.Now().Format("2006-01-02") + ".csv")
	save.Show()
}

// exportTo reads every account the filters select (not only the table's
// first userLimit) and writes them to w as CSV, in the background.
func (u *users) exportTo(w fyne.URIWriteCloser) {
	a, q := u.app, u.currentQuery()
	u.export.Disable()
	showText(u.notice, "Exporting…", widget.LowImportance)
	background(a, "export accounts to "+w.URI().Path(), func(ctx context.Context) ([]core.User, error) {
		list, err := a.svc.Users(ctx, q.filter(0))
		var out bytes.Buffer
		if err == nil {
			err = writeUsersCSV(&out, list)
		}
		return list, writeFile(w, out.Bytes(), err)
	}, func(list []core.User, err error) {
		u.export.Enable()
		if err != nil {
			showText(u.notice, "Not exported: "+errorText(err), widget.DangerImportance)
			return
		}
		showText(u.notice, fmt.Sprintf("Exported %s to %s", plural(len(list), "account", "accounts"), w.URI().Path()), widget.SuccessImportance)
	})
}

// csvHeader names the export's columns.
var csvHeader = []string{"username", "display name", "email", "IdP", "roles", "status", "created", "last login", "logins", "warnings"}

// writeUsersCSV writes accounts as CSV: one header row, then one row per
// account; times in RFC 3339 (UTC), roles and warnings separated by "; ".
func writeUsersCSV(w io.Writer, list []core.User) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, x := range list {
		roles := make([]string, len(x.Roles))
		for i, r := range x.Roles {
			roles[i] = r.Role
		}
		status := core.UserActive
		if x.Disabled {
			status = core.UserDisabled
		}
		if err := cw.Write([]string{x.Username, x.DisplayName, x.Email, userIdP(x), strings.Join(roles, "; "),
			status, stamp(x.CreatedAt), stamp(x.LastLoginAt), strconv.Itoa(x.LoginCount),
			strings.Join(x.Warnings, "; ")}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// readDetail runs in a background goroutine.
func (u *users) readDetail() {
	ctx := u.app.ctx
	id := u.selected.Load()
	if id == 0 {
		return
	}
	d, err := u.app.svc.User(ctx, id)
	u.app.deliver(fmt.Sprintf("read account %d", id), err, func() {
		if u.selected.Load() != id {
			return // another account was selected meanwhile
		}
		if err != nil {
			if core.ErrorCode(err) == core.ENOTFOUND {
				u.unselect()
				return
			}
			u.showDetailError(err)
			return
		}
		u.showDetail(d)
	})
}

// unselect empties the detail pane (the account was deleted).
func (u *users) unselect() {
	u.selected.Store(0)
	u.selectedRow = -1
	u.table.UnselectAll()
	u.table.Refresh()
	u.showNoSelection()
}

func (u *users) showNoSelection() {
	u.acct = nil
	hint := widget.NewLabel("Select an account to see its roles and where each came from, the attributes of its last assertion and its sign-in history.")
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
	u.acct = nil
	u.setDetail(user.DisplayName, widget.NewLabel("Loading…"))
}

func (u *users) showDetailError(err error) {
	l := widget.NewLabel("This account could not be read: " + errorText(err))
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
