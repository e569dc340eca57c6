package core_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestConfigSCIMRoundTrip: config export carries each IdP's SCIM account
// key field and attribute map, never its token; applying the document to
// another console sets them there, and applying it again changes nothing.
func TestConfigSCIMRoundTrip(t *testing.T) {
	ctx := context.Background()
	tc := startConsole(t, t.TempDir(), "")
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	token, err := tc.NewSCIMToken(ctx, "partner")
	if err != nil {
		t.Fatal(err)
	}
	custom := []core.SCIMAttribute{{Attribute: "groups", Path: "groups.display"}, {Attribute: "dept", Path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}}
	if err := tc.SetSCIMAttributeMap(ctx, "partner", custom); err != nil {
		t.Fatal(err)
	}
	if err := tc.SetSCIMAccountKey(ctx, "partner", "externalId"); err != nil {
		t.Fatal(err)
	}
	out, err := tc.ExportConfig(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	if strings.Contains(text, token) || strings.Contains(text, strings.TrimPrefix(token, "jitc_scim_")) || strings.Contains(strings.ToLower(text), "token") {
		t.Fatalf("the export names the SCIM token:\n%s", text)
	}
	if !strings.Contains(text, "account_key: externalId") || !strings.Contains(text, "path: groups.display") {
		t.Fatalf("the export lacks the SCIM settings:\n%s", text)
	}
	doc, err := core.ParseConfigDocument(out)
	if err != nil {
		t.Fatal(err)
	}

	other := startConsole(t, t.TempDir(), "")
	plan, err := other.PlanConfig(ctx, doc, core.ConfigApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(planText(plan), "change idp partner: scim.account_key") || !strings.Contains(planText(plan), "change idp partner: scim.attributes") {
		t.Fatalf("plan on a new console:\n%s", planText(plan))
	}
	if _, err := other.ApplyConfig(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if got := other.SCIMAccountKey(ctx, "partner"); got != "externalId" {
		t.Errorf("account key after apply: %q", got)
	}
	if got, err := other.SCIMAttributeMap(ctx, "partner"); err != nil || !reflect.DeepEqual(got, custom) {
		t.Errorf("attribute map after apply: %v (%v), want %v", got, err, custom)
	}
	if has, err := other.HasSCIMToken(ctx, "partner"); err != nil || has {
		t.Errorf("the other console has a SCIM token after apply (%v)", err)
	}
	for name, c := range map[string]*testConsole{"the exporting console": tc, "the applying console": other} {
		// (The test IdP's metadata differs from one fetch to the next, so
		// only the SCIM lines are checked.)
		again, err := c.PlanConfig(ctx, doc, core.ConfigApplyOptions{})
		if err != nil || strings.Contains(planText(again), "scim") {
			t.Errorf("%s: plan of the document again: %s (%v), want no SCIM change", name, planText(again), err)
		}
	}

	// Back to the defaults: the default map in a document restores them.
	back, err := core.ParseConfigDocument([]byte("version: 1\nidps:\n  - slug: partner\n    scim:\n      account_key: userName\n"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err = other.PlanConfig(ctx, back, core.ConfigApplyOptions{})
	if err != nil || plan.Changes() != 1 {
		t.Fatalf("plan of account_key only: %s (%v), want one change", planText(plan), err)
	}
}

func planText(p core.ConfigPlan) string {
	var lines []string
	for _, l := range p.Lines {
		lines = append(lines, l.String())
	}
	return strings.Join(lines, "\n")
}

// TestConfigSCIMErrors: a document's invalid SCIM settings are named by
// their path.
func TestConfigSCIMErrors(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{"version: 1\nidps:\n  - slug: okta\n    scim:\n      account_key: upn\n", "idps[0].scim.account_key"},
		{"version: 1\nidps:\n  - slug: okta\n    scim:\n      attributes:\n        - attribute: dept\n", "idps[0].scim.attributes"},
		{"version: 1\nidps:\n  - slug: okta\n    scim:\n      token: x\n", `unknown field "token"`},
	} {
		_, err := core.ParseConfigDocument([]byte(tt.doc))
		if core.ErrorCode(err) != core.EINVALID || !strings.Contains(core.ErrorMessage(err), tt.want) {
			t.Errorf("ParseConfigDocument(%q): %v, want an error naming %s", tt.doc, err, tt.want)
		}
	}
}
