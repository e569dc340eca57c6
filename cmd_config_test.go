package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// metadataServer serves testdata/metadata on 127.0.0.1 and counts the
// requests.
func metadataServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	files := http.FileServer(http.Dir("testdata/metadata"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// exampleConfig is testdata/config/console.yaml with its metadata URL on
// srv, written to a file.
func exampleConfig(t *testing.T, srv *httptest.Server) (string, string) {
	t.Helper()
	b, err := os.ReadFile("testdata/config/console.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.ReplaceAll(string(b), "http://127.0.0.1:8089", srv.URL)
	return writeConfig(t, doc), doc
}

func writeConfig(t *testing.T, doc string) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "config-*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(doc); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return f.Name()
}

func export(t *testing.T, dir string) string {
	t.Helper()
	r := runCLI(t, "config", "export", "--data-dir", dir)
	if r.code != 0 {
		t.Fatalf("config export: exit %d\n%s", r.code, r.stderr)
	}
	return r.stdout
}

func applyOK(t *testing.T, dir string, args ...string) string {
	t.Helper()
	r := runCLI(t, append([]string{"config", "apply", "--data-dir", dir}, args...)...)
	if r.code != 0 {
		t.Fatalf("config apply %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// TestConfigApplyRoundTrip: the example document configures a fresh
// console (its URL metadata fetched from a loopback server); applying it
// again, or applying the export, changes nothing; the export applied to
// another fresh data directory exports the same document; --dry-run
// changes nothing.
func TestConfigApplyRoundTrip(t *testing.T) {
	srv, hits := metadataServer(t)
	file, _ := exampleConfig(t, srv)
	dir := t.TempDir()

	out := applyOK(t, dir, file, "--dry-run")
	if !strings.Contains(out, "add    idp okta") || !strings.Contains(out, "Dry run: 12 changes planned, nothing was changed.") {
		t.Errorf("dry run printed:\n%s", out)
	}
	if got := export(t, dir); strings.Contains(got, "idps:") || strings.Contains(got, "roles:") {
		t.Errorf("after a dry run the console has IdPs or roles:\n%s", got)
	}
	if hits.Load() == 0 {
		t.Error("the dry run did not fetch the metadata named by URL")
	}

	out = applyOK(t, dir, file)
	for _, want := range []string{"add    role admin", "add    idp simplesaml: SimpleSAMLphp (staging)", "change setting clock_skew: 3m0s → 2m0s",
		"change setting demo_idp: on → off", "Applied 12 changes in one transaction.", "change idp okta: scim.account_key"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply printed no %q:\n%s", want, out)
		}
	}
	if out := applyOK(t, dir, file); strings.TrimSpace(out) != "Nothing to change." {
		t.Errorf("the second apply printed:\n%s", out)
	}
	first := export(t, dir)
	for _, want := range []string{"slug: okta", "require_signed_assertion: true", "url: " + srv.URL + "/simplesamlphp.xml",
		"value: ^eng-(backend|frontend)$", "clock_skew: 2m0s", "keep_events_days: 90", "demo_idp: false",
		"account_key: emails"} {
		if !strings.Contains(first, want) {
			t.Errorf("export has no %q:\n%s", want, first)
		}
	}
	exported := writeConfig(t, first)
	if out := applyOK(t, dir, exported); strings.TrimSpace(out) != "Nothing to change." {
		t.Errorf("applying the export to the same data printed:\n%s", out)
	}
	fresh := t.TempDir()
	applyOK(t, fresh, exported)
	if second := export(t, fresh); second != first {
		t.Errorf("export → apply on a fresh data dir → export differs:\nfirst:\n%s\nsecond:\n%s", first, second)
	}
	json := runCLI(t, "config", "export", "--format", "json", "--data-dir", fresh)
	if json.code != 0 || !strings.HasPrefix(json.stdout, "{\n  \"version\": 1,") {
		t.Fatalf("export --format json: exit %d\n%s%s", json.code, json.stdout, json.stderr)
	}
	if out := applyOK(t, fresh, writeConfig(t, json.stdout)); strings.TrimSpace(out) != "Nothing to change." {
		t.Errorf("applying the JSON export printed:\n%s", out)
	}
}

// TestConfigApplyInvalidChangesNothing: an invalid document (or metadata
// that cannot be fetched) is refused with its path in the document and
// changes nothing.
func TestConfigApplyInvalidChangesNothing(t *testing.T) {
	srv, _ := metadataServer(t)
	_, example := exampleConfig(t, srv)
	dir := t.TempDir()
	applyOK(t, dir, writeConfig(t, "version: 1\nroles:\n  - name: staff\n"))
	before := export(t, dir)
	tests := []struct {
		name, from, to, want string
	}{
		{"bad regex", "value: ^eng-(backend|frontend)$", "value: \"(\"",
			`idps[0].mapping.role_rules[1].conditions[0].value: invalid regular expression: error parsing regexp: missing closing ): ` + "`(`" + ` (line 75)`},
		{"unknown field", "    refresh_interval: 6h0m0s", "    refresh_intervall: 6h0m0s", `idps[1].refresh_intervall: unknown field "refresh_intervall"`},
		{"bad duration", "clock_skew: 2m0s", "clock_skew: 2 minutes", `settings.clock_skew: invalid duration "2 minutes"`},
		{"duplicate slug", "slug: simplesaml", "slug: okta", `idps[1].slug: duplicate slug "okta" (idps[0] has it too)`},
		{"unknown role", "roles: [sales]", "roles: [marketing]", `idps[1].mapping.role_rules[0].roles[0]: unknown role "marketing"`},
		{"wrong version", "version: 1", "version: 2", "version: unsupported version 2 (this console reads version 1) (line 6)"},
		{"wrong type", "    enabled: true\n    metadata:\n      url", "    enabled: maybe\n    metadata:\n      url", `idps[1].enabled: want true or false, not "maybe"`},
		{"unfetchable metadata", "/simplesamlphp.xml", "/missing.xml", "idps[1].metadata.url: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(example, tt.from) {
				t.Fatalf("the example has no %q", tt.from)
			}
			doc := strings.Replace(example, tt.from, tt.to, 1)
			r := runCLI(t, "config", "apply", "--data-dir", dir, writeConfig(t, doc))
			if r.code != 1 || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "Nothing was changed.") {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", r.code, r.stderr, tt.want)
			}
			if r.stdout != "" {
				t.Errorf("a refused document printed a plan:\n%s", r.stdout)
			}
			if after := export(t, dir); after != before {
				t.Errorf("a refused document changed the configuration:\n%s", after)
			}
		})
	}
}

// TestConfigApplyPruneKeepsDemoAndHeldRoles: --prune removes what the
// document does not name, except the demo IdP and roles people hold, and
// the plan says why it keeps them.
func TestConfigApplyPruneKeepsDemoAndHeldRoles(t *testing.T) {
	srv, _ := metadataServer(t)
	file, _ := exampleConfig(t, srv)
	dir := t.TempDir()
	applyOK(t, dir, file)
	applyOK(t, dir, writeConfig(t, "version: 1\nroles:\n  - name: temp\nidps:\n  - slug: demo\n    enabled: true\n"))
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ApplyLogin(ctx, core.Provision{At: time.Now(), IdPSlug: "okta", NameID: "ann@example.com", Username: "ann",
		Roles: []core.RoleGrant{{Role: "engineer", Kind: core.GrantRule, RuleID: "r1", RuleIndex: 1, IdPSlug: "okta"}}})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	only := writeConfig(t, `version: 1
roles:
  - name: admin
    description: Full access to the admin area
idps: []
`)
	out := applyOK(t, dir, only, "--prune", "--dry-run")
	for _, want := range []string{
		"keep   idp demo: the built-in demo IdP is never pruned",
		"remove idp okta: Okta (production)",
		"remove idp simplesaml",
		"keep   role engineer: 1 account holds it",
		"keep   role sales: the rules of demo grant it",
		"remove role temp",
		"Dry run: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("prune plan has no %q:\n%s", want, out)
		}
	}
	applyOK(t, dir, only, "--prune")
	got := export(t, dir)
	for _, gone := range []string{"slug: okta", "slug: simplesaml", "name: temp"} {
		if strings.Contains(got, gone) {
			t.Errorf("after --prune the export still has %q", gone)
		}
	}
	for _, kept := range []string{"slug: demo", "name: engineer", "name: admin"} {
		if !strings.Contains(got, kept) {
			t.Errorf("after --prune the export lost %q:\n%s", kept, got)
		}
	}
	if out := applyOK(t, dir, only, "--prune"); !strings.Contains(out, "Nothing to change.") {
		t.Errorf("a second prune printed:\n%s", out)
	}
}
