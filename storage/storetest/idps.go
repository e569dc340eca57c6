package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// idp is an IdP connection as an import saves it.
func idp(slug string) core.IdP {
	return core.IdP{Slug: slug, DisplayName: "IdP " + slug, EntityID: "https://" + slug + ".example.com/idp",
		MetadataXML: "<EntityDescriptor/>", Enabled: true, MetadataSource: "file",
		Mapping: core.Mapping{DefaultRole: "viewer", RoleRules: []core.RoleRule{
			{ID: "r1", Name: "admins", Roles: []string{"admin"},
				Conditions: []core.Condition{{Attribute: "groups", Operator: core.OpEquals, Value: "Admins"}}},
		}},
		Security: core.IdPSecurity{RejectSHA1: true},
	}
}

var idpCases = []testCase{
	{"save then get returns what was saved", func(t *testing.T, s core.Store) {
		in := idp("okta")
		in.RefreshEvery, in.MetadataURL = 6*time.Hour, "https://okta.example.com/metadata"
		saved, err := s.SaveIdP(ctx, in)
		must(t, err)
		if saved.ID == 0 || saved.CreatedAt.IsZero() || saved.UpdatedAt.IsZero() {
			t.Errorf("saved IdP has ID %d, created %v, updated %v; want all set", saved.ID, saved.CreatedAt, saved.UpdatedAt)
		}
		got, err := s.GetIdP(ctx, "okta")
		must(t, err)
		if got.ID != saved.ID || got.DisplayName != in.DisplayName || got.EntityID != in.EntityID ||
			got.MetadataXML != in.MetadataXML || !got.Enabled || got.MetadataURL != in.MetadataURL ||
			got.RefreshEvery != in.RefreshEvery || got.Security != in.Security {
			t.Errorf("got %+v\nsaved %+v", got, in)
		}
		if !reflect.DeepEqual(got.Mapping, in.Mapping) {
			t.Errorf("mapping %+v, saved %+v", got.Mapping, in.Mapping)
		}
	}},
	{"a draft (no entity ID, no metadata, disabled) saves and then takes its metadata", func(t *testing.T, s core.Store) {
		draft := core.IdP{Slug: "acme", DisplayName: "Acme", Mapping: core.DefaultMapping()}
		saved, err := s.SaveIdP(ctx, draft)
		must(t, err)
		got, err := s.GetIdP(ctx, "acme")
		must(t, err)
		if !got.IsDraft() || got.Enabled || got.EntityID != "" || got.ID != saved.ID {
			t.Fatalf("draft read back as %+v", got)
		}
		full := idp("acme")
		full.Mapping = got.Mapping
		done, err := s.SaveIdP(ctx, full)
		must(t, err)
		if done.ID != saved.ID || done.IsDraft() || !done.Enabled || done.EntityID != full.EntityID {
			t.Errorf("completed draft %+v; want the same ID, enabled, with metadata", done)
		}
	}},
	{"get of an unknown slug is not found", func(t *testing.T, s core.Store) {
		_, err := s.GetIdP(ctx, "nope")
		wantCode(t, err, core.ENOTFOUND)
	}},
	{"a slug is needed", func(t *testing.T, s core.Store) {
		_, err := s.SaveIdP(ctx, idp("  "))
		wantCode(t, err, core.EINVALID)
	}},
	{"save updates by slug, keeping the ID and creation time", func(t *testing.T, s core.Store) {
		first, err := s.SaveIdP(ctx, idp("okta"))
		must(t, err)
		in := idp("okta")
		in.DisplayName, in.Enabled = "Okta (renamed)", false
		second, err := s.SaveIdP(ctx, in)
		must(t, err)
		if second.ID != first.ID || !second.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("update gave ID %d created %v; first save ID %d created %v", second.ID, second.CreatedAt, first.ID, first.CreatedAt)
		}
		all, err := s.ListIdPs(ctx)
		must(t, err)
		if len(all) != 1 || all[0].DisplayName != "Okta (renamed)" || all[0].Enabled {
			t.Errorf("after an update the list is %+v", all)
		}
	}},
	{"list is in order of creation", func(t *testing.T, s core.Store) {
		for _, slug := range []string{"zeta", "alpha", "mid"} {
			_, err := s.SaveIdP(ctx, idp(slug))
			must(t, err)
		}
		all, err := s.ListIdPs(ctx)
		must(t, err)
		var slugs []string
		for _, p := range all {
			slugs = append(slugs, p.Slug)
		}
		if !reflect.DeepEqual(slugs, []string{"zeta", "alpha", "mid"}) {
			t.Errorf("list order %q, want the order they were added", slugs)
		}
	}},
	{"the version changes with every change of a connection", func(t *testing.T, s core.Store) {
		v0, err := s.IdPVersion(ctx)
		must(t, err)
		steps := []struct {
			what string
			do   func() error
		}{
			{"add", func() error { _, err := s.SaveIdP(ctx, idp("okta")); return err }},
			{"update", func() error { p := idp("okta"); p.Enabled = false; _, err := s.SaveIdP(ctx, p); return err }},
			{"audited save", func() error {
				_, _, _, err := s.SaveIdPAudited(ctx, idp("okta"), nil, core.Event{Kind: core.EventAdminChange, Message: "saved"})
				return err
			}},
			{"delete", func() error { return s.DeleteIdP(ctx, "okta") }},
		}
		seen := map[int64]string{v0: "start"}
		for _, st := range steps {
			must(t, st.do())
			v, err := s.IdPVersion(ctx)
			must(t, err)
			if prev, ok := seen[v]; ok {
				t.Errorf("after %s the version is %d, as after %s", st.what, v, prev)
			}
			seen[v] = st.what
		}
		// Reading changes nothing.
		if _, err := s.ListIdPs(ctx); err != nil {
			t.Fatal(err)
		}
		v1, _ := s.IdPVersion(ctx)
		v2, _ := s.IdPVersion(ctx)
		if v1 != v2 {
			t.Errorf("the version moved from %d to %d with no change", v1, v2)
		}
	}},
	{"delete keeps the accounts, marked as from a removed IdP", func(t *testing.T, s core.Store) {
		_, err := s.SaveIdP(ctx, idp("okta"))
		must(t, err)
		res := apply(t, s, login("okta", "ann", base, "admin"))
		must(t, s.DeleteIdP(ctx, "okta"))
		_, err = s.GetIdP(ctx, "okta")
		wantCode(t, err, core.ENOTFOUND)
		u, err := s.GetUser(ctx, res.User.ID)
		must(t, err)
		if !u.IdPRemoved || u.IdPSlug != "okta" {
			t.Errorf("account after its IdP went: IdP %q removed %v; want okta, removed", u.IdPSlug, u.IdPRemoved)
		}
		wantCode(t, s.DeleteIdP(ctx, "okta"), core.ENOTFOUND)
	}},
	{"an audited save revokes the named rules' grants with its event, in one go", func(t *testing.T, s core.Store) {
		_, err := s.SaveIdP(ctx, idp("okta"))
		must(t, err)
		ann := apply(t, s, login("okta", "ann", base, "admin", "staff"))
		bob := apply(t, s, login("okta", "bob", base, "staff"))
		must(t, ignoreEvent(s.SaveRole(ctx, "auditor", "", "tester")))
		must(t, ignoreEvent(s.GrantRole(ctx, ann.User.ID, "auditor", "tester")))

		changed := idp("okta")
		changed.DisplayName = "Okta, staff rule gone"
		saved, revoked, ev, err := s.SaveIdPAudited(ctx, changed, []string{"rstaff"},
			core.Event{Kind: core.EventAdminChange, Message: "Mapping of okta saved", Subject: "okta"})
		must(t, err)
		if saved.DisplayName != changed.DisplayName || revoked != 2 {
			t.Errorf("saved %q, revoked %d grants; want the new name and 2", saved.DisplayName, revoked)
		}
		if ev.ID == 0 || ev.Kind != core.EventAdminChange {
			t.Errorf("audit event %+v, want a stored admin change", ev)
		}
		a, err := s.GetUser(ctx, ann.User.ID)
		must(t, err)
		if got := roleNames(a.Roles); !reflect.DeepEqual(got, []string{"admin", "auditor"}) {
			t.Errorf("ann holds %q after the staff rule's grants went, want admin and the manual auditor", got)
		}
		b, err := s.GetUser(ctx, bob.User.ID)
		must(t, err)
		if len(b.Roles) != 0 {
			t.Errorf("bob holds %+v after his only rule's grant went", b.Roles)
		}
		audit, err := s.ListEvents(ctx, core.EventFilter{Kinds: []core.EventKind{core.EventAdminChange}})
		must(t, err)
		if len(audit) == 0 || audit[0].ID != ev.ID {
			t.Errorf("the audit log's newest entry is %+v, want the save's event %d", audit, ev.ID)
		}
	}},
	{"an audited save that fails writes nothing", func(t *testing.T, s core.Store) {
		before, err := s.ListEvents(ctx, core.EventFilter{})
		must(t, err)
		_, _, _, err = s.SaveIdPAudited(ctx, idp(""), nil, core.Event{Kind: core.EventAdminChange, Message: "x"})
		wantCode(t, err, core.EINVALID)
		after, err := s.ListEvents(ctx, core.EventFilter{})
		must(t, err)
		if len(after) != len(before) {
			t.Errorf("%d events after a refused save, %d before", len(after), len(before))
		}
	}},
}

// ignoreEvent drops the event of a method that returns one with its error.
func ignoreEvent(_ core.Event, err error) error { return err }
