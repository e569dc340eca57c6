package core_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

var certRe = regexp.MustCompile(`<X509Certificate[^>]*>([^<]+)</X509Certificate>`)

// spCertificate fetches the SP metadata of the demo connection and returns
// its signing certificate as published.
func spCertificate(t *testing.T, tc *testConsole) string {
	t.Helper()
	resp, err := http.Get(tc.Base + "/saml/demo/metadata")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := certRe.FindStringSubmatch(string(b))
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("metadata: HTTP %d\n%s", resp.StatusCode, b)
	}
	return m[1]
}

// startWithKeys is startConsole with a given key store.
func startWithKeys(t *testing.T, dir string, keys core.KeyStore) (*core.Console, *storage.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	c, err := core.New(ctx, core.Options{Store: db, Keys: keys, ListenAddr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	return c, db
}

// TestSPKeyInRealKeyringSurvivesRestart uses the OS keyring (gnome-keyring
// in make test's D-Bus session): the key is generated once, a second start
// reuses it, and the published certificate is byte-identical.
func TestSPKeyInRealKeyringSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	keys := storage.NewKeyStore(dir)
	if inFile, why := keys.Fallback(); inFile {
		if os.Getenv("JITCONSOLE_REQUIRE_KEYRING") == "1" {
			t.Fatalf("the OS keyring is required here but not reachable: %s", why)
		}
		t.Skipf("no OS keyring reachable (make test provides one): %s", why)
	}
	t.Cleanup(func() { deleteKeyringEntries(t, dir) })

	c1, db1 := startWithKeys(t, dir, keys)
	if w := c1.KeyWarning(); w != "" {
		t.Fatalf("key warning with a working keyring: %s", w)
	}
	cert1 := spCertificate(t, &testConsole{Console: c1, Base: c1.BaseURL()})
	c1.Close()
	db1.Close()
	if entries, _ := os.ReadDir(dir + "/keys"); len(entries) != 0 {
		t.Fatalf("keys were written to files although the keyring works: %v", entries)
	}

	c2, db2 := startWithKeys(t, dir, storage.NewKeyStore(dir))
	defer db2.Close()
	defer c2.Close()
	if cert2 := spCertificate(t, &testConsole{Console: c2, Base: c2.BaseURL()}); cert2 != cert1 {
		t.Fatal("the second start published another certificate")
	}
}

// TestKeysFallBackToFileWithoutKeyring runs with no reachable Secret
// Service: the console still starts, keeps keys in 0600 files, warns, and
// writes an event saying why.
func TestKeysFallBackToFileWithoutKeyring(t *testing.T) {
	// godbus keeps one session bus connection per process, so the check
	// runs in a child process that never saw the real bus.
	const child = "JITCONSOLE_FALLBACK_CHILD"
	if os.Getenv(child) != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKeysFallBackToFileWithoutKeyring$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), child+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestKeysFallBackToFileWithoutKeyring") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/jitconsole-test-bus")
	dir := t.TempDir()
	c, db := startWithKeys(t, dir, storage.NewKeyStore(dir))
	tc := &testConsole{Console: c, DB: db, Dir: dir, Base: c.BaseURL()}
	cert1 := spCertificate(t, tc)
	if c.KeyWarning() == "" {
		t.Fatal("no key warning without a keyring")
	}
	st, err := os.Stat(dir + "/keys/" + core.SPKeyName + ".key")
	if err != nil {
		t.Fatalf("no key file: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	evs, err := c.RecentEvents(context.Background(), 20)
	if err != nil {
		t.Fatal(err)
	}
	// The event says why (the keyring is not reachable, and the error that
	// showed it) and where the keys are, as the warning banner does.
	wantDetail := "The OS keyring is not reachable ("
	wantWhere := filepath.Join(dir, "keys") + ", readable only by you."
	found := false
	for _, e := range evs {
		if e.Kind != core.EventKeyFallback {
			continue
		}
		found = true
		if !strings.HasPrefix(e.Detail, wantDetail) || !strings.HasSuffix(e.Detail, wantWhere) ||
			e.Outcome != core.OutcomeWarning || e.Detail != c.KeyWarning() {
			t.Errorf("key.fallback event: outcome %q, detail %q; want a warning %q…%q, as the banner %q",
				e.Outcome, e.Detail, wantDetail, wantWhere, c.KeyWarning())
		}
	}
	if !found {
		t.Fatal("no key.fallback event")
	}
	tc.close()

	c2, db2 := startWithKeys(t, dir, storage.NewKeyStore(dir))
	defer db2.Close()
	defer c2.Close()
	if cert2 := spCertificate(t, &testConsole{Console: c2, Base: c2.BaseURL()}); cert2 != cert1 {
		t.Fatal("the key from the file was not reused")
	}
}

// deleteKeyringEntries removes the entries this test's data dir made.
func deleteKeyringEntries(t *testing.T, dir string) {
	for _, name := range []string{core.SPKeyName, core.DemoIdPKeyName} {
		if err := keyring.Delete(storage.KeyringService, name+" @ "+dir); err != nil && !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("delete keyring entry %s: %v", name, err)
		}
	}
}
