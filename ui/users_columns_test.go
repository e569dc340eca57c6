package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// header is the users table's header cell titled title (with or without
// its arrow).
func header(t *testing.T, u *users, title string) *sortHeader {
	t.Helper()
	var found *sortHeader
	visitVisible(u.table, func(o fyne.CanvasObject) bool {
		if h, ok := o.(*sortHeader); ok && strings.TrimRight(strings.TrimRight(h.Text, "▲▼"), " ") == title {
			found = h
		}
		return true
	})
	if found == nil {
		t.Fatalf("no header %q in the users table", title)
	}
	return found
}

func TestUsersHeaderSortsAcrossPages(t *testing.T) {
	h, _ := newHarnessSeeded(t, 250, 0)
	h.win.Resize(fyne.NewSize(1024, 700))
	h.showTab("Users")
	u := h.app.users
	h.waitFor("the first page", func() bool { return strings.HasPrefix(u.count.Text, "1–100 of 250 accounts, newest first") })
	if got := headerText(userColumns[7], u.currentQuery()); got != "Created ▼" {
		t.Errorf("the Created header reads %q, want the arrow of the default order", got)
	}

	test.Tap(header(t, u, "Username"))
	h.waitFor("A to Z", func() bool { return strings.HasSuffix(u.count.Text, "by Username ▲") })
	if u.list[0].Username != "u0000" || u.list[99].Username != "u0099" {
		t.Fatalf("A to Z, first page: %s … %s", u.list[0].Username, u.list[99].Username)
	}
	if got := header(t, u, "Username").Text; got != "Username ▲" {
		t.Errorf("the sorted header reads %q", got)
	}
	test.Tap(u.nextPage)
	h.waitFor("A to Z, second page", func() bool { return strings.HasPrefix(u.count.Text, "101–200 of 250") })
	if u.list[0].Username != "u0100" || u.list[99].Username != "u0199" {
		t.Fatalf("A to Z, second page: %s … %s", u.list[0].Username, u.list[99].Username)
	}

	test.Tap(header(t, u, "Username"))
	h.waitFor("Z to A from the first page", func() bool {
		return strings.HasPrefix(u.count.Text, "1–100 of 250 accounts, by Username ▼")
	})
	if u.list[0].Username != "u0249" {
		t.Fatalf("Z to A starts at %s", u.list[0].Username)
	}

	// A filter keeps the order and counts its own total.
	u.setQuery(func(q *userQuery) { q.idp = "entra" })
	h.waitFor("entra, Z to A", func() bool { return strings.HasPrefix(u.count.Text, "1–100 of 125 accounts match the filters") })
	if u.list[0].Username != "u0249" || u.list[1].Username != "u0247" {
		t.Errorf("entra, Z to A: %s, %s", u.list[0].Username, u.list[1].Username)
	}
}

func TestUsersColumnsFitTheWindow(t *testing.T) {
	h, _ := newHarnessSeeded(t, 3, 0)
	u := h.app.users
	h.showTab("Users")
	for _, size := range []fyne.Size{{Width: 1024, Height: 700}, {Width: 1400, Height: 900}, {Width: 1920, Height: 1080}} {
		h.win.Resize(size)
		h.waitFor("three accounts", func() bool { return len(u.list) == 3 })
		width := u.table.Size().Width
		if u.fittedWidth <= 0 || u.fittedWidth > width {
			t.Fatalf("%v: columns fitted to %v, the table is %v wide", size, u.fittedWidth, width)
		}
		widths := columnWidths(u.columns, u.fittedWidth, theme.Padding())
		// The warning icon, the username and the email are in view.
		if keys := widths[0] + widths[1] + widths[2] + 3*theme.Padding(); keys > width {
			t.Errorf("%v: username and email end at %v, beyond the table's %v", size, keys, width)
		}
		var all float32
		for i, c := range u.columns {
			all += widths[i] + theme.Padding()
			if widths[i] < max(c.minWidth, 0) || (c.grow == 0 && widths[i] != c.width) {
				t.Errorf("%v: column %q is %v wide", size, c.title, widths[i])
			}
		}
		// On a wide window every column is in view and the growing ones
		// take the rest.
		if size.Width >= 1920 && (all > width || all < width-2*theme.Padding()*float32(len(u.columns))) {
			t.Errorf("%v: the columns take %v of the table's %v", size, all, width)
		}
		if !shows(u.table, "u0002@example.com") {
			t.Errorf("%v: the email is not rendered: %q", size, texts(u.table))
		}
	}
}

