package storage

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// t0 is the pinned "now" of most tests: a Tuesday afternoon, UTC.
var t0 = time.Date(2025, 3, 4, 15, 30, 0, 0, time.UTC)

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// openTest opens a database in a fresh temporary directory with a clock
// pinned at t0, and closes it when the test ends.
func openTest(t testing.TB) (*DB, *testClock) {
	t.Helper()
	clock := &testClock{now: t0}
	db := openAt(t, filepath.Join(t.TempDir(), DBFileName), clock)
	return db, clock
}

func openAt(t testing.TB, path string, clock core.Clock) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, WithClock(clock))
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// count returns the number of rows of table (matching where, if given).
func count(t testing.TB, db *DB, table, where string, args ...any) int {
	t.Helper()
	q := "SELECT count(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	var n int
	if err := db.read.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// createAtVersion creates a database at path as a JIT Console of schema
// version left it: with the migrations up to version only. The caller
// closes it.
func createAtVersion(t testing.TB, path string, version int) *sql.DB {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m migration) bool { return m.version > version })
	if i < 0 {
		t.Fatalf("no migration after version %d", version)
	}
	conn, err := sql.Open("sqlite", dsn(path)+"&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	conn.SetMaxOpenConns(1)
	if err := applyMigrations(context.Background(), conn, ms[:i]); err != nil {
		conn.Close()
		t.Fatal(err)
	}
	return conn
}

// latestVersion is the number of the newest embedded migration.
func latestVersion(t testing.TB) int {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	return ms[len(ms)-1].version
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := core.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

func TestOpenCreatesPrivateDirAndMigrates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "jitconsole")
	db := openAt(t, DBPath(dir), core.SystemClock{})
	ctx := context.Background()

	if runtime.GOOS != "windows" {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o700 {
			t.Errorf("data dir mode = %v, want 0700", perm)
		}
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil || v != ms[len(ms)-1].version {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, ms[len(ms)-1].version)
	}
	for _, table := range []string{"identity_providers", "roles", "users", "user_roles", "user_attributes",
		"logins", "events", "replay_cache", "request_tracker", "personas", "settings", "recordings", "recording_raw"} {
		count(t, db, table, "")
	}
	// The pragmas reach both pools.
	for name, pool := range map[string]*sql.DB{"write": db.write, "read": db.read} {
		var mode string
		var fk, timeout int
		if err := pool.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := pool.QueryRow(`PRAGMA busy_timeout`).Scan(&timeout); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || timeout != 10000 {
			t.Errorf("%s pool: journal_mode %s, foreign_keys %d, busy_timeout %d", name, mode, fk, timeout)
		}
	}
	// The read pool cannot write.
	if _, err := db.read.Exec(`INSERT INTO settings (key, value) VALUES ('x', 'y')`); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestReopenIsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), DBFileName)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(ctx, "base_url", "http://localhost:8080"); err != nil {
		t.Fatal(err)
	}
	v1, _ := db.SchemaVersion(ctx)
	n1 := count(t, db, "schema_migrations", "") // numbers may have gaps
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		db, err = Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		v2, _ := db.SchemaVersion(ctx)
		if n := count(t, db, "schema_migrations", ""); n != n1 || v2 != v1 {
			t.Errorf("after reopen: %d migrations recorded, version %d; want %d, %d", n, v2, n1, v1)
		}
		if got, err := db.GetSetting(ctx, "base_url"); err != nil || got != "http://localhost:8080" {
			t.Errorf("setting after reopen = %q, %v", got, err)
		}
		db.Close()
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), DBFileName)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	_, err = Open(ctx, path)
	if err == nil {
		t.Fatal("Open accepted a database from a newer version")
	}
	wantCode(t, err, core.EINVALID)
	if msg := core.ErrorMessage(err); !strings.Contains(msg, "newer version") || !strings.Contains(msg, "9999") {
		t.Errorf("message = %q", msg)
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odd ?#% name")
	db := openAt(t, DBPath(dir), core.SystemClock{})
	if err := db.SetSetting(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(DBPath(dir)); err != nil {
		t.Fatalf("the database is not where it was asked to be: %v", err)
	}
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/cfg")
	dir, err := DefaultDataDir()
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := os.UserConfigDir()
	if want := filepath.Join(cfg, "jitconsole"); dir != want {
		t.Errorf("DefaultDataDir = %q, want %q", dir, want)
	}
	if got := DBPath(dir); got != filepath.Join(dir, "jitconsole.db") {
		t.Errorf("DBPath = %q", got)
	}
}

func TestURIPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/home/me/.config/jitconsole/jitconsole.db", "/home/me/.config/jitconsole/jitconsole.db"},
		{"/tmp/a?b#c%d", "/tmp/a%3fb%23c%25d"},
	}
	if runtime.GOOS == "windows" {
		tests = append(tests, struct{ in, want string }{`C:\Users\me\jitconsole.db`, "/C:/Users/me/jitconsole.db"})
	}
	for _, tt := range tests {
		if got := uriPath(tt.in); got != tt.want {
			t.Errorf("uriPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTimesRoundTripInUTC(t *testing.T) {
	local := time.Date(2025, 3, 4, 16, 30, 0, 123456789, time.FixedZone("CET", 3600))
	if got := fromNanos(nanos(local)); !got.Equal(local) || got.Location() != time.UTC {
		t.Errorf("round trip of %v = %v", local, got)
	}
	if got := fromNanos(nanos(time.Time{})); !got.IsZero() {
		t.Errorf("zero time came back as %v", got)
	}
}
