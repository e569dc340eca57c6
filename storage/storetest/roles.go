package storetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// holders maps the catalogue's roles to their holder counts.
func holders(t *testing.T, s core.Store) map[string]int {
	t.Helper()
	roles, err := s.ListRoles(ctx)
	must(t, err)
	out := map[string]int{}
	for _, r := range roles {
		out[r.Name] = r.Holders
	}
	return out
}

var roleCases = []testCase{
	{"the catalogue lists roles by name with their holders", func(t *testing.T, s core.Store) {
		for _, r := range []string{"viewer", "Admin", "billing"} {
			must(t, ignoreEvent(s.SaveRole(ctx, r, "the "+r+" role", "tester")))
		}
		apply(t, s, login("okta", "ann", base, "Admin"))
		apply(t, s, login("okta", "bob", base, "Admin", "viewer"))
		roles, err := s.ListRoles(ctx)
		must(t, err)
		var names []string
		for _, r := range roles {
			names = append(names, r.Name)
		}
		if !reflect.DeepEqual(names, []string{"Admin", "billing", "viewer"}) {
			t.Errorf("catalogue order %q, want by name whatever the case", names)
		}
		if h := holders(t, s); h["Admin"] != 2 || h["viewer"] != 1 || h["billing"] != 0 {
			t.Errorf("holders %v", h)
		}
		must(t, ignoreEvent(s.SaveRole(ctx, "billing", "pays", "tester")))
		roles, _ = s.ListRoles(ctx)
		for _, r := range roles {
			if r.Name == "billing" && r.Description != "pays" {
				t.Errorf("description after a second save %q, want pays", r.Description)
			}
		}
		_, err = s.SaveRole(ctx, " ", "", "tester")
		wantCode(t, err, core.EINVALID)
	}},
	{"manual grants need a catalogue role, are pinned and revocable", func(t *testing.T, s core.Store) {
		ann := apply(t, s, login("okta", "ann", base, "staff"))
		_, err := s.GrantRole(ctx, ann.User.ID, "auditor", "tester")
		wantCode(t, err, core.ENOTFOUND)
		must(t, ignoreEvent(s.SaveRole(ctx, "auditor", "", "tester")))
		ev, err := s.GrantRole(ctx, ann.User.ID, "auditor", "tester")
		must(t, err)
		if ev.ID == 0 || ev.Kind != core.EventAdminChange {
			t.Errorf("grant's event %+v", ev)
		}
		_, err = s.GrantRole(ctx, ann.User.ID, "auditor", "tester")
		wantCode(t, err, core.ECONFLICT)
		// A later login replaces rule grants only.
		apply(t, s, login("okta", "ann", base.Add(1e9), "admin"))
		u, err := s.GetUser(ctx, ann.User.ID)
		must(t, err)
		if got := roleNames(u.Roles); !reflect.DeepEqual(got, []string{"admin", "auditor"}) {
			t.Errorf("roles after a login %q, want admin (rule) and auditor (manual)", got)
		}
		for _, g := range u.Roles {
			if g.Role == "auditor" && (g.Kind != core.GrantManual || g.GrantedBy != "tester") {
				t.Errorf("manual grant %+v", g)
			}
		}
		_, err = s.RevokeRole(ctx, ann.User.ID, "admin", "tester")
		wantCode(t, err, core.ENOTFOUND) // a rule grant is the rules' business
		must(t, ignoreEvent(s.RevokeRole(ctx, ann.User.ID, "auditor", "tester")))
		_, err = s.RevokeRole(ctx, ann.User.ID, "auditor", "tester")
		wantCode(t, err, core.ENOTFOUND)
	}},
	{"rename moves every grant and rewrites the mappings in one go", func(t *testing.T, s core.Store) {
		_, err := s.SaveIdP(ctx, idp("okta"))
		must(t, err)
		must(t, ignoreEvent(s.SaveRole(ctx, "admin", "", "tester")))
		must(t, ignoreEvent(s.SaveRole(ctx, "staff", "", "tester")))
		ann := apply(t, s, login("okta", "ann", base, "admin"))
		var rewritten []string
		ev, err := s.RenameRole(ctx, "admin", "administrator", "tester", func(m core.Mapping) (core.Mapping, bool) {
			rewritten = append(rewritten, m.RoleRules[0].Roles[0])
			m.RoleRules[0].Roles = []string{"administrator"}
			return m, true
		})
		must(t, err)
		if ev.ID == 0 || !reflect.DeepEqual(rewritten, []string{"admin"}) {
			t.Errorf("rename: event %+v, rewrite saw %q", ev, rewritten)
		}
		u, err := s.GetUser(ctx, ann.User.ID)
		must(t, err)
		if got := roleNames(u.Roles); !reflect.DeepEqual(got, []string{"administrator"}) {
			t.Errorf("ann's roles after the rename %q", got)
		}
		p, err := s.GetIdP(ctx, "okta")
		must(t, err)
		if got := p.Mapping.RoleRules[0].Roles; !reflect.DeepEqual(got, []string{"administrator"}) {
			t.Errorf("the mapping after the rename grants %q", got)
		}
		_, err = s.RenameRole(ctx, "administrator", "staff", "tester", nil)
		wantCode(t, err, core.ECONFLICT)
		_, err = s.RenameRole(ctx, "ghost", "spirit", "tester", nil)
		wantCode(t, err, core.ENOTFOUND)
	}},
	{"delete refuses a held role", func(t *testing.T, s core.Store) {
		must(t, ignoreEvent(s.SaveRole(ctx, "admin", "", "tester")))
		must(t, ignoreEvent(s.SaveRole(ctx, "unused", "", "tester")))
		apply(t, s, login("okta", "ann", base, "admin"))
		_, err := s.DeleteRole(ctx, "admin", "tester")
		wantCode(t, err, core.ECONFLICT)
		must(t, ignoreEvent(s.DeleteRole(ctx, "unused", "tester")))
		if _, ok := holders(t, s)["unused"]; ok {
			t.Errorf("a deleted role is still in the catalogue")
		}
		_, err = s.DeleteRole(ctx, "unused", "tester")
		wantCode(t, err, core.ENOTFOUND)
	}},
	{"each user is visited in ID order, per IdP, until an error", func(t *testing.T, s core.Store) {
		var want []int64
		for _, n := range []string{"ann", "bob", "carl"} {
			want = append(want, apply(t, s, login("okta", n, base, "staff")).User.ID)
		}
		apply(t, s, login("entra", "dora", base, "staff"))
		var got []int64
		must(t, s.ForEachUser(ctx, "okta", func(u core.UserSnapshot) error {
			got = append(got, u.UserID)
			if !reflect.DeepEqual(roleNames(u.Roles), []string{"staff"}) || len(u.Attributes["groups"]) != 1 {
				t.Errorf("snapshot %+v", u)
			}
			return nil
		}))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("visited %v, want %v", got, want)
		}
		n := 0
		must(t, s.ForEachUser(ctx, "", func(core.UserSnapshot) error { n++; return nil }))
		if n != 4 {
			t.Errorf("all IdPs: %d visited, want 4", n)
		}
		stop := errors.New("stop")
		n = 0
		err := s.ForEachUser(ctx, "", func(core.UserSnapshot) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("after fn's error: %v, %d visited; want stop after 1", err, n)
		}
	}},
	{"replacing rule roles keeps manual grants and writes the audit event", func(t *testing.T, s core.Store) {
		must(t, ignoreEvent(s.SaveRole(ctx, "auditor", "", "tester")))
		ann := apply(t, s, login("okta", "ann", base, "staff"))
		must(t, ignoreEvent(s.GrantRole(ctx, ann.User.ID, "auditor", "tester")))
		ev, err := s.ReplaceRuleRoles(ctx, []core.RoleChange{{UserID: ann.User.ID, Roles: []core.RoleGrant{
			{Role: "admin", Kind: core.GrantRule, RuleID: "radmin", IdPSlug: "okta", Source: "rule admin"}}}},
			core.Event{Kind: core.EventAdminChange, Message: "Rules applied now"})
		must(t, err)
		if ev.ID == 0 {
			t.Errorf("no audit event stored")
		}
		u, err := s.GetUser(ctx, ann.User.ID)
		must(t, err)
		if got := roleNames(u.Roles); !reflect.DeepEqual(got, []string{"admin", "auditor"}) {
			t.Errorf("roles %q, want admin (new rule grant) and auditor (manual)", got)
		}
	}},
}
