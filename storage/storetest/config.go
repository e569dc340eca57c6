package storetest

import (
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// audit is a config change's audit event.
func audit(message string) core.Event {
	return core.Event{Kind: core.EventAdminChange, Outcome: core.OutcomeInfo, Subject: "tester", Message: message}
}

// snapshot is what a config apply may change: IdPs, roles, a setting and
// the event count.
type snapshot struct {
	idps     []string
	roles    map[string]int
	setting  string
	events   int
	versions int64
}

func takeSnapshot(t *testing.T, s core.Store) snapshot {
	t.Helper()
	idps, err := s.ListIdPs(ctx)
	must(t, err)
	var slugs []string
	for _, p := range idps {
		slugs = append(slugs, p.Slug+"/"+p.DisplayName)
	}
	evs, err := s.ListEvents(ctx, core.EventFilter{})
	must(t, err)
	v, err := s.IdPVersion(ctx)
	must(t, err)
	setting, _ := s.GetSetting(ctx, "acs.clock_skew_seconds")
	return snapshot{idps: slugs, roles: holders(t, s), setting: setting, events: len(evs), versions: v}
}

var configCases = []testCase{
	{"a config plan's changes are made in order, one audit event each", func(t *testing.T, s core.Store) {
		_, err := s.SaveIdP(ctx, idp("old"))
		must(t, err)
		next := idp("okta")
		next.DisplayName = "Okta"
		events, err := s.ApplyConfig(ctx, []core.ConfigChange{
			{Kind: core.ConfigSaveRole, Name: "auditor", Description: "reads the log", Audit: audit("role added")},
			{Kind: core.ConfigSaveIdP, IdP: next, Audit: audit("idp added")},
			{Kind: core.ConfigDeleteIdP, Name: "old", Audit: audit("idp removed")},
			{Kind: core.ConfigSetSetting, Name: "acs.clock_skew_seconds", Value: "300", Audit: audit("skew")},
		})
		must(t, err)
		if len(events) != 4 {
			t.Fatalf("%d events, want one per change", len(events))
		}
		for _, ev := range events {
			if ev.ID == 0 || ev.At.IsZero() {
				t.Errorf("event %+v not stored with ID and time", ev)
			}
		}
		got, err := s.GetIdP(ctx, "okta")
		must(t, err)
		if got.DisplayName != "Okta" || len(got.Mapping.RoleRules) != 1 {
			t.Errorf("saved IdP %+v", got)
		}
		_, err = s.GetIdP(ctx, "old")
		wantCode(t, err, core.ENOTFOUND)
		h := holders(t, s)
		if _, ok := h["auditor"]; !ok {
			t.Errorf("catalogue %v lacks the new role", h)
		}
		if _, ok := h["admin"]; !ok {
			t.Errorf("catalogue %v lacks the role the saved rules grant", h)
		}
		if v, _ := s.GetSetting(ctx, "acs.clock_skew_seconds"); v != "300" {
			t.Errorf("setting %q, want 300", v)
		}
		audits, err := s.ListEvents(ctx, core.EventFilter{Kinds: []core.EventKind{core.EventAdminChange}})
		must(t, err)
		if len(audits) != 4 || audits[0].Message != "skew" || audits[3].Message != "role added" {
			t.Errorf("audit log %+v, want the four changes newest first", audits)
		}
	}},
	{"a config plan failing in the middle changes nothing", func(t *testing.T, s core.Store) {
		apply(t, s, login("okta", "ann", base, "staff"))
		_, err := s.SaveIdP(ctx, idp("old"))
		must(t, err)
		before := takeSnapshot(t, s)
		next := idp("okta")
		_, err = s.ApplyConfig(ctx, []core.ConfigChange{
			{Kind: core.ConfigSaveRole, Name: "auditor", Audit: audit("role added")},
			{Kind: core.ConfigSaveIdP, IdP: next, Audit: audit("idp added")},
			{Kind: core.ConfigDeleteIdP, Name: "old", Audit: audit("idp removed")},
			{Kind: core.ConfigSetSetting, Name: "acs.clock_skew_seconds", Value: "300", Audit: audit("skew")},
			{Kind: core.ConfigDeleteRole, Name: "staff", Audit: audit("held role deleted")},
		})
		wantCode(t, err, core.ECONFLICT)
		after := takeSnapshot(t, s)
		if after.events != before.events || after.setting != before.setting || len(after.idps) != len(before.idps) ||
			len(after.roles) != len(before.roles) || after.versions != before.versions {
			t.Errorf("after a refused plan %+v, before %+v", after, before)
		}
		_, err = s.ApplyConfig(ctx, []core.ConfigChange{{Kind: core.ConfigDeleteIdP, Name: "nope", Audit: audit("x")}})
		wantCode(t, err, core.ENOTFOUND)
		_, err = s.ApplyConfig(ctx, []core.ConfigChange{{Kind: core.ConfigDeleteRole, Name: "nope", Audit: audit("x")}})
		wantCode(t, err, core.ENOTFOUND)
		if after := takeSnapshot(t, s); after.events != before.events {
			t.Errorf("refused plans wrote %d events", after.events-before.events)
		}
	}},
	{"a config plan deletes an unheld role and marks a removed IdP's accounts", func(t *testing.T, s core.Store) {
		ann := apply(t, s, login("old", "ann", base, "staff"))
		_, err := s.SaveIdP(ctx, idp("old"))
		must(t, err)
		must(t, ignoreEvent(s.SaveRole(ctx, "unused", "", "tester")))
		_, err = s.ApplyConfig(ctx, []core.ConfigChange{
			{Kind: core.ConfigDeleteIdP, Name: "old", Audit: audit("idp removed")},
			{Kind: core.ConfigDeleteRole, Name: "unused", Audit: audit("role removed")},
		})
		must(t, err)
		if _, ok := holders(t, s)["unused"]; ok {
			t.Error("the unheld role is still in the catalogue")
		}
		u, err := s.GetUser(ctx, ann.User.ID)
		must(t, err)
		if !u.IdPRemoved {
			t.Error("the removed IdP's account is not marked as from a removed IdP")
		}
	}},
}