func TestUsersDetailFollowsTheSearch(t *testing.T) {
	h, _ := newHarnessSeeded(t, 5, 0)
	h.showTab("Users")
	u := h.app.users
	h.waitFor("five accounts", func() bool { return len(u.list) == 5 })
	u.table.Select(widget.TableCellID{Row: 0, Col: 1}) // u0004
	h.waitFor("the detail of u0004", func() bool { return u.acct != nil && u.acct.d.Username == "u0004" })

	// A search that keeps it keeps the pane.
	test.Type(u.search, "u000")
	h.waitFor("the search u000", func() bool { return u.shown.search == "u000" })
	if u.acct == nil || u.selected.Load() == 0 || u.selectedRow != 0 {
		t.Fatalf("a search that keeps the account dropped it: row %d", u.selectedRow)
	}
	// One that leaves it out empties it.
	u.search.SetText("u0001")
	h.waitFor("the search u0001", func() bool { return u.shown.search == "u0001" })
	if u.acct != nil || u.selected.Load() != 0 || !shows(u.detail, "Select an account") {
		t.Errorf("the pane still shows an account the list no longer has: %q", texts(u.detail))
	}
}

func TestUsersRuleBadgeOpensTheRule(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	if res, err := h.con.SimulateOnboarding(ctx, 2, 2, nil); err != nil || res.Succeeded != 2 {
		t.Fatalf("simulate: %+v, %v", res, err)
	}
	h.showTab("Users")
	u, r := h.app.users, h.app.rules
	h.waitFor("two accounts and the rules' IdPs", func() bool { return len(u.list) == 2 && r.form != nil })
	var grant core.RoleGrant
	row := -1
	for i, x := range u.list {
		for _, g := range x.Roles {
			if g.Kind == core.GrantRule && g.RuleIndex > 1 {
				grant, row = g, i
			}
		}
	}
	if row < 0 {
		t.Fatalf("no account holds a role from a rule after the first: %+v", u.list)
	}
	u.table.Select(widget.TableCellID{Row: row, Col: 1})
	badge := strings.TrimSpace(provenanceBadge(grant))
	var link *widget.Hyperlink
	h.waitFor("the link "+badge, func() bool {
		visitVisible(u.detail, func(o fyne.CanvasObject) bool {
			if l, ok := o.(*widget.Hyperlink); ok && l.Text == badge {
				link = l
			}
			return true
		})
		return link != nil
	})
	// A hyperlink answers a tap over its text.
	test.TapAt(link, fyne.NewPos(link.Size().Width/2, link.Size().Height/2))
	h.waitFor("the rule on Mapping Rules", func() bool {
		return h.app.tabs.Selected().Text == "Mapping Rules" && r.currentSlug() == grant.IdPSlug && r.form != nil &&
			len(r.form.rules) >= grant.RuleIndex && h.win.Canvas().Focused() == r.form.rules[grant.RuleIndex-1].name
	})
}

// provenanceBadge is the badge grantView shows for g.
func provenanceBadge(g core.RoleGrant) string {
	b, _, _, _ := provenance(g)
	return b
}

func TestColumnWidthsShrinkOthersBeforeTheKeyColumns(t *testing.T) {
	cols := []userColumn{
		{title: "fixed", width: 50},
		{title: "key", width: 200, grow: 1, minWidth: 100, key: true},
		{title: "other", width: 150, grow: 1, minWidth: 80},
	}
	cases := []struct {
		width float32
		want  []float32
	}{
		{400, []float32{50, 200, 150}}, // exactly the widths
		{600, []float32{50, 300, 250}}, // 200 more, shared by grow
		{350, []float32{50, 200, 100}}, // the other column gives first
		{300, []float32{50, 170, 80}},  // then the key one
		{230, []float32{50, 100, 80}},  // no lower than the minimums
		{200, []float32{50, 200, 80}},  // nothing fits: the key column keeps its width
	}
	for _, c := range cases {
		got := columnWidths(cols, c.width, 0)
		if !slices.Equal(got, c.want) {
			t.Errorf("columnWidths(%v) = %v, want %v", c.width, got, c.want)
		}
	}
}
