package ui

// The users table's columns: what each shows, how wide it is and how it
// stretches to the width the table has, and the headers that sort the
// accounts (through the store's query, so that the order holds across
// pages) when clicked.

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// Kinds of the users table's columns.
const (
	colText  = iota
	colWarn  // a warning icon when the account has warnings
	colCheck // the stale view's selection
)

// userColumn is one column of the users table. A column with grow > 0
// takes that share of the width the table has beyond the columns' widths,
// and gives width back down to minWidth when the table is narrower; sort
// is the order a click on its header asks for ("" is not sortable).
type userColumn struct {
	title    string
	width    float32
	value    func(core.User) string
	kind     int
	sort     core.UserSort
	grow     float32
	minWidth float32
	key      bool // keeps its width longest when the table is narrow
}

// userColumns are the table's columns: the username and email first, so
// that they stay in view on a narrow window.
var userColumns = []userColumn{
	{title: "", width: 34, kind: colWarn},
	{title: "Username", width: 170, value: func(u core.User) string { return u.Username }, sort: core.UserSortUsername, grow: 2, minWidth: 110, key: true},
	{title: "Email", width: 220, value: func(u core.User) string { return u.Email }, sort: core.UserSortEmail, grow: 3, minWidth: 140, key: true},
	{title: "Display name", width: 150, value: func(u core.User) string { return u.DisplayName }, sort: core.UserSortDisplayName, grow: 2, minWidth: 100},
	{title: "IdP", width: 80, value: userIdP, sort: core.UserSortIdP},
	{title: "Roles", width: 130, value: func(u core.User) string { return roleNames(u.Roles) }, grow: 2, minWidth: 90},
	{title: "Status", width: 80, value: userStatus, sort: core.UserSortStatus},
	{title: "Created", width: 120, value: func(u core.User) string { return shortTime(u.CreatedAt) }, sort: core.UserSortCreated},
	{title: "Last sign-in", width: 120, value: func(u core.User) string { return shortTime(u.LastLoginAt) }, sort: core.UserSortLastLogin},
	{title: "Sign-ins", width: 80, value: func(u core.User) string { return strconv.Itoa(u.LoginCount) }, sort: core.UserSortLoginCount},
}

// staleColumns are the stale view's: a selection column first.
var staleColumns = append([]userColumn{{title: "", width: 40, kind: colCheck}}, userColumns...)

// columnWidths fits cols to a table width. Growing columns share what is
// left beyond every column's width (by grow). When the table is narrower,
// the growing columns that are not key columns give width back first,
// down to their minimum widths, then the key ones (the username and the
// email); the table scrolls sideways for what still does not fit. gap is
// the space between columns. When not every column fits even so, the
// key columns keep their widths: the table scrolls sideways anyway.
func columnWidths(cols []userColumn, width, gap float32) []float32 {
	out := make([]float32, len(cols))
	var sum, grow float32
	for i, c := range cols {
		out[i] = c.width
		sum += c.width + gap
		grow += c.grow
	}
	extra := width - sum
	if grow == 0 || extra == 0 {
		return out
	}
	if extra > 0 {
		for i, c := range cols {
			out[i] += extra * c.grow / grow
		}
		return out
	}
	keys := []bool{false, true}
	var slack float32 // what every growing column can give
	for _, c := range cols {
		if c.grow > 0 {
			slack += c.width - c.minWidth
		}
	}
	if slack < -extra {
		// The table scrolls sideways whatever the key columns give: they
		// keep their widths, the others give all they can.
		keys = keys[:1]
	}
	for _, key := range keys {
		for i, c := range cols {
			if c.grow == 0 || c.key != key || extra >= 0 {
				continue
			}
			give := min(c.width-c.minWidth, -extra)
			out[i] -= give
			extra += give
		}
	}
	return out
}

// sortDefaultAscending is the direction a first click on a column sorts:
// text A to Z, times and counts newest or largest first.
func sortDefaultAscending(s core.UserSort) bool {
	switch s {
	case core.UserSortUsername, core.UserSortDisplayName, core.UserSortEmail, core.UserSortIdP, core.UserSortStatus:
		return true
	}
	return false
}

// headerText is a column's title with an arrow when the table is sorted
// by it: ▲ ascending, ▼ descending.
func headerText(c userColumn, q userQuery) string {
	by := q.sort
	if by == "" {
		by = core.UserSortCreated
	}
	if c.sort == "" || c.sort != by {
		return c.title
	}
	if q.asc {
		return c.title + " ▲"
	}
	return c.title + " ▼"
}

// sortTitle names the order of q for the count line: "by Email ▲".
func sortTitle(q userQuery) string {
	for _, c := range userColumns {
		if c.sort != "" && c.sort == q.sort {
			return "by " + headerText(c, q)
		}
	}
	return ""
}

// onHeader sorts by the clicked column: a click on the sorted column
// turns its direction round; the table goes back to its first page.
func (u *users) onHeader(col int) {
	if col < 0 || col >= len(u.columns) || u.columns[col].sort == "" {
		return
	}
	by := u.columns[col].sort
	u.setQuery(func(q *userQuery) {
		cur := q.sort
		if cur == "" {
			cur = core.UserSortCreated
		}
		if cur == by {
			q.asc = !q.asc
		} else {
			q.asc = sortDefaultAscending(by)
		}
		q.sort = by
		if by == core.UserSortCreated && !q.asc {
			q.sort = "" // the default order
		}
	})
	u.table.Refresh() // the arrows
}

// fitColumns sets the table's column widths for its width, once per
// width: a column dragged wider or narrower keeps its width until the
// table's width changes.
func (u *users) fitColumns(width float32) {
	if width <= 0 || (width == u.fittedWidth && len(u.columns) == u.fittedCols) {
		return
	}
	u.fittedWidth, u.fittedCols = width, len(u.columns)
	for i, w := range columnWidths(u.columns, width, theme.Padding()) {
		u.table.SetColumnWidth(i, w)
	}
}

// sortHeader is a header cell of the users table: its title, bold, and
// a click sorts by its column.
type sortHeader struct {
	widget.Label
	onTap func()
}

func newSortHeader() *sortHeader {
	h := &sortHeader{}
	h.TextStyle = fyne.TextStyle{Bold: true}
	h.Truncation = fyne.TextTruncateEllipsis
	h.ExtendBaseWidget(h)
	return h
}

// Tapped sorts by the header's column.
func (h *sortHeader) Tapped(*fyne.PointEvent) {
	if h.onTap != nil {
		h.onTap()
	}
}

// tableFit is a layout for one table: it fills the space and fits the
// table's columns to its width first.
type tableFit struct{ fit func(width float32) }

func (l *tableFit) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.fit(size.Width - theme.ScrollBarSize())
	for _, o := range objects {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l *tableFit) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}
