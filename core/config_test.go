package core_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// TestApplyConfigPublishesToTheFeed: a config apply in the console's
// process reaches its live feed, one audit event per change, and the
// listener serves the new IdP's SP metadata at once.
func TestApplyConfigPublishesToTheFeed(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	feed, cancel := tc.Subscribe(64)
	defer cancel()
	xml, err := os.ReadFile("../testdata/metadata/okta.xml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := core.ParseConfigDocument([]byte("version: 1\nroles:\n  - name: auditor\nidps:\n  - slug: okta\n    metadata:\n      xml: |\n        " +
		strings.ReplaceAll(strings.TrimSpace(string(xml)), "\n", "\n        ") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tc.PlanConfig(ctx, doc, core.ConfigApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Changes() != 2 {
		t.Fatalf("plan %v, want the role and the IdP", plan.Lines)
	}
	res, err := tc.ApplyConfig(ctx, plan)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]bool{}
	for _, ev := range res.Events {
		want[ev.ID] = true
	}
	deadline := time.After(30 * time.Second)
	for len(want) > 0 {
		select {
		case ev := <-feed:
			delete(want, ev.ID)
		case <-deadline:
			t.Fatalf("the feed did not see events %v", want)
		}
	}
	if _, err := tc.SPMetadataXML(ctx, "okta"); err != nil {
		t.Errorf("SP metadata of the applied IdP: %v", err)
	}
	again, err := tc.PlanConfig(ctx, doc, core.ConfigApplyOptions{})
	if err != nil || !again.Empty() {
		t.Errorf("second plan %v (%v), want nothing to change", again.Lines, err)
	}
	// What an IdP's entry leaves out stays as stored.
	off, err := core.ParseConfigDocument([]byte("version: 1\nidps:\n  - slug: okta\n    enabled: false\n    security: {reject_sha1: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	plan, err = tc.PlanConfig(ctx, off, core.ConfigApplyOptions{})
	if err != nil || len(plan.Lines) != 1 || plan.Lines[0].String() != "change idp okta: enabled, security.reject_sha1" {
		t.Errorf("plan of a partial entry %q (%v), want only enabled and reject_sha1 changed", plan.Lines, err)
	}
}

// TestParseConfigDocumentErrors: what a document gets wrong is named by
// its path and line.
func TestParseConfigDocumentErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"", "empty"},
		{"version: [", "not valid YAML or JSON"},
		{"version: 1\nsettings:\n  colck_skew: 1m\n", `settings.colck_skew: unknown field "colck_skew"`},
		{"version: 1\nroles:\n  - name: a\n  - name: a\n", `roles[1].name: duplicate role "a" (roles[0] names it too) (line 4)`},
		{"version: 1\nidps:\n  - slug: Bad Slug\n", "idps[0].slug: The slug"},
		{"version: 1\nidps:\n  - slug: x\n    metadata: {url: ftp://x, xml: y}\n", "idps[0].metadata: give the metadata as url or as xml, not both"},
		{"version: 1\nidps:\n  - slug: demo\n    metadata: {xml: y}\n", "idps[0].metadata: the built-in demo IdP's metadata is the console's own"},
		{"version: 1\nidps:\n  - slug: x\n    refresh_interval: 1m\n", "idps[0].refresh_interval: 1m0s is too often"},
		{"version: 1\nsettings:\n  retention:\n    keep_events_days: 0.5\n", "settings.retention.keep_events_days: want a whole number"},
		{"version: 1\nidps:\n  - slug: x\n    mapping:\n      role_rules:\n        - roles: [a]\n          conditions:\n            - {attribute: g, operator: like}\n",
			"idps[0].mapping.role_rules[0].conditions[0].operator: unknown operator \"like\" (line 8)"},
		{`{"version": 1, "roles": [{"name": "a", "colour": "red"}]}`, `roles[0].colour: unknown field "colour" (known here: description, name) (line 1)`},
	}
	for _, tt := range tests {
		_, err := core.ParseConfigDocument([]byte(tt.doc))
		if core.ErrorCode(err) != core.EINVALID || !strings.Contains(core.ErrorMessage(err), tt.want) {
			t.Errorf("ParseConfigDocument(%q) = %v, want EINVALID with %q", tt.doc, err, tt.want)
		}
	}
}

// TestConfigExportQuotesWhatWouldReadBackOtherwise: texts that look like
// numbers, booleans or nothing export quoted, so the YAML reads back the
// same (a condition's value "7", a description "true").
func TestConfigExportQuotesWhatWouldReadBackOtherwise(t *testing.T) {
	c, _ := startMemConsole(t)
	ctx := context.Background()
	for name, desc := range map[string]string{"seven": "7", "yes": "true", "none": "null", "multi": "line one\nline two"} {
		if err := c.SaveRole(ctx, name, desc); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.ExportConfig(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := core.ParseConfigDocument(out)
	if err != nil {
		t.Fatalf("export does not read back: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, r := range doc.Roles {
		got[r.Name] = r.Description
	}
	if got["seven"] != "7" || got["yes"] != "true" || got["none"] != "null" || got["multi"] != "line one\nline two" {
		t.Errorf("descriptions read back as %q from\n%s", got, out)
	}
	plan, err := c.PlanConfig(ctx, doc, core.ConfigApplyOptions{})
	if err != nil || !plan.Empty() {
		t.Errorf("applying the export plans %v (%v), want nothing", plan.Lines, err)
	}
}
