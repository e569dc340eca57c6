package storetest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// RunSCIM runs the SCIM cases of the contract alone.
func RunSCIM(t *testing.T, newStore NewStore) {
	for _, c := range scimCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newStore(t))
		})
	}
}

// scimUser is a SCIM record of the IdP "okta" for userName.
func scimUser(id, userName string, active bool) core.SCIMRecord {
	return core.SCIMRecord{IdPSlug: "okta", ID: id, UserName: userName, ExternalID: "ext-" + id,
		Email: userName, Active: active, Resource: []byte(`{"userName":"` + userName + `"}`),
		Account: core.User{NameID: userName, Username: userName, Email: userName, DisplayName: "P " + userName, Disabled: !active},
		Created: base, Updated: base}
}

func scimEvent(msg string) core.Event {
	return core.Event{At: base, Kind: core.EventSCIM, Outcome: core.OutcomeAccepted, IdPSlug: "okta", Message: msg}
}

var scimCases = []testCase{
	{"a SCIM token hash is unset until set, and the last one counts", func(t *testing.T, s core.Store) {
		_, err := s.SCIMTokenHash(ctx, "okta")
		wantCode(t, err, core.ENOTFOUND)
		ev, err := s.SetSCIMTokenHash(ctx, "okta", []byte("one"), core.Event{At: base, Kind: core.EventAdminChange, Outcome: core.OutcomeInfo, Message: "made"})
		must(t, err)
		if ev.ID == 0 {
			t.Error("the audit event has no ID")
		}
		_, err = s.SetSCIMTokenHash(ctx, "okta", []byte("two"), core.Event{At: base, Kind: core.EventAdminChange, Outcome: core.OutcomeInfo, Message: "rotated"})
		must(t, err)
		h, err := s.SCIMTokenHash(ctx, "okta")
		must(t, err)
		if !bytes.Equal(h, []byte("two")) {
			t.Errorf("hash %q, want the rotated one", h)
		}
	}},
	{"a SCIM token and settings go with their IdP: removed, or pruned by a config, and added again, it has none", func(t *testing.T, s core.Store) {
		made := core.Event{At: base, Kind: core.EventAdminChange, Outcome: core.OutcomeInfo, Message: "made"}
		for _, remove := range []func() error{
			func() error { return s.DeleteIdP(ctx, "okta") },
			func() error {
				_, err := s.ApplyConfig(ctx, []core.ConfigChange{{Kind: core.ConfigDeleteIdP, Name: "okta",
					Audit: core.Event{At: base, Kind: core.EventAdminChange, Outcome: core.OutcomeInfo, Message: "pruned"}}})
				return err
			},
		} {
			_, err := s.SaveIdP(ctx, idp("okta"))
			must(t, err)
			_, err = s.SetSCIMTokenHash(ctx, "okta", []byte("old"), made)
			must(t, err)
			must(t, s.SetSetting(ctx, "scim.account_key.okta", "externalId"))
			must(t, s.SetSetting(ctx, "scim.attribute_map.okta", `{"department":"title"}`))
			must(t, s.SetSetting(ctx, "scim.account_key.okta2", "emails")) // another IdP's stays
			must(t, remove())
			_, err = s.SaveIdP(ctx, idp("okta"))
			must(t, err)
			_, err = s.SCIMTokenHash(ctx, "okta")
			wantCode(t, err, core.ENOTFOUND)
			for _, key := range []string{"scim.account_key.okta", "scim.attribute_map.okta"} {
				if v, err := s.GetSetting(ctx, key); err == nil && v != "" {
					t.Errorf("%s = %q after the IdP was removed", key, v)
				}
			}
			if v, err := s.GetSetting(ctx, "scim.account_key.okta2"); err != nil || v != "emails" {
				t.Errorf("another IdP's setting: %q, %v", v, err)
			}
		}
	}},
	{"a SCIM user is an account, unique by userName, listed by filters and pages", func(t *testing.T, s core.Store) {
		for i, n := range []string{"ann@example.com", "bob@example.com", "cy@example.com"} {
			r, ev, err := s.CreateSCIMUser(ctx, scimUser(string(rune('a'+i)), n, true), scimEvent("provisioned"))
			must(t, err)
			if r.Account.ID == 0 || !r.CreatedBySCIM || ev.ID == 0 || ev.UserID != r.Account.ID {
				t.Fatalf("created %+v, event %+v", r, ev)
			}
		}
		_, _, err := s.CreateSCIMUser(ctx, scimUser("d", "ANN@example.com", true), scimEvent("again"))
		wantCode(t, err, core.ECONFLICT)
		u, err := s.UserByKey(ctx, "okta", "bob@example.com", false)
		must(t, err)
		if u.LoginCount != 0 || u.DisplayName != "P bob@example.com" {
			t.Errorf("account %+v", u)
		}
		page, total, err := s.ListSCIMUsers(ctx, "okta", core.SCIMQuery{Offset: 1, Count: 1})
		must(t, err)
		if total != 3 || len(page) != 1 || page[0].UserName != "bob@example.com" {
			t.Errorf("page %+v of %d", page, total)
		}
		got, total, err := s.ListSCIMUsers(ctx, "okta", core.SCIMQuery{UserName: "Cy@Example.com", ExternalID: "ext-c", Count: 10})
		must(t, err)
		if total != 1 || len(got) != 1 || got[0].ID != "c" {
			t.Errorf("filtered %+v", got)
		}
		none, total, err := s.ListSCIMUsers(ctx, "okta", core.SCIMQuery{UserName: "cy@example.com", Email: "ann@example.com", Count: 10})
		must(t, err)
		if total != 0 || len(none) != 0 {
			t.Errorf("and of two users' fields found %+v", none)
		}
		other, _, err := s.ListSCIMUsers(ctx, "entra", core.SCIMQuery{Count: 10})
		must(t, err)
		if len(other) != 0 {
			t.Errorf("another IdP lists %+v", other)
		}
	}},
	{"SCIM takes over the account a sign-in made, and a sign-in finds the account SCIM made", func(t *testing.T, s core.Store) {
		jit := apply(t, s, login("okta", "dee@example.com", base))
		r, _, err := s.CreateSCIMUser(ctx, scimUser("d", "dee@example.com", true), scimEvent("provisioned"))
		must(t, err)
		if r.Account.ID != jit.User.ID || r.CreatedBySCIM {
			t.Errorf("SCIM made %+v, want it to take over account %d", r, jit.User.ID)
		}
		pre, _, err := s.CreateSCIMUser(ctx, scimUser("e", "eve@example.com", true), scimEvent("provisioned"))
		must(t, err)
		later := apply(t, s, login("okta", "eve@example.com", base.Add(1)))
		if later.User.ID != pre.Account.ID {
			t.Errorf("sign-in made account %d, want SCIM's %d", later.User.ID, pre.Account.ID)
		}
		users, err := s.ListUsers(ctx, core.UserFilter{})
		must(t, err)
		if len(users) != 2 {
			t.Errorf("%d accounts, want 2", len(users))
		}
	}},
	{"updating a SCIM user writes its account; deprovisioning keeps it disabled", func(t *testing.T, s core.Store) {
		a, _, err := s.CreateSCIMUser(ctx, scimUser("a", "ann@example.com", true), scimEvent("provisioned"))
		must(t, err)
		_, _, err = s.CreateSCIMUser(ctx, scimUser("b", "bob@example.com", true), scimEvent("provisioned"))
		must(t, err)
		next := scimUser("a", "ann@example.com", false)
		next.Account.DisplayName = "Ann Changed"
		got, ev, err := s.UpdateSCIMUser(ctx, next, scimEvent("deactivated"))
		must(t, err)
		if got.Active || !got.Account.Disabled || got.Account.DisplayName != "Ann Changed" || got.Account.ID != a.Account.ID || ev.ID == 0 {
			t.Errorf("updated %+v", got)
		}
		taken := scimUser("a", "BOB@example.com", true)
		_, _, err = s.UpdateSCIMUser(ctx, taken, scimEvent("rename"))
		wantCode(t, err, core.ECONFLICT)
		gone := got
		gone.Deprovisioned = true
		_, _, err = s.UpdateSCIMUser(ctx, gone, scimEvent("deprovisioned"))
		must(t, err)
		_, err = s.SCIMUser(ctx, "okta", "a")
		wantCode(t, err, core.ENOTFOUND)
		_, _, err = s.UpdateSCIMUser(ctx, gone, scimEvent("again"))
		wantCode(t, err, core.ENOTFOUND)
		u, err := s.UserByKey(ctx, "okta", "ann@example.com", false)
		must(t, err)
		if !u.Disabled {
			t.Error("the deprovisioned account is not disabled")
		}
		_, err = s.DeleteUser(ctx, a.Account.ID, "admin")
		must(t, err)
		b, err := s.SCIMUser(ctx, "okta", "b")
		must(t, err)
		_, err = s.DeleteUser(ctx, b.Account.ID, "admin")
		must(t, err)
		_, err = s.SCIMUser(ctx, "okta", "b")
		wantCode(t, err, core.ENOTFOUND)
	}},
	{"an admin's disable wins over SCIM's active", func(t *testing.T, s core.Store) {
		jit := apply(t, s, login("okta", "dee@example.com", base))
		_, _, err := s.SetUsersDisabled(ctx, []int64{jit.User.ID}, true, "admin")
		must(t, err)
		r, ev, err := s.CreateSCIMUser(ctx, scimUser("d", "dee@example.com", true), scimEvent("provisioned"))
		must(t, err)
		if !r.Account.Disabled || !r.Active || !strings.HasSuffix(ev.Message, core.SCIMAdminWinsNote) {
			t.Errorf("SCIM took over the disabled account as %+v, event %q", r, ev.Message)
		}
		a, _, err := s.CreateSCIMUser(ctx, scimUser("a", "ann@example.com", true), scimEvent("provisioned"))
		must(t, err)
		_, _, err = s.SetUsersDisabled(ctx, []int64{a.Account.ID}, true, "admin")
		must(t, err)
		got, ev, err := s.UpdateSCIMUser(ctx, scimUser("a", "ann@example.com", true), scimEvent("active"))
		must(t, err)
		if !got.Account.Disabled || !strings.HasSuffix(ev.Message, core.SCIMAdminWinsNote) {
			t.Errorf("SCIM active enabled the account an admin disabled: %+v, event %q", got, ev.Message)
		}
		_, _, err = s.UpdateSCIMUser(ctx, scimUser("a", "ann@example.com", false), scimEvent("inactive"))
		must(t, err)
		got, ev, err = s.UpdateSCIMUser(ctx, scimUser("a", "ann@example.com", true), scimEvent("active again"))
		must(t, err)
		if got.Account.Disabled || ev.Message != "active again" {
			t.Errorf("SCIM active did not enable the account SCIM disabled: %+v, event %q", got, ev.Message)
		}
	}},
	{"a SCIM change cannot take another account's key", func(t *testing.T, s core.Store) {
		apply(t, s, login("okta", "jit@example.com", base))
		_, _, err := s.CreateSCIMUser(ctx, scimUser("a", "ann@example.com", true), scimEvent("provisioned"))
		must(t, err)
		next := scimUser("a", "ann@example.com", true)
		next.Account.NameID = "jit@example.com"
		_, _, err = s.UpdateSCIMUser(ctx, next, scimEvent("rekey"))
		wantCode(t, err, core.ECONFLICT)
		got, err := s.SCIMUser(ctx, "okta", "a")
		must(t, err)
		if got.Account.NameID != "ann@example.com" {
			t.Errorf("the refused change left the key %q", got.Account.NameID)
		}
	}},
	{"SCIM's mapped grants replace the rule and default grants; manual grants stay", func(t *testing.T, s core.Store) {
		eng := core.RoleGrant{Role: "engineer", Kind: core.GrantRule, Source: "rule 1: department is Engineering",
			RuleID: "r1", RuleIndex: 1, IdPSlug: "okta", GrantedAt: base}
		member := core.RoleGrant{Role: "member", Kind: core.GrantDefault, Source: "default role", IdPSlug: "okta", GrantedAt: base}
		r := scimUser("a", "ann@example.com", true)
		r.ReplaceGrants, r.Grants = true, []core.RoleGrant{eng}
		made, ev, err := s.CreateSCIMUser(ctx, r, scimEvent("provisioned"))
		must(t, err)
		if !strings.Contains(ev.Message, "+engineer") {
			t.Errorf("event %q does not name the role granted", ev.Message)
		}
		must(t, ignoreEvent(s.SaveRole(ctx, "auditor", "", "tester")))
		must(t, ignoreEvent(s.GrantRole(ctx, made.Account.ID, "auditor", "tester")))
		roles := func() []core.RoleGrant {
			d, err := s.GetUser(ctx, made.Account.ID)
			must(t, err)
			return d.Roles
		}
		if got := roles(); len(got) != 2 || got[0].Role != "engineer" || got[0].RuleID != "r1" || got[0].Kind != core.GrantRule ||
			got[0].Source != eng.Source || got[1].Role != "auditor" || got[1].Kind != core.GrantManual {
			t.Fatalf("roles after create and a manual grant: %+v", got)
		}
		next := scimUser("a", "ann@example.com", true)
		next.ReplaceGrants, next.Grants = true, []core.RoleGrant{member}
		_, ev, err = s.UpdateSCIMUser(ctx, next, scimEvent("replaced"))
		must(t, err)
		if !strings.Contains(ev.Message, "+member −engineer") {
			t.Errorf("event %q does not name the roles changed", ev.Message)
		}
		if got := roles(); len(got) != 2 || got[0].Role != "member" || got[0].Kind != core.GrantDefault || got[1].Role != "auditor" {
			t.Fatalf("roles after the update: %+v", got)
		}
		gone := scimUser("a", "ann@example.com", true)
		gone.Deprovisioned = true
		_, _, err = s.UpdateSCIMUser(ctx, gone, scimEvent("deprovisioned"))
		must(t, err)
		if got := roles(); len(got) != 2 {
			t.Fatalf("a change without ReplaceGrants changed the roles: %+v", got)
		}
	}},
	{"an account says how it was created: jit or scim, in every read", func(t *testing.T, s core.Store) {
		jit := apply(t, s, login("okta", "jit@example.com", base))
		if jit.User.ProvisionedBy != core.ProvisionedByJIT {
			t.Errorf("the sign-in's account says %q", jit.User.ProvisionedBy)
		}
		made, _, err := s.CreateSCIMUser(ctx, scimUser("a", "ann@example.com", true), scimEvent("provisioned"))
		must(t, err)
		later := apply(t, s, login("okta", "ann@example.com", base.Add(1)))
		if later.User.ProvisionedBy != core.ProvisionedBySCIM {
			t.Errorf("a sign-in to the SCIM account says %q", later.User.ProvisionedBy)
		}
		want := map[int64]string{jit.User.ID: core.ProvisionedByJIT, made.Account.ID: core.ProvisionedBySCIM}
		listed, err := s.ListUsers(ctx, core.UserFilter{})
		must(t, err)
		var each []core.User
		must(t, s.ForEachMatchingUser(ctx, core.UserFilter{}, func(u core.User) error { each = append(each, u); return nil }))
		for what, us := range map[string][]core.User{"ListUsers": listed, "ForEachMatchingUser": each} {
			if len(us) != 2 {
				t.Fatalf("%s: %d accounts", what, len(us))
			}
			for _, u := range us {
				if u.ProvisionedBy != want[u.ID] {
					t.Errorf("%s: account %s says %q, want %q", what, u.NameID, u.ProvisionedBy, want[u.ID])
				}
			}
		}
		for id, by := range want {
			d, err := s.GetUser(ctx, id)
			must(t, err)
			if d.ProvisionedBy != by {
				t.Errorf("GetUser(%d) says %q, want %q", id, d.ProvisionedBy, by)
			}
		}
	}},
}
