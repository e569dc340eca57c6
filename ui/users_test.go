package ui

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

func TestUsersTableAndDetail(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Users")
	u := h.app.users
	ctx := context.Background()

	res, err := h.con.SimulateOnboarding(ctx, 3, 2, nil)
	if err != nil || res.Succeeded != 3 {
		t.Fatalf("simulate: %+v, %v", res, err)
	}
	h.waitFor("three accounts in the table", func() bool { return len(u.list) == 3 })
	for _, user := range u.list {
		if !shows(u.table, user.Username) {
			t.Errorf("the table does not render %s; it shows %q", user.Username, texts(u.table))
		}
	}

	want := u.list[1]
	u.table.Select(widget.TableCellID{Row: 1, Col: 2})
	h.waitFor("the detail of "+want.DisplayName, func() bool {
		return u.detailTitle.Text == want.DisplayName && shows(u.detail, "Sign-in history")
	})
	detail, err := h.con.User(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(detail.Attributes) == 0 || len(detail.Roles) == 0 || len(detail.Logins) != 1 {
		t.Fatalf("unexpected account %+v", detail)
	}
	for _, s := range []string{want.Email, want.NameID, string(core.OutcomeAccepted)} {
		if !shows(u.detail, s) {
			t.Errorf("the detail does not show %q", s)
		}
	}
	for _, r := range detail.Roles {
		if !shows(u.detail, r.Role) || !shows(u.detail, r.Source) {
			t.Errorf("the detail does not show role %s from %s", r.Role, r.Source)
		}
	}
	for name, values := range detail.Attributes {
		if !shows(u.detail, name) || !shows(u.detail, values[0]) {
			t.Errorf("the detail does not show attribute %s = %q", name, values)
		}
	}

	// A new account arrives live; the selection stays on the same person.
	personas, err := h.con.Personas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := core.DemoLoginAs(ctx, nil, h.con.BaseURL(), personas[0].ID); err != nil {
		t.Fatalf("demo login: %v", err)
	}
	h.waitFor("the new account in the table", func() bool { return len(u.list) == 4 })
	if i := slices.IndexFunc(u.list, func(x core.User) bool { return x.ID == want.ID }); u.selectedRow != i {
		t.Errorf("selected row = %d, want %d (the account of %s)", u.selectedRow, i, want.DisplayName)
	}

	// Search narrows the table down.
	test.Type(u.search, want.Username)
	h.waitFor("the search result", func() bool { return len(u.list) == 1 && u.list[0].ID == want.ID })
	if u.selectedRow != 0 {
		t.Errorf("selected row = %d after the search, want 0", u.selectedRow)
	}
}

// selectUser selects the account with username name in the table and
// waits for its detail.
func (h *harness) selectUser(name string) *userDetail {
	h.t.Helper()
	u := h.app.users
	var row int
	h.waitFor("account "+name+" in the table", func() bool {
		row = slices.IndexFunc(u.list, func(x core.User) bool { return x.Username == name })
		return row >= 0
	})
	u.table.Select(widget.TableCellID{Row: row, Col: 2})
	h.waitFor("the detail of "+name, func() bool { return u.acct != nil && u.acct.d.Username == name })
	return u.acct
}

// login signs a demo persona in, failing the test if it is refused.
func (h *harness) login(id string) {
	h.t.Helper()
	if err := core.DemoLoginAs(context.Background(), nil, h.con.BaseURL(), id); err != nil {
		h.t.Fatalf("demo login %s: %v", id, err)
	}
}

func TestUsersGrantAndRevokeManualRole(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Users")
	u := h.app.users
	if err := h.con.SaveRole(context.Background(), "auditor", "Reads everything"); err != nil {
		t.Fatal(err)
	}
	h.login("alice")
	d := h.selectUser("alice")
	// Rule grants show their provenance.
	if !shows(u.detail, "rule 1 of demo") || !shows(u.detail, d.d.Roles[0].Source) || !shows(u.detail, "· granted at login ") {
		t.Errorf("the provenance of admin is not shown: %q", texts(u.detail))
	}
	h.waitFor("the catalogue in the grant choice", func() bool { return slices.Contains(u.acct.grantSelect.Options, "auditor") })
	d = u.acct
	d.grantSelect.SetSelected("auditor")
	test.Tap(d.grant)
	h.waitFor("the manual grant", func() bool { return u.acct != nil && u.acct.revoke["auditor"] != nil })
	if !shows(u.detail, "manual by ") || !shows(u.detail, "Granted “auditor” by hand") {
		t.Errorf("the manual grant is not shown with who and when: %q", texts(u.detail))
	}

	// A sign-in keeps the manual grant.
	h.login("alice")
	if !slices.Contains(h.rolesOf("alice"), "auditor") {
		t.Fatal("a sign-in removed the manual grant")
	}
	h.waitFor("the table's roles", func() bool {
		i := slices.IndexFunc(u.list, func(x core.User) bool { return x.Username == "alice" })
		return i >= 0 && strings.Contains(roleNames(u.list[i].Roles), "auditor")
	})
	// Filter by role.
	u.roleSelect.SetSelected("auditor")
	h.waitFor("the role filter", func() bool { return len(u.list) == 1 && strings.HasSuffix(u.count.Text, "the filters") })
	u.roleSelect.SetSelected(allRoles)

	test.Tap(u.acct.revoke["auditor"])
	h.waitFor("the revocation", func() bool { return u.acct != nil && u.acct.revoke["auditor"] == nil && shows(u.detail, "Revoked") })
	if slices.Contains(h.rolesOf("alice"), "auditor") {
		t.Error("the manual grant stayed")
	}
}

func TestUsersDisableRefusesSignIn(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Users")
	u := h.app.users
	h.login("bob")
	d := h.selectUser("bob")
	if d.toggle.Text != "Disable" {
		t.Fatalf("toggle %q", d.toggle.Text)
	}
	test.Tap(d.toggle)
	h.waitFor("the account disabled", func() bool { return u.acct != nil && u.acct.d.Disabled })
	if u.acct.toggle.Text != "Enable" || !shows(u.detail, "Disabled: sign-ins are refused") {
		t.Errorf("the detail does not show the account disabled: %q", texts(u.detail))
	}
	h.waitFor("the table's status", func() bool {
		i := slices.IndexFunc(u.list, func(x core.User) bool { return x.Username == "bob" })
		return i >= 0 && userStatus(u.list[i]) == statusDisabled
	})

	// A later sign-in is refused with its own class.
	if err := core.DemoLoginAs(context.Background(), nil, h.con.BaseURL(), "bob"); err == nil {
		t.Fatal("a disabled account signed in")
	}
	recs, err := h.con.Recordings(context.Background(), core.RecordingFilter{Limit: 1})
	if err != nil || len(recs) != 1 || recs[0].Outcome != core.OutcomeRefused || recs[0].Class != core.ClassUserDisabled {
		t.Fatalf("the refusal: %+v, %v", recs, err)
	}
	// The status filter finds it.
	u.statusSel.SetSelected(statusDisabled)
	h.waitFor("the status filter", func() bool { return len(u.list) == 1 && u.list[0].Username == "bob" })
	u.statusSel.SetSelected(anyStatus)

	test.Tap(u.acct.toggle)
	h.waitFor("the account enabled", func() bool { return u.acct != nil && !u.acct.d.Disabled })
	h.login("bob")
}

func TestUsersDeleteSaysTheNextSignInCreatesItAgain(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Users")
	u := h.app.users
	h.login("carol")
	d := h.selectUser("carol")
	test.Tap(d.remove)
	if d.deleteConfirm == nil {
		t.Fatal("Delete did not ask")
	}
	top := h.win.Canvas().Overlays().Top()
	if top == nil || !shows(top, "would create the account again") {
		t.Errorf("the confirmation does not say the account comes back: %q", texts(top))
	}
	d.deleteConfirm.Confirm()
	h.waitFor("the account gone", func() bool { return len(u.list) == 0 && u.acct == nil })
	if !strings.HasPrefix(u.notice.Text, "Deleted the account of Carol") {
		t.Errorf("notice %q", u.notice.Text)
	}
	h.login("carol")
	h.waitFor("the account created again", func() bool { return len(u.list) == 1 })
}

// shiftClock is the system clock moved by an offset, to make stale
// accounts.
type shiftClock struct{ offset atomic.Int64 }

func (c *shiftClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func TestUsersStaleViewBulkDisable(t *testing.T) {
	clock := &shiftClock{}
	clock.offset.Store(int64(-120 * 24 * time.Hour))
	con := newConsoleWith(t, "127.0.0.1:0", true, clock)
	h := newHarnessFor(t, con, nil)
	h.showTab("Users")
	u := h.app.users
	h.login("alice")
	h.login("bob")
	clock.offset.Store(0)
	h.login("erin")
	h.waitFor("three accounts", func() bool { return len(u.list) == 3 })

	test.Tap(u.stale)
	if !u.staleBar.Visible() || u.columns[0].kind != colCheck {
		t.Fatal("the stale view has no selection")
	}
	h.waitFor("the stale accounts", func() bool { return len(u.list) == 2 })
	for _, x := range u.list {
		if x.Username == "erin" {
			t.Error("erin, who just signed in, is stale")
		}
	}
	if !strings.Contains(u.count.Text, "without a sign-in for 90 days") {
		t.Errorf("count %q", u.count.Text)
	}
	if !u.disableSel.Disabled() {
		t.Error("Disable selected is enabled with nothing selected")
	}
	test.Tap(u.selectAll)
	if u.disableSel.Disabled() || u.disableSel.Text != "Disable 2 accounts" {
		t.Fatalf("bulk button %q", u.disableSel.Text)
	}
	// Unselecting one through its row, then selecting it again.
	u.table.Select(widget.TableCellID{Row: 0, Col: 0})
	if u.disableSel.Text != "Disable 1 account" {
		t.Errorf("after unselecting a row: %q", u.disableSel.Text)
	}
	u.table.Select(widget.TableCellID{Row: 0, Col: 0})
	test.Tap(u.disableSel)
	if u.bulkConfirm == nil {
		t.Fatal("bulk disable did not ask")
	}
	u.bulkConfirm.Confirm()
	h.waitFor("the accounts disabled", func() bool { return strings.HasPrefix(u.notice.Text, "Disabled 2 accounts") })
	all, _ := h.con.Users(context.Background(), core.UserFilter{})
	for _, x := range all {
		if x.Disabled != (x.Username != "erin") {
			t.Errorf("%s disabled = %t", x.Username, x.Disabled)
		}
	}

	// A shorter period finds nobody stale among the others... and a
	// longer one nobody at all.
	u.staleDays.SetText("365")
	h.waitFor("no stale account", func() bool { return len(u.list) == 0 })
	u.staleDays.SetText("nine")
	if u.notice.Importance != widget.DangerImportance {
		t.Errorf("a bad number of days: %q", u.notice.Text)
	}
	test.Tap(u.stale)
	h.waitFor("every account", func() bool { return len(u.list) == 3 && u.columns[0].kind == colWarn })
}

func TestUsersExportCSV(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Users")
	u := h.app.users
	ctx := context.Background()
	personas, err := h.con.Personas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := personas[slices.IndexFunc(personas, func(p core.Persona) bool { return p.ID == "alice" })]
	p.DisplayName = `Anderson, Alice "Al"`
	if err := h.con.SavePersona(ctx, p); err != nil {
		t.Fatal(err)
	}
	h.login("alice")
	h.login("dave")
	h.waitFor("two accounts", func() bool { return len(u.list) == 2 })

	path := filepath.Join(t.TempDir(), "users.csv")
	w, err := fynestorage.Writer(fynestorage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	u.exportTo(w)
	h.waitFor("the export", func() bool { return strings.HasPrefix(u.notice.Text, "Exported") })
	if !strings.Contains(u.notice.Text, "2 accounts") || !strings.Contains(u.notice.Text, path) {
		t.Errorf("notice %q", u.notice.Text)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v", err)
	}
	if len(rows) != 3 || strings.Join(rows[0], "|") != "username|display name|email|IdP|roles|status|created|last login|logins|warnings" {
		t.Fatalf("rows %q", rows)
	}
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		byName[r[0]] = r
	}
	alice := byName["alice"]
	if alice == nil || alice[1] != `Anderson, Alice "Al"` || alice[2] != "alice@example.com" || alice[3] != core.DemoSlug ||
		!strings.Contains(alice[4], "admin") || alice[5] != string(core.UserActive) || alice[8] != "1" {
		t.Errorf("alice's row %q", alice)
	}
	if _, err := time.Parse(time.RFC3339, alice[6]); err != nil {
		t.Errorf("created %q is not RFC 3339", alice[6])
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), `"Anderson, Alice ""Al"""`) {
		t.Errorf("the display name is not quoted: %s", raw)
	}
	// The current view only: a search narrows the export.
	u.search.SetText("dave")
	h.waitFor("the search", func() bool { return len(u.list) == 1 })
	path2 := filepath.Join(t.TempDir(), "dave.csv")
	w2, _ := fynestorage.Writer(fynestorage.NewFileURI(path2))
	u.exportTo(w2)
	h.waitFor("the second export", func() bool { return strings.Contains(u.notice.Text, path2) })
	raw2, _ := os.ReadFile(path2)
	if strings.Count(string(raw2), "\n") != 2 || !strings.Contains(string(raw2), "dave") {
		t.Errorf("the filtered export %q", raw2)
	}
}

func TestUsersWarningsFilterAndBadge(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Users")
	u := h.app.users
	ctx := context.Background()
	// With case-sensitive keys, a NameID that differs from Dave's only by
	// case makes a second account, with a warning.
	m := h.demoMapping()
	m.CaseSensitiveKey = true
	if _, _, err := h.con.SaveMapping(ctx, core.DemoSlug, m, nil); err != nil {
		t.Fatal(err)
	}
	h.login("alice")
	h.login("dave")
	personas, _ := h.con.Personas(ctx)
	p := personas[slices.IndexFunc(personas, func(p core.Persona) bool { return p.ID == "dave" })]
	p.NameID = strings.ToLower(p.NameID)
	if err := h.con.SavePersona(ctx, p); err != nil {
		t.Fatal(err)
	}
	h.login("dave")
	h.waitFor("three accounts", func() bool { return len(u.list) == 3 })
	var warned []core.User
	for _, x := range u.list {
		if len(x.Warnings) > 0 {
			warned = append(warned, x)
		}
	}
	if len(warned) == 0 {
		t.Fatal("core raised no warning for a NameID that differs only by case")
	}
	test.Tap(u.warnings)
	h.waitFor("the warnings filter", func() bool { return len(u.list) == len(warned) && strings.HasSuffix(u.count.Text, "the filters") })
	u.table.Select(widget.TableCellID{Row: 0, Col: 2})
	h.waitFor("the detail", func() bool { return u.acct != nil && u.acct.d.ID == warned[0].ID })
	for _, w := range warned[0].Warnings {
		if !shows(u.detail, w) {
			t.Errorf("the detail does not show warning %q", w)
		}
	}
	// The warning column carries the badge.
	cell := newUserCell()
	u.updateCell(widget.TableCellID{Row: 0, Col: 0}, cell)
	if icon := cell.(*fyne.Container).Objects[2]; !icon.Visible() {
		t.Error("no warning badge in the table")
	}
}
