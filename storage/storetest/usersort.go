package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// userSortCases are the promises of UserFilter.Sort: every column orders
// both ways, text without ASCII case, ties by ID, and pages of a sorted
// list join up into the whole list with the same total.
var userSortCases = []testCase{
	{"list sorts by each column both ways", func(t *testing.T, s core.Store) {
		// Created in this order; names chosen so that no column's order is
		// the creation order.
		p := func(idp, nameID, user, email string, at time.Time) core.Provision {
			pr := login(idp, nameID, at)
			pr.Username, pr.Email, pr.DisplayName = user, email, "Person "+user
			return pr
		}
		apply(t, s, p("okta", "n1", "carl", "Zed@example.com", base))
		bea := apply(t, s, p("entra", "n2", "Bea", "amy@example.com", base.Add(time.Minute)))
		apply(t, s, p("okta", "n3", "dan", "Mo@example.com", base.Add(2*time.Minute)))
		apply(t, s, p("okta", "n1", "carl", "Zed@example.com", base.Add(3*time.Minute))) // carl: 2 sign-ins, latest
		_, _, err := s.SetUsersDisabled(ctx, []int64{bea.User.ID}, true, "tester")
		must(t, err)
		cases := []struct {
			by  core.UserSort
			asc []string
		}{
			{"", []string{"n1", "n2", "n3"}},
			{core.UserSortCreated, []string{"n1", "n2", "n3"}},
			{core.UserSortUsername, []string{"n2", "n1", "n3"}},    // Bea, carl, dan
			{core.UserSortDisplayName, []string{"n2", "n1", "n3"}}, // Person Bea, …
			{core.UserSortEmail, []string{"n2", "n3", "n1"}},       // amy, Mo, Zed
			{core.UserSortIdP, []string{"n2", "n1", "n3"}},         // entra, okta (n1 < n3 by ID)
			{core.UserSortStatus, []string{"n1", "n3", "n2"}},      // active (by ID), disabled
			{core.UserSortLastLogin, []string{"n2", "n3", "n1"}},
			{core.UserSortLoginCount, []string{"n2", "n3", "n1"}}, // 1, 1 (by ID), 2
		}
		for _, c := range cases {
			asc, err := s.ListUsers(ctx, core.UserFilter{Sort: c.by, Ascending: true})
			must(t, err)
			if got := userNames(asc); !reflect.DeepEqual(got, c.asc) {
				t.Errorf("sort %q ascending = %q, want %q", c.by, got, c.asc)
			}
			desc, err := s.ListUsers(ctx, core.UserFilter{Sort: c.by})
			must(t, err)
			want := []string{c.asc[2], c.asc[1], c.asc[0]}
			if got := userNames(desc); !reflect.DeepEqual(got, want) {
				t.Errorf("sort %q descending = %q, want %q", c.by, got, want)
			}
		}
		_, err = s.ListUsers(ctx, core.UserFilter{Sort: "shoe size"})
		wantCode(t, err, core.EINVALID)
	}},
	{"sorted pages join up into the whole list", func(t *testing.T, s core.Store) {
		names := []string{"kim", "Al", "joe", "Bo", "eve", "Cy", "ian", "Di", "hal", "Ed", "gus"}
		for i, n := range names {
			apply(t, s, login("okta", n, base.Add(time.Duration(i)*time.Second)))
		}
		f := core.UserFilter{Search: "", Sort: core.UserSortUsername, Ascending: true}
		whole, err := s.ListUsers(ctx, f)
		must(t, err)
		var paged []string
		for off := 0; ; off += 4 {
			f.Limit, f.Offset = 4, off
			page, err := s.ListUsers(ctx, f)
			must(t, err)
			if len(page) == 0 {
				break
			}
			paged = append(paged, userNames(page)...)
		}
		want := []string{"Al", "Bo", "Cy", "Di", "Ed", "eve", "gus", "hal", "ian", "joe", "kim"}
		if got := userNames(whole); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(paged, want) {
			t.Errorf("by username: whole %q, pages %q; want %q", got, paged, want)
		}
		n, err := s.CountUsers(ctx, f)
		must(t, err)
		if n != len(names) {
			t.Errorf("CountUsers with a sort = %d, want %d", n, len(names))
		}
	}},
}
