package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// changedDemoMapping is the demo IdP's mapping with its first rule
// dropped, so that some seeded accounts would lose a role.
func changedDemoMapping(t *testing.T, store core.Store) core.Mapping {
	t.Helper()
	idp, err := store.GetIdP(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	m := idp.Mapping.Normalized()
	m.RoleRules = m.RoleRules[1:]
	return m
}

// TestImpactProgressIsMonotoneAndReachesTotal: the preview and Apply now
// report "n of N" batch by batch, n never going back, ending at N = the
// number of accounts.
func TestImpactProgressIsMonotoneAndReachesTotal(t *testing.T) {
	const n = 2_500
	con, store := startMemConsole(t)
	seedAccountsIn(t, store, n)
	ctx := context.Background()
	check := func(what string, calls [][2]int) {
		t.Helper()
		if len(calls) < 3 {
			t.Fatalf("%s: %d progress reports for %d accounts, want one per batch: %v", what, len(calls), n, calls)
		}
		for i, c := range calls {
			if c[1] != n || c[0] > c[1] || (i > 0 && c[0] < calls[i-1][0]) {
				t.Fatalf("%s: report %d is %d of %d after %v", what, i, c[0], c[1], calls[:i])
			}
		}
		if last := calls[len(calls)-1]; last[0] != n {
			t.Fatalf("%s: the last report is %d of %d, want %d of %d", what, last[0], last[1], n, n)
		}
	}
	var calls [][2]int
	im, err := con.PreviewImpactProgress(ctx, "demo", changedDemoMapping(t, store), func(d, tot int) { calls = append(calls, [2]int{d, tot}) })
	if err != nil || im.Users != n {
		t.Fatalf("preview: %d accounts, %v", im.Users, err)
	}
	check("preview", calls)

	if _, _, err := con.SaveMapping(ctx, "demo", changedDemoMapping(t, store), nil); err != nil {
		t.Fatal(err)
	}
	calls = nil
	if _, err := con.ApplyNowProgress(ctx, "demo", func(d, tot int) { calls = append(calls, [2]int{d, tot}) }); err != nil {
		t.Fatal(err)
	}
	check("apply", calls)
}

// TestCancelledImpactStops: cancelling during the walk stops the preview
// before the end, and an Apply now cancelled midway changes no account and
// says so in the audit log.
func TestCancelledImpactStops(t *testing.T) {
	const n = 3_000
	con, store := startMemConsole(t)
	seedAccountsIn(t, store, n)

	ctx, cancel := context.WithCancel(context.Background())
	im, err := con.PreviewImpactProgress(ctx, "demo", changedDemoMapping(t, store), func(d, _ int) {
		if d >= 1000 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || im.Users >= n {
		t.Fatalf("cancelled preview: %d of %d accounts evaluated, err %v; want it stopped with context.Canceled", im.Users, n, err)
	}

	bg := context.Background()
	m := changedDemoMapping(t, store)
	if _, _, err := con.SaveMapping(bg, "demo", m, nil); err != nil {
		t.Fatal(err)
	}
	before, err := con.PreviewImpact(bg, "demo", m)
	if err != nil || len(before.Losses) == 0 {
		t.Fatalf("the saved mapping changes nobody (%s, %v): the test cannot tell an apply", before.Summary(), err)
	}
	ctx, cancel = context.WithCancel(bg)
	_, err = con.ApplyNowProgress(ctx, "demo", func(d, _ int) {
		if d >= 2000 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled apply: err %v, want context.Canceled", err)
	}
	after, err := con.PreviewImpact(bg, "demo", m)
	if err != nil || after.Summary() != before.Summary() {
		t.Fatalf("after a cancelled apply the impact is %q, was %q (%v): accounts changed", after.Summary(), before.Summary(), err)
	}
	log, err := con.AuditLog(bg, 5)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range log {
		found = found || (strings.Contains(e.Message, "cancelled") && strings.Contains(e.Message, "of 3000 accounts: no account changed"))
	}
	if !found {
		t.Fatalf("the audit log does not record the cancelled apply: %+v", log)
	}
}
