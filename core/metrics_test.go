package core_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// startMetricsConsole is startConsole with /healthz and /metrics on.
func startMetricsConsole(t *testing.T) *testConsole {
	t.Helper()
	dir := t.TempDir()
	return startConsoleWith(t, dir, func(o *core.Options) {
		o.Metrics = true
		o.Maintenance = storage.FileMaintenance{File: storage.DBPath(dir)}
	})
}

// scrape fetches /metrics and parses the text exposition.
func scrape(t *testing.T, tc *testConsole) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(tc.addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("GET /metrics: Content-Type %q, want the text format", ct)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return families
}

// series lists a family's series as "label=value,... value", sorted.
func series(t *testing.T, families map[string]*dto.MetricFamily, name string) []string {
	t.Helper()
	f, ok := families[name]
	if !ok {
		t.Fatalf("/metrics has no %s", name)
	}
	var out []string
	for _, m := range f.GetMetric() {
		var labels []string
		for _, l := range m.GetLabel() {
			labels = append(labels, l.GetName()+"="+l.GetValue())
		}
		var v float64
		switch {
		case m.Counter != nil:
			v = m.GetCounter().GetValue()
		case m.Gauge != nil:
			v = m.GetGauge().GetValue()
		case m.Histogram != nil:
			v = float64(m.GetHistogram().GetSampleCount())
		}
		out = append(out, strings.Join(labels, ",")+" "+model.SampleValue(v).String())
	}
	sort.Strings(out)
	return out
}

// TestMetricsCountSignIns: an accepted sign-in, the same response posted
// again (refused as replayed) and posts to ACS paths of IdPs that do not
// exist show as exactly these series; the unknown slugs share one; the
// ACS histogram has a sample for each post; the accounts and database
// size gauges read the store.
func TestMetricsCountSignIns(t *testing.T) {
	tc := startMetricsConsole(t)
	c := capture(t, tc, "bob")
	if status, page := c.post(t, ""); status != http.StatusOK || len(users(t, tc)) != 1 {
		t.Fatalf("sign-in: HTTP %d\n%s", status, page)
	}
	if status, _ := c.post(t, ""); status != http.StatusForbidden {
		t.Fatalf("replayed sign-in: HTTP %d, want 403", status)
	}
	for _, slug := range []string{"nope", "nope-2", "attacker-made-up"} {
		postForm(t, http.DefaultClient, tc.addr()+"/saml/"+slug+"/acs", url.Values{"SAMLResponse": {"eA=="}})
	}

	got := scrape(t, tc)
	check := func(name string, want ...string) {
		t.Helper()
		if s := series(t, got, name); strings.Join(s, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n%s\nwant:\n%s", name, strings.Join(s, "\n"), strings.Join(want, "\n"))
		}
	}
	check(core.MetricSignInsAccepted, "idp=demo 1")
	check(core.MetricSignInsRefused, "class=replayed,idp=demo 1", "class=unknown_idp,idp="+core.UnknownIdPLabel+" 3")
	check(core.MetricACSDuration, " 5")
	check(core.MetricAccounts, " 1")
	size := got[core.MetricDatabaseSize].GetMetric()[0].GetGauge().GetValue()
	fi, err := os.Stat(storage.DBPath(tc.Dir))
	if err != nil {
		t.Fatal(err)
	}
	if size < float64(fi.Size()) {
		t.Errorf("%s = %v, the database file alone has %d bytes", core.MetricDatabaseSize, size, fi.Size())
	}
	for _, name := range []string{"go_goroutines", "process_open_fds"} {
		if _, ok := got[name]; !ok {
			t.Errorf("/metrics has no %s (the Go and process collectors)", name)
		}
	}
}

func request(t *testing.T, method, to string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, to, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestHealthz: 200 "ok" (GET and HEAD) while the listener serves and the
// database takes writes; 503 naming the database once it does not.
func TestHealthz(t *testing.T) {
	tc := startMetricsConsole(t)
	if status, body := request(t, http.MethodGet, tc.addr()+"/healthz"); status != http.StatusOK || body != "ok\n" {
		t.Fatalf("GET /healthz: %d %q", status, body)
	}
	if status, body := request(t, http.MethodHead, tc.addr()+"/healthz"); status != http.StatusOK || body != "" {
		t.Fatalf("HEAD /healthz: %d %q", status, body)
	}
	tc.DB.Close()
	status, body := request(t, http.MethodGet, tc.addr()+"/healthz")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "database does not take writes") {
		t.Fatalf("GET /healthz with the database closed: %d %q", status, body)
	}
	tc.Console.Close()
	if why := tc.Health(context.Background()); !strings.Contains(why, "listener is not running") {
		t.Fatalf("Health with the listener stopped: %q", why)
	}
}

// TestMetricsOff: without Options.Metrics both paths are 404, and the ACS
// still works.
func TestMetricsOff(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	for _, path := range []string{"/healthz", "/metrics"} {
		if status, _ := request(t, http.MethodGet, tc.addr()+path); status != http.StatusNotFound {
			t.Errorf("GET %s with metrics off: %d, want 404", path, status)
		}
	}
	if status, page := capture(t, tc, "bob").post(t, ""); status != http.StatusOK {
		t.Fatalf("sign-in with metrics off: HTTP %d\n%s", status, page)
	}
}
