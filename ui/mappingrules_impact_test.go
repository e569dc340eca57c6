package ui

// Tests of the Mapping Rules screen's "Impact preview" tab and Apply now.

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

func TestImpactPreviewShowsCountsAndApplyNow(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	// Alice and Erin are in Engineering, Bob is not.
	for _, id := range []string{"alice", "bob", "erin"} {
		if err := core.DemoLoginAs(ctx, nil, h.con.BaseURL(), id); err != nil {
			t.Fatalf("demo login %s: %v", id, err)
		}
	}
	r := h.openRules()
	h.saveRole("engineering-x")
	h.addRule("groups", core.OpContains, "Engineering", "engineering-x")
	test.Tap(r.previewBtn)
	if r.side.Selected() != r.impactTab {
		t.Error("the preview tab is not shown")
	}
	v := r.impact
	h.waitFor("the preview", func() bool { return v.last != nil || v.note.Importance == widget.DangerImportance })
	if v.last == nil {
		t.Fatalf("the preview failed: %s", v.note.Text)
	}
	if !strings.Contains(v.summary.Text, "+engineering-x: 2 users") {
		t.Errorf("summary %q", v.summary.Text)
	}
	if len(v.lists.Items) == 0 || !strings.HasPrefix(v.lists.Items[0].Title, "+engineering-x — 2 accounts") {
		t.Fatalf("lists %+v", v.lists.Items)
	}
	for _, name := range []string{"alice", "erin"} {
		if !shows(v.lists.Items[0].Detail, name) {
			t.Errorf("the list of gains does not name %s", name)
		}
	}
	if shows(v.lists.Items[0].Detail, "bob") {
		t.Error("bob is listed as gaining engineering-x")
	}
	// Nothing changed yet; an edit makes the preview stale.
	if roles := h.rolesOf("alice"); slices.Contains(roles, "engineering-x") {
		t.Error("the preview granted the role")
	}
	r.form.rules[len(r.form.rules)-1].name.SetText("renamed")
	if v.note.Importance != widget.WarningImportance {
		t.Errorf("the preview is not marked stale: %q", v.note.Text)
	}

	// Apply now saves and re-evaluates at once.
	test.Tap(r.applyNow)
	if r.applyConfirm == nil {
		t.Fatal("Apply now did not ask")
	}
	r.applyConfirm.Confirm()
	h.waitFor("the apply", func() bool { return !r.busy && strings.HasPrefix(r.status.Text, "Applied now") })
	if !slices.Contains(h.rolesOf("alice"), "engineering-x") || !slices.Contains(h.rolesOf("erin"), "engineering-x") ||
		slices.Contains(h.rolesOf("bob"), "engineering-x") {
		t.Error("Apply now did not grant exactly alice and erin the role")
	}
	if r.dirty() {
		t.Error("the working copy is not saved after Apply now")
	}
	// What was applied is the saved mapping: the panel is not stale.
	if v.note.Importance != widget.SuccessImportance || strings.Contains(v.note.Text, "changed since") {
		t.Errorf("after Apply now the panel says %q", v.note.Text)
	}

	// Deleting the rule offers to revoke its grants.
	last := r.form.rules[len(r.form.rules)-1]
	test.Tap(last.remove)
	test.Tap(r.save)
	if r.revoke == nil || len(r.revoke.checks) != 1 || !r.revoke.checks[0].Checked {
		t.Fatalf("no revoke offer: %+v", r.revoke)
	}
	if top := h.win.Canvas().Overlays().Top(); top == nil || !shows(top, "deleted rule") {
		t.Error("the offer does not name the deleted rule")
	}
	r.revoke.dlg.Confirm()
	h.waitFor("the save", func() bool { return strings.HasPrefix(r.status.Text, "Saved.") })
	if !strings.Contains(r.status.Text, "2 grants of the changed rules revoked") {
		t.Errorf("status %q", r.status.Text)
	}
	if slices.Contains(h.rolesOf("alice"), "engineering-x") {
		t.Error("the deleted rule's grant stayed")
	}
	// One change, one audit entry: the save and the revocation together.
	audit, err := h.con.AuditLog(context.Background(), 1)
	if err != nil || len(audit) != 1 || !strings.Contains(audit[0].Message, "the grants of 1 changed rule revoked") ||
		!strings.Contains(audit[0].Detail, "revoked: 2 grants of rule") {
		t.Errorf("newest audit entry: %+v, %v", audit, err)
	}
}

// rolesOf lists the roles of the demo account with username name.
func (h *harness) rolesOf(name string) []string {
	h.t.Helper()
	users, err := h.con.Users(context.Background(), core.UserFilter{Search: name})
	if err != nil || len(users) != 1 {
		h.t.Fatalf("users %q: %v, %v", name, users, err)
	}
	var roles []string
	for _, g := range users[0].Roles {
		roles = append(roles, g.Role)
	}
	return roles
}
