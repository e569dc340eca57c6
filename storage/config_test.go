package storage

import (
	"context"
	"errors"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestApplyConfigRollsBackOnFailure: a failure after some changes of a
// config plan were written (a simulated disk error before the third)
// leaves the database as it was: no role, no IdP, no setting, no event.
func TestApplyConfigRollsBackOnFailure(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	before, err := db.ListEvents(ctx, core.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	version, err := db.IdPVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	errDisk := errors.New("disk I/O error (simulated)")
	n := 0
	db.testHook = func(step string) error {
		if step == "config change" {
			if n++; n == 3 {
				return errDisk
			}
		}
		return nil
	}
	_, err = db.ApplyConfig(ctx, []core.ConfigChange{
		{Kind: core.ConfigSaveRole, Name: "auditor", Audit: core.AuditEvent("tester", "role", "")},
		{Kind: core.ConfigSaveIdP, IdP: core.IdP{Slug: "okta", DisplayName: "Okta", Enabled: true,
			Mapping: core.Mapping{DefaultRole: "member"}}, Audit: core.AuditEvent("tester", "idp", "")},
		{Kind: core.ConfigSetSetting, Name: "acs.clock_skew_seconds", Value: "60", Audit: core.AuditEvent("tester", "skew", "")},
	})
	db.testHook = nil
	if !errors.Is(err, errDisk) {
		t.Fatalf("ApplyConfig = %v, want the simulated failure", err)
	}
	if _, err := db.GetIdP(ctx, "okta"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("the IdP of a failed plan: %v, want ENOTFOUND", err)
	}
	roles, err := db.ListRoles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != 0 {
		t.Errorf("roles after a failed plan: %+v", roles)
	}
	if _, err := db.GetSetting(ctx, "acs.clock_skew_seconds"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("the setting of a failed plan: %v", err)
	}
	after, err := db.ListEvents(ctx, core.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("%d events after a failed plan, %d before", len(after), len(before))
	}
	if v, _ := db.IdPVersion(ctx); v != version {
		t.Errorf("IdP version %d after a failed plan, %d before", v, version)
	}
}
