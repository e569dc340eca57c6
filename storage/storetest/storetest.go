// Package storetest is the contract of core.Store: one suite of tests that
// every implementation must pass, in the spirit of dex's
// storage/conformance. It exercises each method through the interface
// alone — what it returns, the error codes a person sees (core.ErrorCode),
// the order of lists, what one transaction writes or leaves unwritten, and
// what concurrent callers get — so that a second implementation (an
// in-memory store for tests, another database) can be checked against the
// same promises the SQLite store keeps.
//
// storage's own tests run it over the SQLite store:
//
//	storetest.Run(t, func(t *testing.T) core.Store { return openTempDB(t) })
//
// A method added to core.Store gets its cases here, in the file of its
// aggregate.
package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// NewStore returns an empty store, closed by the test's cleanup.
type NewStore func(t *testing.T) core.Store

// Run runs the whole contract, each case on a store of its own, the cases
// in parallel: newStore must be safe to call from several goroutines.
func Run(t *testing.T, newStore NewStore) {
	groups := []struct {
		name  string
		cases []testCase
	}{
		{"IdPs", idpCases},
		{"Accounts", accountCases},
		{"Accounts in bulk", userBulkCases},
		{"Account order", userSortCases},
		{"Roles", roleCases},
		{"Logins", loginCases},
		{"Requests", requestCases},
		{"Events", eventCases},
		{"Events after an ID", eventsAfterCases},
		{"Recordings", recordingCases},
		{"Retention", retentionCases},
		{"Dashboard", dashboardCases},
		{"Personas", personaCases},
		{"Settings", settingCases},
		{"Config", configCases},
		{"SCIM", scimCases},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel() // each case has a store of its own
					c.run(t, newStore(t))
				})
			}
		})
	}
}

// testCase is one promise of the contract.
type testCase struct {
	name string
	run  func(t *testing.T, s core.Store)
}

// base is the time the cases' logins happen around: recent, so that
// nothing a store purges by age on its own is old enough to go, and on a
// whole second, as stores may keep times to the second only.
var base = time.Now().UTC().Truncate(time.Second).Add(-time.Hour)

var ctx = context.Background()

// wantCode fails unless err carries code (core.ErrorCode).
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one with code %q", code)
	}
	if got := core.ErrorCode(err); got != code {
		t.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// login is a first or later login of nameID at idp, at at, granting roles
// by rule.
func login(idp, nameID string, at time.Time, roles ...string) core.Provision {
	p := core.Provision{At: at, IdPSlug: idp, NameID: nameID, Username: nameID,
		Email: nameID + "@example.com", DisplayName: "Person " + nameID,
		Attributes: core.Attributes{"groups": roles}}
	for i, r := range roles {
		p.Roles = append(p.Roles, core.RoleGrant{Role: r, Kind: core.GrantRule, RuleID: "r" + r,
			RuleIndex: i + 1, IdPSlug: idp, Source: "rule " + r})
	}
	return p
}

// apply runs ApplyLogin and fails the test on an error.
func apply(t *testing.T, s core.Store, p core.Provision) core.ProvisionResult {
	t.Helper()
	res, err := s.ApplyLogin(ctx, p)
	if err != nil {
		t.Fatalf("ApplyLogin(%s, %s): %v", p.IdPSlug, p.NameID, err)
	}
	return res
}

// roleNames are the roles of grants, sorted.
func roleNames(grants []core.RoleGrant) []string {
	var out []string
	for _, g := range grants {
		out = append(out, g.Role)
	}
	slices.Sort(out)
	return out
}

// userNames are the NameIDs of users, in order.
func userNames(users []core.User) []string {
	out := []string{}
	for _, u := range users {
		out = append(out, u.NameID)
	}
	return out
}

// eventIDs are the IDs of events, in order.
func eventIDs(events []core.Event) []int64 {
	var out []int64
	for _, e := range events {
		out = append(out, e.ID)
	}
	return out
}

// newestFirst reports whether ids strictly decrease.
func newestFirst(ids []int64) bool {
	for i := 1; i < len(ids); i++ {
		if ids[i] >= ids[i-1] {
			return false
		}
	}
	return true
}
