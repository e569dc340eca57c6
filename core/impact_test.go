package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// TestImpactPreviewOn10000Users checks the preview against a direct
// evaluation of every account, then applies it: over 10,000 accounts in
// the in-memory store (what core computes at that size), and over 1,000
// in a SQLite file (the real store's streaming and its one transaction
// for Apply now; seeding 10,000 there took 100 s of the suite under
// -race, nearly all of it SQLite's statements, which one transaction
// would not have saved).
func TestImpactPreviewOn10000Users(t *testing.T) {
	t.Run("memstore", func(t *testing.T) {
		con, store := startMemConsole(t)
		checkImpactPreview(t, con, store, 10_000)
	})
	t.Run("sqlite", func(t *testing.T) {
		if testing.Short() {
			t.Skip("seeds 1,000 accounts in SQLite")
		}
		tc := startConsole(t, t.TempDir(), "")
		checkImpactPreview(t, tc.Console, tc.DB, 1_000)
	})
}

// checkImpactPreview seeds n accounts into store, the store of con, then
// checks the preview of a changed mapping and Apply now.
func checkImpactPreview(t *testing.T, tc *core.Console, store core.Store, n int) {
	ctx := context.Background()
	seedAccountsIn(t, store, n)
	if err := tc.SaveRole(ctx, "oncall", ""); err != nil {
		t.Fatal(err)
	}
	idp, err := store.GetIdP(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	m := idp.Mapping.Normalized()
	m.RoleRules = append(m.RoleRules[1:], core.RoleRule{Name: "on call", Roles: []string{"oncall"},
		Conditions: []core.Condition{{Attribute: "groups", Operator: core.OpContains, Value: "On-call"}}})

	start := time.Now()
	im, err := tc.PreviewImpact(ctx, "demo", m)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("preview of %d accounts took %s: %s", im.Users, time.Since(start), im.Summary())
	if im.Users != n {
		t.Fatalf("evaluated %d accounts, want %d", im.Users, n)
	}
	// The direct evaluation: every account's attributes through the new
	// mapping, compared with what its seeded roles were.
	wantGain, wantLoss := map[string]int{}, map[string]int{}
	for i := range n {
		h := seedHire(i)
		attrs := hireAttributes(h)
		before := idp.Mapping.Evaluate(h.NameIDValue(), attrs, nil).Fields.Roles
		after := m.Evaluate(h.NameIDValue(), attrs, nil).Fields.Roles
		b, a := map[string]bool{}, map[string]bool{}
		for _, g := range before {
			b[g.Role] = true
		}
		for _, g := range after {
			a[g.Role] = true
		}
		for r := range a {
			if !b[r] {
				wantGain[r]++
			}
		}
		for r := range b {
			if !a[r] {
				wantLoss[r]++
			}
		}
	}
	for r, c := range wantGain {
		if len(im.Gains[r]) != c {
			t.Errorf("+%s: preview %d, direct %d", r, len(im.Gains[r]), c)
		}
	}
	for r, c := range wantLoss {
		if len(im.Losses[r]) != c {
			t.Errorf("−%s: preview %d, direct %d", r, len(im.Losses[r]), c)
		}
	}
	if len(im.Gains) != len(wantGain) || len(im.Losses) != len(wantLoss) || wantLoss["admin"] == 0 || wantGain["oncall"] == 0 {
		t.Fatalf("preview %s; direct gains %v losses %v", im.Summary(), wantGain, wantLoss)
	}

	// Saved and applied now, the accounts change at once.
	if _, _, err := tc.SaveMapping(ctx, "demo", m, nil); err != nil {
		t.Fatal(err)
	}
	applied, err := tc.ApplyNow(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if applied.Summary() != im.Summary() {
		t.Errorf("applied %q, previewed %q", applied.Summary(), im.Summary())
	}
	again, err := tc.PreviewImpact(ctx, "demo", m)
	if err != nil || again.Summary() != "No account would change." {
		t.Fatalf("after Apply now the preview still shows %q (%v)", again.Summary(), err)
	}
	oncall, err := tc.Users(ctx, core.UserFilter{Role: "oncall"})
	if err != nil || len(oncall) != wantGain["oncall"] {
		t.Fatalf("%d accounts hold oncall, want %d (%v)", len(oncall), wantGain["oncall"], err)
	}
}
