package main

// The database's integrity from the command line: lost and damaged
// databases refused, db check, db backup and db restore, and the read-only
// commands on a read-only data directory.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// seedDataDir makes a data directory's database with n accounts, as logins
// through the demo IdP would.
func seedDataDir(t *testing.T, dir string, n int) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range n {
		name := fmt.Sprintf("hire%04d", i)
		if _, err := db.ApplyLogin(ctx, core.Provision{At: at, IdPSlug: core.DemoSlug, NameID: name + "@example.com",
			Username: name, Email: name + "@example.com", DisplayName: "New Hire " + name,
			Roles: []core.RoleGrant{{Role: "member", Source: "default role"}}}); err != nil {
			t.Fatal(err)
		}
	}
}

// readerOf is a read-only console over the data directory dir, as the
// read-only commands open it.
func readerOf(t *testing.T, dir string) *core.Console {
	t.Helper()
	o, err := openReader(context.Background(), dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.close)
	return o.Console
}

// damagePages overwrites eight pages in the middle of the file at path.
func damagePages(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	const page = 4096
	if fi.Size() < 32*page {
		t.Fatalf("%s has only %d bytes: too small to damage in the middle", path, fi.Size())
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 8*page/4), fi.Size()/2/page*page); err != nil {
		t.Fatal(err)
	}
}

// TestLostOrDamagedDatabaseRefused: serve refuses a zero-length database
// beside the SP's keys, and a damaged one, each with what to do, and
// writes nothing to them; db check says what is wrong.
func TestLostOrDamagedDatabaseRefused(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(t *testing.T, dir string)
		wantServe string // in serve's stderr
		wantCheck string // in db check's stdout
		checkCode int
		wantSize  int64 // of the database after serve refused; -1: unchanged
	}{
		{"zero-length beside the keys", func(t *testing.T, dir string) {
			seedDataDir(t, dir, 3)
			if err := storage.NewFileKeyStore(dir).Set(core.SPKeyName, []byte("key")); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(dir, storage.InitializedFileName)) // only the keys tell
			if err := os.Truncate(storage.DBPath(dir), 0); err != nil {
				t.Fatal(err)
			}
		}, "is empty (0 bytes), but this data directory was in use (it has keys/)", "the file is empty", 1, 0},
		{"missing after use", func(t *testing.T, dir string) {
			seedDataDir(t, dir, 3)
			os.Remove(storage.DBPath(dir))
		}, "is missing, but this data directory was in use", "There is no database", 1, -1},
		{"damaged", func(t *testing.T, dir string) {
			seedDataDir(t, dir, 300)
			damagePages(t, storage.DBPath(dir))
		}, "is damaged", "damaged: ", 1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			before, _ := os.ReadFile(storage.DBPath(dir))
			serve := runBinary(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
			if serve.code != 1 || !strings.Contains(serve.stderr, tt.wantServe) || !strings.Contains(serve.stderr, "jitconsole db restore FILE") {
				t.Fatalf("serve: exit %d\nstderr:\n%s\nwant %q", serve.code, serve.stderr, tt.wantServe)
			}
			after, _ := os.ReadFile(storage.DBPath(dir))
			if !bytes.Equal(before, after) {
				t.Fatal("serve changed the refused database")
			}
			check := runCLI(t, "db", "check", "--data-dir", dir)
			if check.code != tt.checkCode || !strings.Contains(check.stdout+check.stderr, tt.wantCheck) {
				t.Fatalf("db check: exit %d\n%s%s\nwant %q", check.code, check.stdout, check.stderr, tt.wantCheck)
			}
			if list := runCLI(t, "users", "list", "--data-dir", dir); list.code == 0 {
				t.Errorf("users list on a lost or damaged database: exit 0\n%s", list.stdout)
			}
		})
	}
}

