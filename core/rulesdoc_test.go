package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestRulesExportImportRoundTrip: export, import elsewhere, same mapping;
// an invalid file changes nothing and names the field.
func TestRulesExportImportRoundTrip(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	doc, err := tc.ExportRules(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	other := startConsole(t, t.TempDir(), "")
	partner := startTestIdP(t, other, "partner")
	importTestIdP(t, other, partner)
	withNewRole := strings.Replace(string(doc), `"finance"`, `"finance-team"`, 1)
	if _, err := other.ImportRules(ctx, "partner", []byte(withNewRole)); err != nil {
		t.Fatal(err)
	}
	back, _ := other.ExportRules(ctx, "partner")
	if strings.Replace(string(back), `"idp": "partner"`, `"idp": "demo"`, 1) != withNewRole {
		t.Fatalf("round trip differs:\n%s\nvs\n%s", back, withNewRole)
	}
	roles, err := other.Roles(ctx)
	if err != nil || !strings.Contains(fmt.Sprint(roles), "finance-team") {
		t.Fatalf("the role named by the file was not created: %v %v", roles, err)
	}
	bad := strings.Replace(withNewRole, `"operator": "contains"`, `"operator": "matches", "x": 1`, 1)
	if _, err := other.ImportRules(ctx, "partner", []byte(bad)); err == nil || !strings.Contains(core.ErrorMessage(err), "unknown field") {
		t.Fatalf("an unknown key was accepted: %v", err)
	}
	var d core.RulesDocument
	if err := json.Unmarshal([]byte(withNewRole), &d); err != nil {
		t.Fatal(err)
	}
	d.Mapping.RoleRules[0].Conditions[0] = core.Condition{Attribute: "groups", Operator: core.OpMatches, Value: "(Admins"}
	badDoc, _ := json.Marshal(d)
	bad = string(badDoc)
	_, err = other.ImportRules(ctx, "partner", []byte(bad))
	if err == nil || !strings.Contains(core.ErrorMessage(err), "role_rules[0].conditions[0].value") {
		t.Fatalf("an invalid regex: %v", err)
	}
	if afterDoc, _ := other.ExportRules(ctx, "partner"); string(afterDoc) != string(back) {
		t.Fatal("an invalid file changed the mapping")
	}
}
