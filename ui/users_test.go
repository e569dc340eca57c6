package ui

import (
	"context"
	"slices"
	"testing"

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
	for _, s := range []string{want.Email, want.NameID, core.OutcomeAccepted} {
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
