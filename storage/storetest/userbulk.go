package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// bulkFixture makes ann and bob at okta and carl (disabled) at entra, one
// minute apart, and returns carl's ID.
func bulkFixture(t *testing.T, s core.Store) int64 {
	t.Helper()
	apply(t, s, login("okta", "ann", base, "admin"))
	apply(t, s, login("okta", "bob", base.Add(time.Minute), "staff"))
	carl := apply(t, s, login("entra", "carl", base.Add(2*time.Minute), "staff"))
	_, _, err := s.SetUsersDisabled(ctx, []int64{carl.User.ID}, true, "tester")
	must(t, err)
	return carl.User.ID
}

// bulkFilters are filters of every kind, with a limit and an offset that
// counting, streaming and bulk changes ignore.
var bulkFilters = []core.UserFilter{
	{},
	{Search: "BO"},
	{Search: "carl@example"},
	{IdPSlug: "okta"},
	{Role: "staff"},
	{Status: core.UserDisabled},
	{Status: core.UserActive},
	{LastLoginBefore: base.Add(90 * time.Second)},
	{Limit: 1, Offset: 1},
	{Search: "nobody"},
}

var userBulkCases = []testCase{
	{"the count is the number of accounts the list would show, without a limit", func(t *testing.T, s core.Store) {
		bulkFixture(t, s)
		for _, f := range bulkFilters {
			all := f
			all.Limit, all.Offset = 0, 0
			list, err := s.ListUsers(ctx, all)
			must(t, err)
			n, err := s.CountUsers(ctx, f)
			must(t, err)
			if n != len(list) {
				t.Errorf("CountUsers(%+v) = %d, ListUsers has %d", f, n, len(list))
			}
		}
		_, err := s.CountUsers(ctx, core.UserFilter{Status: "asleep"})
		wantCode(t, err, core.EINVALID)
	}},
	{"every matching account streams once, in the list's order", func(t *testing.T, s core.Store) {
		// More than one batch, with creation times shared by several
		// accounts: a batch must continue exactly after the last one.
		const n = 1234
		for i := range n {
			apply(t, s, login([]string{"okta", "entra"}[i%2], fmt.Sprintf("u%04d", i), base.Add(time.Duration(i/7)*time.Second), "staff"))
		}
		for _, f := range []core.UserFilter{{}, {IdPSlug: "okta", Limit: 5}, {Search: "u00"}} {
			all := f
			all.Limit, all.Offset = 0, 0
			want, err := s.ListUsers(ctx, all)
			must(t, err)
			var got []core.User
			must(t, s.ForEachMatchingUser(ctx, f, func(u core.User) error { got = append(got, u); return nil }))
			if !reflect.DeepEqual(userNames(got), userNames(want)) {
				t.Errorf("ForEachMatchingUser(%+v) gave %d accounts, want the list's %d in its order", f, len(got), len(want))
			}
		}
		stop, seen := errors.New("stop"), 0
		err := s.ForEachMatchingUser(ctx, core.UserFilter{}, func(core.User) error { seen++; return stop })
		if !errors.Is(err, stop) || seen != 1 {
			t.Errorf("ForEachMatchingUser went on after an error: %d accounts, %v", seen, err)
		}
	}},
	{"disabling what a filter selects changes only those, with one event", func(t *testing.T, s core.Store) {
		carl := bulkFixture(t, s)
		dave := apply(t, s, login("entra", "dave", base.Add(3*time.Minute), "staff"))
		// Role staff: bob and dave change, carl already is disabled, ann
		// does not hold it. The limit is ignored.
		n, ev, err := s.SetMatchingUsersDisabled(ctx, core.UserFilter{Role: "staff", Limit: 1}, true, "tester")
		must(t, err)
		if n != 2 || ev.ID == 0 || ev.Kind != core.EventAdminChange || ev.Message != "2 accounts disabled by tester" {
			t.Fatalf("SetMatchingUsersDisabled = %d, %+v; want 2 and one audit event", n, ev)
		}
		disabled, err := s.ListUsers(ctx, core.UserFilter{Status: core.UserDisabled})
		must(t, err)
		if got := userNames(disabled); !reflect.DeepEqual(got, []string{"dave", "carl", "bob"}) {
			t.Errorf("disabled accounts %q, want dave, carl, bob", got)
		}
		events, err := s.ListEvents(ctx, core.EventFilter{Kinds: []core.EventKind{core.EventAdminChange}})
		must(t, err)
		if len(events) != 2 || events[0].ID != ev.ID {
			t.Errorf("audit log %+v, want carl's event and the bulk one", events)
		}
		// Nothing left to change: no event.
		n, ev, err = s.SetMatchingUsersDisabled(ctx, core.UserFilter{Role: "staff"}, true, "tester")
		must(t, err)
		if n != 0 || ev.ID != 0 {
			t.Errorf("a second run changed %d accounts, event %+v", n, ev)
		}
		// Enabling the disabled accounts of entra: carl and dave.
		n, _, err = s.SetMatchingUsersDisabled(ctx, core.UserFilter{IdPSlug: "entra", Status: core.UserDisabled}, false, "tester")
		must(t, err)
		u, err := s.GetUser(ctx, carl)
		must(t, err)
		d, err := s.GetUser(ctx, dave.User.ID)
		must(t, err)
		if n != 2 || u.Disabled || d.Disabled {
			t.Errorf("enabled %d; carl disabled %v, dave disabled %v", n, u.Disabled, d.Disabled)
		}
		_, _, err = s.SetMatchingUsersDisabled(ctx, core.UserFilter{Status: "asleep"}, true, "tester")
		wantCode(t, err, core.EINVALID)
	}},
}
