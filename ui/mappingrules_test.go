package ui

// Tests of the Mapping Rules screen: the editor form and Save, with the
// helpers the screen's other test files use (openRules, addRule, saveRole).

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
func (h *harness) addRule(attr string, op core.Operator, value, roles string) *ruleCard {
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
