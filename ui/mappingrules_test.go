package ui

// Tests of the Mapping Rules screen: the editor form, save and revoke,
// preview and apply, the rule tester and the role catalogue.

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// openRules shows the Mapping Rules screen and waits for the demo IdP's
// mapping in the form, with every role it grants in the catalogue.
func (h *harness) openRules() *rules {
	h.t.Helper()
	h.showTab("Mapping Rules")
	r := h.app.rules
	h.waitFor("the demo IdP's mapping", func() bool {
		return r.form != nil && r.currentSlug() == core.DemoSlug && r.haveCatalogue
	})
	if r.addMissing.Visible() {
		test.Tap(r.addMissing)
		h.waitFor("the roles in the catalogue", func() bool { return !r.addMissing.Visible() })
	}
	if r.form.problem != nil {
		h.t.Fatalf("the saved demo mapping is invalid: %+v", r.form.problem)
	}
	return r
}

// addRule adds a rule "attr op value → roles" through the form and
// returns its card.
func (h *harness) addRule(attr, op, value, roles string) *ruleCard {
	h.t.Helper()
	f := h.app.rules.form
	test.Tap(f.addRule)
	c := f.rules[len(f.rules)-1]
	if len(c.conds) != 1 {
		h.t.Fatalf("a new rule has %d conditions, want 1", len(c.conds))
	}
	cond := c.conds[0]
	cond.attr.SetText(attr)
	cond.op.SetSelected(operatorTitles[op])
	cond.value.SetText(value)
	c.roles.SetText(roles)
	return c
}

// saveRole creates a role in the catalogue and waits for the screen to
// know it.
func (h *harness) saveRole(name string) {
	h.t.Helper()
	if err := h.con.SaveRole(context.Background(), name, ""); err != nil {
		h.t.Fatalf("save role %s: %v", name, err)
	}
	r := h.app.rules
	r.reload.Trigger()
	h.waitFor("role "+name+" in the catalogue", func() bool { return slices.Contains(r.roleNames(), name) })
}

