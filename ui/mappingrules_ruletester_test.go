package ui

// Tests of the Mapping Rules screen's "Rule tester" tab.

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/jitconsole/jitconsole/core"
)

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

// TestRuleTesterFollowsTheForm checks that a result on screen never
// passes for the form as it is: picking another sign-in runs the test
// again on it, breaking the rules marks the result stale, mending them
// runs it again, and editing a pasted response marks it stale.
func TestRuleTesterFollowsTheForm(t *testing.T) {
	h := newHarness(t, nil)
	r := h.openRules()
	ctx := context.Background()
	for _, id := range []string{"alice", "bob"} {
		if err := core.DemoLoginAs(ctx, nil, h.con.BaseURL(), id); err != nil {
			t.Fatalf("demo login %s: %v", id, err)
		}
	}
	tr := r.tester
	h.waitFor("two sign-ins in the tester", func() bool { return len(tr.recs) == 2 })
	var alice, bob string
	for _, rec := range tr.recs {
		if strings.HasPrefix(rec.NameID, "alice") {
			alice = recordingOption(rec)
		} else {
			bob = recordingOption(rec)
		}
	}
	tr.recSelect.SetSelected(alice)
	if tr.stale.Visible() {
		t.Error("a stale notice before any result")
	}
	test.Tap(tr.run)
	h.waitFor("alice's result", func() bool { return tr.last != nil && strings.HasPrefix(tr.last.NameID, "alice") })

	tr.recSelect.SetSelected(bob)
	h.waitFor("bob's result", func() bool { return tr.last != nil && strings.HasPrefix(tr.last.NameID, "bob") })
	if tr.stale.Visible() {
		t.Errorf("bob's fresh result is marked stale: %q", tr.stale.Text)
	}

	attr := r.form.rules[0].conds[0].attr
	was := attr.Text
	attr.SetText("")
	h.waitFor("the stale notice", func() bool { return tr.stale.Visible() })
	if tr.stale.Text != staleBroken || tr.last == nil {
		t.Errorf("stale notice %q, result %v", tr.stale.Text, tr.last != nil)
	}
	attr.SetText(was)
	h.waitFor("the test of the mended rules", func() bool { return !tr.stale.Visible() && !tr.progress.Visible() })

	tr.source.SetSelected(testPasted)
	tr.paste.SetText("<samlp:Response/>")
	if !tr.stale.Visible() || tr.stale.Text != staleResponse {
		t.Errorf("after editing the pasted response: stale %v %q", tr.stale.Visible(), tr.stale.Text)
	}
	tr.source.SetSelected(testRecorded)
	if tr.stale.Visible() {
		t.Errorf("back on the sign-in tested, still stale: %q", tr.stale.Text)
	}
}
