package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeShowsChangesFromTheCommandLine: idp import and rules import,
// run as processes of their own beside a running serve, reach serve's
// event lines (its live feed) without a restart, each once.
func TestServeShowsChangesFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	serve := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	base := serve.waitFor(t, listeningRE, time.Minute)[2]

	imp := runBinary(t, "idp", "import", "--file", filepath.Join("testdata", "metadata", "entra-id.xml"),
		"--slug", "entra", "--data-dir", dir)
	if imp.code != 0 {
		t.Fatalf("idp import beside serve: exit %d\n%s%s", imp.code, imp.stdout, imp.stderr)
	}
	// The values to paste into the IdP are the running console's, not the
	// default http://localhost:8080 (serve listens on a port of its own).
	if want := "ACS URL          " + base + "/saml/entra/acs"; !strings.Contains(imp.stdout, want) {
		t.Errorf("idp import beside serve at %s does not print %q:\n%s", base, want, imp.stdout)
	}
	registered := serve.awaitEventLine(t, func(e eventLineJSON) bool { return e.Kind == "idp.registered" && e.IdP == "entra" })

	rules := runBinary(t, "rules", "import", "--idp", "entra", filepath.Join("testdata", "rules", "entra-id.json"), "--data-dir", dir)
	if rules.code != 0 {
		t.Fatalf("rules import beside serve: exit %d\n%s%s", rules.code, rules.stdout, rules.stderr)
	}
	changed := serve.awaitEventLine(t, func(e eventLineJSON) bool { return e.Kind == "admin.change" && e.IdP == "entra" })

	stopServe(t, serve)
	for _, want := range []eventLineJSON{registered, changed} {
		if n := strings.Count(serve.stdout.String(), `{"id":`+jsonInt(want.ID)+`,`); n != 1 {
			t.Errorf("event %d (%s) is on serve's stdout %d times, want once", want.ID, want.Kind, n)
		}
	}
}

// eventLineJSON is what the test reads of one of serve's event lines.
type eventLineJSON struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	IdP  string `json:"idp"`
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// awaitEventLine waits up to 30 s for an event line on the process's
// stdout that match accepts.
func (p *process) awaitEventLine(t *testing.T, match func(eventLineJSON) bool) eventLineJSON {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for line := range strings.Lines(p.stdout.String()) {
			var e eventLineJSON
			if json.Unmarshal([]byte(line), &e) == nil && match(e) {
				return e
			}
		}
		if p.exited() {
			t.Fatalf("serve exited: %v\nstderr:\n%s", p.err, p.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no such event line within 30 s; stdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
	return eventLineJSON{}
}
