package core_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestRenameRoleRewritesRulesInOneChange: renaming a role renames its
// grants and the rules and default role of every IdP that names it, with
// one audit entry that says so; a refused rename changes no rule.
func TestRenameRoleRewritesRulesInOneChange(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	if err := tc.SaveRole(ctx, "staff", ""); err != nil {
		t.Fatal(err)
	}
	idp, err := tc.DB.GetIdP(ctx, core.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	m := idp.Mapping
	m.DefaultRole = "staff"
	m.RoleRules = append(m.RoleRules, core.RoleRule{Name: "Sales", Roles: []string{"staff"},
		Conditions: []core.Condition{{Attribute: "department", Operator: core.OpEquals, Value: "Sales"}}})
	if _, _, err := tc.SaveMapping(ctx, core.DemoSlug, m, nil); err != nil {
		t.Fatal(err)
	}

	if err := tc.RenameRole(ctx, "staff", "admin"); core.ErrorCode(err) != core.ECONFLICT {
		t.Fatalf("rename onto an existing role: %v", err)
	}
	if got, _ := tc.DB.GetIdP(ctx, core.DemoSlug); got.Mapping.DefaultRole != "staff" {
		t.Fatalf("a refused rename changed the rules: default role %q", got.Mapping.DefaultRole)
	}

	if err := tc.RenameRole(ctx, "staff", "employee"); err != nil {
		t.Fatal(err)
	}
	got, err := tc.DB.GetIdP(ctx, core.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	last := got.Mapping.RoleRules[len(got.Mapping.RoleRules)-1]
	if got.Mapping.DefaultRole != "employee" || len(last.Roles) != 1 || last.Roles[0] != "employee" {
		t.Errorf("rules after the rename: default %q, last rule %+v", got.Mapping.DefaultRole, last)
	}
	audit, err := tc.AuditLog(ctx, 1)
	if err != nil || len(audit) != 1 || audit[0].Message != "Role staff renamed to employee by "+audit[0].Subject ||
		!strings.Contains(audit[0].Detail, "rules rewritten: "+core.DemoSlug) {
		t.Errorf("newest audit entry: %+v, %v", audit, err)
	}
}
