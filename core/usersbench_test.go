package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// BenchmarkUsersScreen100k measures what the Users screen asks of 100,000
// accounts in SQLite: the first page of 100 with its total (now), the
// newest 1,000 without a total (before), the stale view's page with its
// total, a search's, and disabling every stale account in one change.
func BenchmarkUsersScreen100k(b *testing.B) {
	tc := startConsoleB(b)
	seedAccounts(b, tc, 10_000)
	copyAccounts(b, tc, 10)
	ctx := context.Background()
	page := func(b *testing.B, f core.UserFilter, wantTotal func(int) bool) {
		for b.Loop() {
			list, err := tc.Users(ctx, f)
			if err != nil {
				b.Fatal(err)
			}
			n, err := tc.CountUsers(ctx, f)
			if err != nil || !wantTotal(n) || len(list) > f.Limit {
				b.Fatalf("%d of %d, %v", len(list), n, err)
			}
		}
	}
	b.Run("first page and total", func(b *testing.B) {
		page(b, core.UserFilter{Limit: 100}, func(n int) bool { return n == 100_000 })
	})
	b.Run("newest 1000 (before)", func(b *testing.B) {
		for b.Loop() {
			if list, err := tc.Users(ctx, core.UserFilter{Limit: 1000}); err != nil || len(list) != 1000 {
				b.Fatalf("%d, %v", len(list), err)
			}
		}
	})
	b.Run("page 500 and total", func(b *testing.B) {
		page(b, core.UserFilter{Limit: 100, Offset: 50_000}, func(n int) bool { return n == 100_000 })
	})
	b.Run("stale page and total", func(b *testing.B) {
		page(b, core.UserFilter{Limit: 100, LastLoginBefore: time.Now()}, func(n int) bool { return n == 100_000 })
	})
	b.Run("search page and total", func(b *testing.B) {
		page(b, core.UserFilter{Limit: 100, Search: "example"}, func(n int) bool { return n > 0 })
	})
	b.Run("stream every account", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if err := tc.ForEachMatchingUser(ctx, core.UserFilter{}, func(core.User) error { n++; return nil }); err != nil || n != 100_000 {
				b.Fatalf("%d, %v", n, err)
			}
		}
	})
	b.Run("disable every stale account", func(b *testing.B) {
		disabled := true
		for b.Loop() {
			if n, err := tc.SetMatchingUsersDisabled(ctx, core.UserFilter{LastLoginBefore: time.Now()}, disabled); err != nil || n != 100_000 {
				b.Fatalf("%d, %v", n, err)
			}
			disabled = !disabled
		}
	})
}