// demoMapping reads the demo IdP's saved mapping.
func (h *harness) demoMapping() core.Mapping {
	h.t.Helper()
	idps, err := h.con.IdPs(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	i := slices.IndexFunc(idps, func(i core.IdP) bool { return i.Slug == core.DemoSlug })
	if i < 0 {
		h.t.Fatal("no demo IdP")
	}
	return idps[i].Mapping.Normalized()
}

func TestRulesAddRuleAndSave(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	h.saveRole("engineering-x")
	before := len(h.demoMapping().RoleRules)
	if len(r.form.rules) != before {
		t.Fatalf("the form shows %d rules, the demo IdP has %d", len(r.form.rules), before)
	}
	if !r.save.Disabled() {
		t.Error("Save is enabled with nothing changed")
	}

	c := h.addRule("groups", core.OpContains, "Engineering", "engineering-x")
	c.name.SetText("Engineers → engineering-x")
	if r.save.Disabled() || r.form.problem != nil {
		t.Fatalf("Save stays disabled for a valid rule: %v, %q", r.form.problem, r.status.Text)
	}
	if r.status.Importance != widget.WarningImportance || !strings.Contains(r.status.Text, "Unsaved changes") {
		t.Errorf("status %q", r.status.Text)
	}
	test.Tap(r.save)
	h.waitFor("the save", func() bool { return strings.HasPrefix(r.status.Text, "Saved.") })
	if !r.save.Disabled() {
		t.Error("Save is enabled after saving")
	}

	m := h.demoMapping()
	if len(m.RoleRules) != before+1 {
		t.Fatalf("saved %d rules, want %d", len(m.RoleRules), before+1)
	}
	got := m.RoleRules[before]
	want := core.Condition{Attribute: "groups", Operator: core.OpContains, Value: "Engineering", CaseInsensitive: true}
	if got.Name != "Engineers → engineering-x" || len(got.Conditions) != 1 || got.Conditions[0] != want ||
		!slices.Equal(got.Roles, []string{"engineering-x"}) || got.ID == "" {
		t.Errorf("saved rule %+v", got)
	}
	// The form now holds the saved rule, with its ID.
	if r.form.m.RoleRules[before].ID != got.ID || r.dirty() {
		t.Error("the form did not take the saved mapping")
	}

	// Moving it up and undoing.
	test.Tap(r.form.rules[before].up)
	if r.form.m.RoleRules[before-1].ID != got.ID || !r.dirty() {
		t.Fatal("Move up did not move the rule")
	}
	test.Tap(r.undo)
	if r.dirty() || r.form.m.RoleRules[before].ID != got.ID {
		t.Error("Undo did not restore the saved order")
	}
}

func TestRulesInvalidRegexShowsErrorAndSaveStaysDisabled(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	h.saveRole("engineering-x")
	c := h.addRule("groups", core.OpMatches, "^(Eng", "engineering-x")
	cond := c.conds[0]

	if !cond.err.Visible() || !strings.HasPrefix(cond.err.Text, "invalid regular expression: ") ||
		cond.err.Importance != widget.DangerImportance {
		t.Fatalf("the condition's error: %q (visible %t)", cond.err.Text, cond.err.Visible())
	}
	if !r.save.Disabled() || !r.previewBtn.Disabled() || !r.applyNow.Disabled() {
		t.Error("Save, Preview or Apply now is enabled with an invalid regex")
	}
	n := len(r.form.rules)
	if want := "Rule " + strconv.Itoa(n) + ", condition 1, value: invalid regular expression"; !strings.Contains(r.status.Text, want) {
		t.Errorf("status %q, want it to contain %q", r.status.Text, want)
	}
	// Tapping Save anyway does nothing.
	r.onSave()
	if r.busy {
		t.Error("an invalid mapping was saved")
	}

	// An unknown role points at the roles entry.
	cond.value.SetText("^Eng")
	if cond.err.Visible() || r.save.Disabled() {
		t.Fatalf("a fixed regex still blocks Save: %q", cond.err.Text)
	}
	c.roles.SetText("engineering-x, no-such-role")
	if !c.rolesErr.Visible() || !strings.Contains(c.rolesErr.Text, "no-such-role") || !r.save.Disabled() {
		t.Errorf("unknown role: %q (visible %t)", c.rolesErr.Text, c.rolesErr.Visible())
	}
	if !r.addMissing.Visible() || !strings.Contains(r.addMissing.Text, "no-such-role") {
		t.Errorf("no offer to add the role: %q", r.addMissing.Text)
	}
	// An empty condition value points at the value.
	c.roles.SetText("engineering-x")
	cond.op.SetSelected(operatorTitles[core.OpEquals])
	cond.value.SetText("")
	if !cond.err.Visible() || !r.save.Disabled() {
		t.Errorf("an empty value is accepted: %q", cond.err.Text)
	}
	// A bad transform regex points at its chip.
	cond.value.SetText("Engineering")
	f := r.form
	row := f.fields[core.FieldUsername]
	row.source.SetSelected(sourceAttribute)
	row = f.fields[core.FieldUsername]
	row.attrs.SetText("uid")
	row = f.fields[core.FieldUsername]
	row.add.SetSelected("Regex capture")
	row = f.fields[core.FieldUsername]
	if len(row.transforms) != 1 || row.transforms[0].pattern == nil {
		t.Fatalf("no regex transform: %+v", row.transforms)
	}
	row.transforms[0].pattern.SetText("(")
	if !row.transforms[0].err.Visible() || !strings.Contains(row.transforms[0].err.Text, "invalid regular expression") || !r.save.Disabled() {
		t.Errorf("a bad transform pattern: %q", row.transforms[0].err.Text)
	}
	row.transforms[0].pattern.SetText(`^(\w+)`)
	if r.save.Disabled() {
		t.Errorf("a good pattern still blocks Save: %q", r.status.Text)
	}
}

func TestRuleTesterShowsMatch(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	ctx := context.Background()
	if err := core.DemoLoginAs(ctx, nil, h.con.BaseURL(), "alice"); err != nil {
		t.Fatalf("demo login: %v", err)
	}
	tr := r.tester
	h.waitFor("alice's sign-in in the tester", func() bool { return len(tr.recs) == 1 })
	rec := tr.recs[0]
	tr.recSelect.SetSelected(recordingOption(rec))
	test.Tap(tr.run)
	h.waitFor("the test result", func() bool { return tr.last != nil || tr.errLabel.Visible() })
	if tr.last == nil {
		t.Fatalf("the test failed: %s", tr.errLabel.Text)
	}
	rt := *tr.last
	if rt.Decision != "update" || rt.Existing == nil || rt.NameID != "alice@example.com" {
		t.Errorf("decision %q, existing %v, NameID %q", rt.Decision, rt.Existing, rt.NameID)
	}
	// The demo mapping's first rule is "groups contains Admins → admin".
	first := rt.Evaluation.Rules[0]
	if !first.Matched || !slices.Contains(first.Roles, "admin") {
		t.Fatalf("rule 1: %+v", first)
	}
	for _, want := range []string{"Would update the account of alice", "matched — grants admin",
		first.Conditions[0].Why, first.Conditions[0].Condition.String(), "no match", "alice@example.com"} {
		if !shows(tr.result, want) {
			t.Errorf("the tester does not show %q", want)
		}
	}
	if !shows(tr.result, `"Admins"`) {
		t.Error("the tester does not show the values compared")
	}

	// Editing the working copy runs the test again, unsaved: rule 1 no
	// longer matches.
	r.form.rules[0].conds[0].value.SetText("Nobody")
	h.waitFor("the test of the edited copy", func() bool { return tr.last != nil && !tr.last.Evaluation.Rules[0].Matched })
	if !shows(tr.result, "none of") {
		t.Errorf("the edited test does not say why: %q", texts(tr.result))
	}
	if m := h.demoMapping(); m.RoleRules[0].Conditions[0].Value != "Admins" {
		t.Error("testing saved the working copy")
	}
}

func TestRuleTesterPastedResponse(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	tr := r.tester
	tr.source.SetSelected(testPasted)
	if !tr.paste.Visible() || tr.recSelect.Visible() {
		t.Fatal("choosing a pasted response did not show the entry")
	}
	tr.paste.SetText(freshResponse(t, h.con))
	test.Tap(tr.run)
	h.waitFor("the test result", func() bool { return tr.last != nil || tr.errLabel.Visible() })
	if tr.last == nil || tr.report == nil {
		t.Fatalf("the test failed: %s", tr.errLabel.Text)
	}
	if tr.last.Decision != "create" || !shows(tr.result, "Would create a new account") {
		t.Errorf("decision %q", tr.last.Decision)
	}
	users, _ := h.con.Users(context.Background(), core.UserFilter{})
	if len(users) != 0 {
		t.Error("testing a pasted response created an account")
	}
}

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

func TestRulesLinkByEmailAsksFirst(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	f := r.form
	if !f.caseInsensitive.Checked || f.linkByEmail.Checked || f.keyMode.Selected != keyNameID {
		t.Fatal("the defaults are not: NameID key, any case, no linking")
	}
	test.Tap(f.linkByEmail)
	if f.linkConfirm == nil {
		t.Fatal("no warning when turning linking by email on")
	}
	if top := h.win.Canvas().Overlays().Top(); top == nil || !shows(top, "trust decision") || !shows(top, "anyone who controls that email address") {
		t.Errorf("the warning does not explain the trust decision: %q", texts(top))
	}
	f.linkConfirm.Dismiss()
	if f.linkByEmail.Checked || f.m.LinkByEmail || r.dirty() {
		t.Error("keeping it off left it on")
	}
	test.Tap(f.linkByEmail)
	f.linkConfirm.Confirm()
	if !f.m.LinkByEmail || r.save.Disabled() {
		t.Error("confirming did not turn it on")
	}

	// An attribute key needs its name.
	f.keyMode.SetSelected(keyAttribute)
	if !r.save.Disabled() || !strings.Contains(r.status.Text, "Name the attribute") {
		t.Errorf("an unnamed key attribute: %q", r.status.Text)
	}
	f.keyAttr.SetText("employeeNumber")
	test.Tap(r.save)
	h.waitFor("the save", func() bool { return strings.HasPrefix(r.status.Text, "Saved.") })
	if m := h.demoMapping(); !m.LinkByEmail || m.AccountKeyAttr != "employeeNumber" {
		t.Errorf("saved %+v", m)
	}
}

func TestRulesPresetAndSync(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	f := r.form
	// The demo IdP's entity ID points at its own preset.
	if f.suggested != "JIT Console demo IdP" || !strings.Contains(f.presetSelect.Selected, "suggested") || !f.presetHint.Visible() {
		t.Errorf("suggested %q, selected %q", f.suggested, f.presetSelect.Selected)
	}
	f.presetSelect.SetSelected("Okta")
	test.Tap(f.usePreset)
	f = r.form
	if got := f.fields[core.FieldGivenName].attrs.Text; got != "firstName" {
		t.Errorf("Okta's given name comes from %q", got)
	}
	f.syncMode.SetSelected(syncCreateOnly)
	f.syncFields[core.FieldEmail].SetSelected("Keep when absent")
	f.fields[core.FieldEmail].required.SetChecked(true)
	f.noMatch.SetSelected(noMatchDeny)
	test.Tap(r.save)
	h.waitFor("the save", func() bool { return strings.HasPrefix(r.status.Text, "Saved.") })
	m := h.demoMapping()
	if m.Sync.Mode != core.SyncCreateOnly || m.Sync.FieldPolicy(core.FieldEmail) != core.FieldKeepWhenAbsent ||
		!slices.Equal(m.Required, []string{core.FieldEmail}) || m.NoMatch != core.NoMatchDeny ||
		!slices.Equal(m.Fields[core.FieldGivenName].Attributes, []string{"firstName"}) {
		t.Errorf("saved %+v", m)
	}
}

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

func TestDescribeField(t *testing.T) {
	for path, want := range map[string]string{
		"role_rules[1].conditions[0].value":     "Rule 2, condition 1, value",
		"role_rules[0].roles[2]":                "Rule 1, role 3",
		"fields.username.transforms[0].pattern": "Field mapping, Username, transform 1, pattern",
		"default_role":                          "Default role",
		"":                                      "",
	} {
		if got := describeField(path); got != want {
			t.Errorf("describeField(%q) = %q, want %q", path, got, want)
		}
	}
}