// TestDBBackupRestoreRoundTrip: a backup taken, accounts added, the backup
// restored: the accounts are those of the backup, and the replaced
// database is kept beside it.
func TestDBBackupRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	seedDataDir(t, dir, 25)
	backup := filepath.Join(t.TempDir(), "jit.backup")
	if r := runCLI(t, "db", "backup", backup, "--data-dir", dir); r.code != 0 {
		t.Fatalf("db backup: exit %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, "db", "backup", backup, "--data-dir", dir); r.code != 1 || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("db backup over an existing file: exit %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, "db", "check", "--data-dir", dir); r.code != 0 || !strings.HasPrefix(r.stdout, "ok: ") {
		t.Fatalf("db check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	seedMore(t, dir, 7)
	if n := countUsersInProcess(t, dir); n != 32 {
		t.Fatalf("%d accounts before the restore, want 32", n)
	}

	r := runCLI(t, "db", "restore", backup, "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "the previous database is kept as "+storage.DBPath(dir)+".before-restore-") {
		t.Fatalf("db restore: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := countUsersInProcess(t, dir); n != 25 {
		t.Fatalf("%d accounts after the restore, want 25", n)
	}
	kept, _ := filepath.Glob(storage.DBPath(dir) + ".before-restore-*")
	if len(kept) != 1 {
		t.Fatalf("kept: %v", kept)
	}
	for _, p := range []string{storage.DBPath(dir) + "-wal", storage.DBPath(dir) + "-shm"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("stale %s left in place", filepath.Base(p))
		}
	}

	garbage := filepath.Join(t.TempDir(), "garbage")
	os.WriteFile(garbage, bytes.Repeat([]byte("garbage "), 2000), 0o600)
	if r := runCLI(t, "db", "restore", garbage, "--data-dir", dir); r.code != 1 || !strings.Contains(r.stderr, "damaged") {
		t.Fatalf("db restore of garbage: exit %d\n%s", r.code, r.stderr)
	}
	if n := countUsersInProcess(t, dir); n != 25 {
		t.Fatalf("%d accounts after a refused restore, want 25", n)
	}
}

func seedMore(t *testing.T, dir string, n int) {
	t.Helper()
	db, err := storage.Open(context.Background(), storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range n {
		name := fmt.Sprintf("late%02d", i)
		if _, err := db.ApplyLogin(context.Background(), core.Provision{At: time.Now(), IdPSlug: core.DemoSlug,
			NameID: name, Username: name}); err != nil {
			t.Fatal(err)
		}
	}
}

func countUsersInProcess(t *testing.T, dir string) int {
	t.Helper()
	r := runCLI(t, "users", "list", "--json", "--data-dir", dir)
	if r.code != 0 {
		t.Fatalf("users list: exit %d\n%s", r.code, r.stderr)
	}
	return strings.Count(r.stdout, `"name_id"`)
}

// TestReadOnlyCommandsOnReadOnlyDataDir runs the read-only commands as a
// user who may read the data directory but not write it (as root the
// permission bits would not stop anything: the commands then run as
// nobody). They work, and leave no file behind.
func TestReadOnlyCommandsOnReadOnlyDataDir(t *testing.T) {
	var prefix []string
	if os.Getuid() == 0 {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("running as root without setpriv to drop to nobody")
		}
		prefix = []string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"}
	}
	root, err := os.MkdirTemp("", "jitconsole-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error { os.Chmod(p, 0o700); return nil })
		os.RemoveAll(root)
	})
	dir := filepath.Join(root, "data")
	seedDataDir(t, dir, 4)
	entra, err := filepath.Abs(filepath.Join("testdata", "metadata", "entra-id.xml"))
	if err != nil {
		t.Fatal(err)
	}
	imp := runCLI(t, "idp", "import", "--file", entra, "--slug", "entra", "--data-dir", dir)
	if imp.code != 0 {
		t.Fatalf("idp import: exit %d\n%s", imp.code, imp.stderr)
	}
	keysInKeyring(t, dir, imp.stderr)
	response, _ := filepath.Abs(filepath.Join("testdata", "responses", "entra-id-both-signed.xml"))
	bin := filepath.Join(root, "jitconsole")
	copyFile(t, binaryPath, bin)
	out := filepath.Join(root, "out")
	if err := os.Mkdir(out, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(out, 0o777)
	// Everything readable, nothing in the data directory writable.
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		switch {
		case p == out:
		case d.IsDir():
			os.Chmod(p, 0o555)
		case p == bin:
			os.Chmod(p, 0o555)
		default:
			os.Chmod(p, 0o444)
		}
		return nil
	})
	touch := append(append([]string{}, prefix...), "touch", filepath.Join(dir, "probe"))
	if err := exec.Command(touch[0], touch[1:]...).Run(); err == nil {
		t.Fatal("the data directory is writable for the commands: the test would prove nothing")
	}
	before := listDir(t, dir)
	for _, args := range [][]string{
		{"users", "list"},
		{"idp", "list"},
		{"rules", "export", "--idp", "entra"},
		{"check-response", "--idp", "entra", "--response", response, "--at", goldenAt, "--request-id", "none",
			"--audience", "https://sp.example.com/saml/metadata", "--acs", "https://sp.example.com/saml/acs"},
		{"idp", "import", "--dry-run", "--file", entra},
		{"db", "check"},
		{"db", "backup", filepath.Join(out, "backup.db")},
	} {
		argv := append(append(prefix, bin), append(args, "--data-dir", dir)...)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Env = append(os.Environ(), "HOME="+out, "XDG_CONFIG_HOME="+out, "XDG_CACHE_HOME="+out)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if args[0] == "check-response" {
			// Refused (exit 1: it answers no pending request), not unusable (2).
			if !strings.Contains(stdout.String(), "REFUSED: ") {
				t.Errorf("%s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
			}
		} else if err != nil {
			t.Errorf("%s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
		if args[0] == "users" && strings.Count(stdout.String(), "New Hire") != 4 {
			t.Errorf("users list:\n%s", stdout.String())
		}
	}
	if after := listDir(t, dir); after != before {
		t.Errorf("the read-only commands changed the data directory:\nbefore: %s\nafter:  %s", before, after)
	}
}

func listDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
