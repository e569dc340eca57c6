package ui

// Tests of the role catalogue dialog of the Mapping Rules screen.

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

func TestRoleCatalogue(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	ctx := context.Background()
	if err := core.DemoLoginAs(ctx, nil, h.con.BaseURL(), "alice"); err != nil {
		t.Fatalf("demo login: %v", err)
	}
	test.Tap(r.roleButton)
	c := r.catalogueDlg
	if c == nil {
		t.Fatal("no catalogue dialog")
	}
	h.waitFor("alice's roles counted", func() bool {
		i := slices.IndexFunc(c.roles, func(ri core.RoleInfo) bool { return ri.Name == "admin" })
		return i >= 0 && c.roles[i].Holders == 1
	})

	c.name.SetText("auditor")
	c.desc.SetText("Reads everything")
	test.Tap(c.saveBtn)
	h.waitFor("the new role", func() bool {
		return slices.ContainsFunc(c.roles, func(ri core.RoleInfo) bool { return ri.Name == "auditor" })
	})
	if !shows(c.list, "Reads everything") {
		t.Error("the list does not show the description")
	}
	c.name.SetText("auditors")
	test.Tap(c.saveBtn)
	h.waitFor("the renamed role", func() bool {
		return slices.ContainsFunc(c.roles, func(ri core.RoleInfo) bool { return ri.Name == "auditors" })
	})
	if slices.ContainsFunc(c.roles, func(ri core.RoleInfo) bool { return ri.Name == "auditor" }) {
		t.Error("the old name stayed")
	}
	test.Tap(c.deleteBtn)
	h.waitFor("the deletion", func() bool { return strings.HasPrefix(c.msg.Text, "Deleted") })

	// A held role cannot be deleted; the dialog says why.
	i := slices.IndexFunc(c.roles, func(ri core.RoleInfo) bool { return ri.Name == "admin" })
	c.list.Select(i)
	test.Tap(c.deleteBtn)
	h.waitFor("the refusal", func() bool { return c.msg.Importance == widget.DangerImportance && c.msg.Text != "" })
	if !strings.Contains(c.msg.Text, "admin") {
		t.Errorf("refusal %q", c.msg.Text)
	}

	// Each change is in the audit log.
	h.showTab("Activity")
	a := h.app.activity
	a.tabs.Select(a.auditTab)
	h.waitFor("the changes in the audit log", func() bool { return len(a.audit.list) >= 3 })
	newest := a.audit.list[0]
	if !strings.Contains(newest.Message, "auditors") || newest.Subject == "" {
		t.Errorf("newest change %+v", newest)
	}
	// The three changes, newest first: deleted, renamed, created.
	for i, want := range []string{"Role auditors deleted by ", "Role auditor renamed to auditors by ", "Role auditor created by "} {
		if e := a.audit.list[i]; e.Kind != core.EventAdminChange || !strings.HasPrefix(e.Message, want) {
			t.Errorf("audit entry %d: %s %q, want %s %q…", i, e.Kind, e.Message, core.EventAdminChange, want)
		}
	}
	a.audit.listView.Select(0)
	if !shows(a.audit.detail, newest.Subject) || !shows(a.audit.detail, newest.Message) ||
		(newest.Detail != "" && a.audit.change.Text != newest.Detail) {
		t.Errorf("the detail shows %q", texts(a.audit.detail))
	}
	if !a.audit.change.TextStyle.Monospace {
		t.Error("before and after are not monospace")
	}
}

// TestRoleCatalogueSaveSaysWhy checks that a disabled Save says why beside
// it, and that a name differing from another role's only in case is a
// warning.
func TestRoleCatalogueSaveSaysWhy(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	test.Tap(r.roleButton)
	c := r.catalogueDlg
	h.waitFor("the catalogue", func() bool {
		return slices.ContainsFunc(c.roles, func(ri core.RoleInfo) bool { return ri.Name == "admin" })
	})
	for _, tc := range []struct {
		name, desc   string
		wantDisabled string // the reason beside Save, "" when enabled
		wantWarn     bool
	}{
		{"", "", "Name the role to save it", false},
		{"admin", "", "“admin” already exists: pick it in the list to edit it", false},
		{"Admin", "", "", true},
		{"auditor", "", "", false},
	} {
		c.name.SetText(tc.name)
		c.desc.SetText(tc.desc)
		if c.saveBtn.Disabled() != (tc.wantDisabled != "") || c.saveWhy.Text != tc.wantDisabled {
			t.Errorf("name %q: Save disabled %v, beside it %q; want %q", tc.name, c.saveBtn.Disabled(), c.saveWhy.Text, tc.wantDisabled)
		}
		if c.caseWarn.Visible() != tc.wantWarn {
			t.Errorf("name %q: case warning shown %v (%q), want %v", tc.name, c.caseWarn.Visible(), c.caseWarn.Text, tc.wantWarn)
		}
		if tc.wantWarn && !strings.Contains(c.caseWarn.Text, "“admin”") {
			t.Errorf("the warning does not name the other role: %q", c.caseWarn.Text)
		}
	}

	// An existing role unchanged has nothing to save; an edit enables Save.
	c.list.Select(slices.IndexFunc(c.roles, func(ri core.RoleInfo) bool { return ri.Name == "admin" }))
	if !c.saveBtn.Disabled() || c.saveWhy.Text != "No changes to save" {
		t.Errorf("unchanged role: Save disabled %v, beside it %q", c.saveBtn.Disabled(), c.saveWhy.Text)
	}
	c.desc.SetText("Everything")
	if c.saveBtn.Disabled() || c.saveWhy.Text != "" {
		t.Errorf("edited role: Save disabled %v, beside it %q", c.saveBtn.Disabled(), c.saveWhy.Text)
	}
}
