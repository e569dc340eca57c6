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
