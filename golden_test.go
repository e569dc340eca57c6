package main

// Golden files of the command line's reports, under testdata/golden/:
// check-response (JSON and text) on the vendor responses, the idp import
// preview (--dry-run) of the metadata samples, and rules export. Each is
// compared byte for byte with what the command prints; after a deliberate
// change, rewrite them with
//
//	go test -tags migrated_fynedo -run TestGolden -update .
//
// and read the diff. What would vary between runs is pinned, not hidden:
// the clock by --at, the base URL by --base-url. Only two things are
// normalized, each by name: the temporary data directory's path, and rule
// IDs that the console makes at random for a fresh IdP's default rules.

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden from the commands' output")

// goldenAt is the time the reports are made at: the vendor responses are
// valid then (see testdata/README.md).
const goldenAt = "2025-06-02T15:04:06Z"

// goldenReport is how a command went, as a golden file holds it.
func goldenReport(r result, dataDir string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "exit status %d\n", r.code)
	if r.stdout != "" {
		fmt.Fprintf(&b, "--- stdout\n%s", r.stdout)
	}
	if r.stderr != "" {
		fmt.Fprintf(&b, "--- stderr\n%s", r.stderr)
	}
	out := b.String()
	if dataDir != "" {
		out = strings.ReplaceAll(out, dataDir, "$DATA_DIR")
	}
	return []byte(out)
}

// checkGolden compares got with the golden file name under
// testdata/golden, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (make it with: go test -tags migrated_fynedo -run TestGolden -update .)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the command's output (rewrite it with -update if the change is meant):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// fixtures lists the files of a testdata directory.
func fixtures(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		t.Fatalf("no fixtures in testdata/%s", dir)
	}
	return names
}

// TestGoldenCheckResponse: check-response's verdict on every vendor
// response, as JSON and as the text report, trusting the Entra ID
// metadata as the fuzz target does. The three entra-id-* responses are
// valid (exit 0), every other one refused (exit 1).
func TestGoldenCheckResponse(t *testing.T) {
	trust := []string{"--idp-metadata", filepath.Join("testdata", "metadata", "entra-id.xml"),
		"--audience", "https://sp.example.com/saml/metadata", "--acs", "https://sp.example.com/saml/acs", "--at", goldenAt}
	for _, name := range fixtures(t, "responses") {
		t.Run(name, func(t *testing.T) {
			base := strings.TrimSuffix(name, filepath.Ext(name))
			args := append([]string{"check-response", "--response", filepath.Join("testdata", "responses", name)}, trust...)
			asJSON := runCLI(t, append(args, "--json")...)
			text := runCLI(t, args...)
			wantCode := 1
			if strings.HasPrefix(name, "entra-id-") {
				wantCode = 0
			}
			if asJSON.code != wantCode || text.code != wantCode {
				t.Errorf("exit status %d (--json) and %d (text), want %d\n%s%s", asJSON.code, text.code, wantCode, asJSON.stderr, text.stderr)
			}
			checkGolden(t, filepath.Join("check-response", base+".json.txt"), goldenReport(asJSON, ""))
			checkGolden(t, filepath.Join("check-response", base+".txt"), goldenReport(text, ""))
		})
	}
}

// TestGoldenIdPImportPreview: idp import --dry-run on every metadata
// sample, at a pinned time and base URL: the preview, the values for the
// IdP's admin console, or why the metadata is refused. The dry run saves
// nothing.
func TestGoldenIdPImportPreview(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	seedDataDir(t, dir, 0)
	for _, name := range fixtures(t, "metadata") {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "idp", "import", "--dry-run", "--at", goldenAt, "--file", filepath.Join("testdata", "metadata", name),
				"--base-url", "https://jit.example.com", "--data-dir", dir)
			checkGolden(t, filepath.Join("idp-import-preview", strings.TrimSuffix(name, ".xml")+".txt"), goldenReport(r, dir))
		})
	}
	if idps := listIdPs(t, dir); len(idps) != 0 {
		t.Errorf("the dry runs saved IdPs: %v", idps.slugs())
	}
}

// ruleIDRE matches the rule IDs the console makes (newRuleID).
var ruleIDRE = regexp.MustCompile(`"id": "r[0-9a-f]{12}"`)

// TestGoldenRulesExport: rules export of a freshly imported IdP (the
// default mapping, whose rule IDs are made at random and normalized), and
// of the same IdP after rules import of testdata/rules/entra-id.json
// (which gives three of its four rules an ID); and check-response --idp
// of that IdP, whose report carries the mapping's decision.
func TestGoldenRulesExport(t *testing.T) {
	dir := t.TempDir()
	imp := runCLI(t, "idp", "import", "--file", filepath.Join("testdata", "metadata", "entra-id.xml"), "--slug", "entra",
		"--name", "Entra ID", "--data-dir", dir)
	if imp.code != 0 {
		t.Fatalf("idp import: exit %d\n%s", imp.code, imp.stderr)
	}
	keysInKeyring(t, dir, imp.stderr)
	fresh := runCLI(t, "rules", "export", "--idp", "entra", "--data-dir", dir)
	fresh.stdout = ruleIDRE.ReplaceAllString(fresh.stdout, `"id": "r<random>"`)
	checkGolden(t, filepath.Join("rules-export", "fresh-idp.txt"), goldenReport(fresh, dir))

	if r := runCLI(t, "rules", "import", "--idp", "entra", filepath.Join("testdata", "rules", "entra-id.json"), "--data-dir", dir); r.code != 0 {
		t.Fatalf("rules import: exit %d\n%s", r.code, r.stderr)
	}
	imported := runCLI(t, "rules", "export", "--idp", "entra", "--data-dir", dir)
	for _, id := range []string{"r-admins", "r-staff", "r-contractors"} {
		if !strings.Contains(imported.stdout, `"id": "`+id+`"`) {
			t.Errorf("rules export lost the rule ID %s that the file gave:\n%s", id, imported.stdout)
		}
	}
	imported.stdout = ruleIDRE.ReplaceAllString(imported.stdout, `"id": "r<random>"`)
	checkGolden(t, filepath.Join("rules-export", "entra-id.txt"), goldenReport(imported, dir))
	// The verdict of the connected IdP, with its mapping's decision, for
	// the browser that started the sign-in the response answers.
	pendRequest(t, dir, "entra", "id-4f6e2c9d8a7b1e3f5d0c2b4a6e8f1d3c5b7a9e0f")
	connected := runCLI(t, "check-response", "--json", "--idp", "entra", "--data-dir", dir, "--at", goldenAt,
		"--response", filepath.Join("testdata", "responses", "entra-id-both-signed.xml"),
		"--audience", "https://sp.example.com/saml/metadata", "--acs", "https://sp.example.com/saml/acs")
	checkGolden(t, filepath.Join("check-response", "connected-entra-id-both-signed.json.txt"), goldenReport(connected, dir))
	unknown := runCLI(t, "rules", "export", "--idp", "okta", "--data-dir", dir)
	checkGolden(t, filepath.Join("rules-export", "unknown-idp.txt"), goldenReport(unknown, dir))
}
