package ui

// Tests of leaving the Mapping Rules screen with unsaved edits.

import "testing"

// TestLeavingRulesWithEditsAsks checks that choosing another tab with
// unsaved edits stays on Mapping Rules and asks; "Keep editing" keeps the
// edits there, "Discard" drops them and goes to the tab chosen; without
// edits the tabs change at once.
func TestLeavingRulesWithEditsAsks(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	tabs := h.app.tabs
	selected := func() string { return tabs.Selected().Text }

	h.showTab("Users")
	if selected() != "Users" || r.leaveDlg != nil {
		t.Fatalf("without edits: on %q, asked %v", selected(), r.leaveDlg != nil)
	}
	h.showTab("Mapping Rules")

	value := r.form.rules[0].conds[0].value
	was := value.Text
	value.SetText("Nobody")
	if !r.dirty() {
		t.Fatal("the edit did not make the working copy dirty")
	}
	h.showTab("Users")
	if selected() != "Mapping Rules" || r.leaveDlg == nil {
		t.Fatalf("with edits: on %q, asked %v", selected(), r.leaveDlg != nil)
	}
	r.leaveDlg.Dismiss() // Keep editing
	if selected() != "Mapping Rules" || !r.dirty() || value.Text != "Nobody" {
		t.Errorf("after Keep editing: on %q, dirty %v, value %q", selected(), r.dirty(), value.Text)
	}

	h.showTab("Activity")
	if r.leaveDlg == nil {
		t.Fatal("the second try did not ask")
	}
	r.leaveDlg.Confirm() // Discard
	if selected() != "Activity" || r.dirty() {
		t.Errorf("after Discard: on %q, dirty %v", selected(), r.dirty())
	}
	if got := r.form.m.RoleRules[0].Conditions[0].Value; got != was {
		t.Errorf("after Discard the working copy has %q, want the saved %q", got, was)
	}
}
