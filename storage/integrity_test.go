package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// seedUsers inserts n accounts straight through SQL.
func seedUsers(t testing.TB, db *DB, n int) {
	t.Helper()
	_, err := db.write.Exec(`
		WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1)
		INSERT INTO users (idp_slug, name_id, name_key, username, email, email_key, display_name, search_text,
			created_at, last_login_at, login_count)
		SELECT 'demo', 'user' || i || '@example.com', 'user' || i || '@example.com', 'user' || i,
			'user' || i || '@example.com', 'user' || i || '@example.com', 'User Number ' || i,
			lower('user' || i || char(10) || 'User Number ' || i || char(10) || 'user' || i || '@example.com'),
			?2 + i, ?2 + i, 1
		FROM seq`, n, t0.UnixNano())
	if err != nil {
		t.Fatal(err)
	}
}

func TestLockDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, err := LockDataDir(dir, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := first.SetListening("127.0.0.1:43210", "http://localhost:43210"); err != nil {
		t.Fatal(err)
	}
	_, err = LockDataDir(dir, "127.0.0.1:9999")
	wantCode(t, err, core.ECONFLICT)
	want := "another JIT Console (PID " + strconv.Itoa(os.Getpid()) + ", listening on 127.0.0.1:43210) is using " + dir +
		"; stop it first, or use another --data-dir"
	if !errors.Is(err, ErrDataDirLocked) || core.ErrorMessage(err) != want {
		t.Fatalf("second lock: %v\nwant message %q", err, want)
	}
	if fi, err := os.Stat(filepath.Join(dir, LockFileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v %v", fi, err)
	}
	first.Release()
	first.Release()
	second, err := LockDataDir(dir, "127.0.0.1:9999")
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	second.Release()
}

func TestOpenTightensExistingDatabaseMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), DBFileName)
	db := openAt(t, path, &testClock{now: t0})
	db.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	openAt(t, path, &testClock{now: t0})
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v after reopening, want 0600", fi.Mode().Perm())
	}
}

func TestOpenRefusesLostDatabase(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string) // makes the directory's state
		opts    []Option
		refused string // a part of the message, "" when Open must succeed
	}{
		{"first start", func(t *testing.T, dir string) {}, nil, ""},
		{"zero-length, nothing else", func(t *testing.T, dir string) { write(t, filepath.Join(dir, DBFileName), "") }, nil, ""},
		{"zero-length after use", func(t *testing.T, dir string) {
			usedThenTruncated(t, dir)
		}, nil, "is empty (0 bytes), but this data directory was in use (it has " + InitializedFileName},
		{"missing after use", func(t *testing.T, dir string) {
			usedThenTruncated(t, dir)
			os.Remove(filepath.Join(dir, DBFileName))
		}, nil, "is missing, but this data directory was in use"},
		{"zero-length with key files", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "keys", core.SPKeyName+".key"), "x")
			write(t, filepath.Join(dir, DBFileName), "")
		}, nil, "(it has keys/)"},
		{"missing with a kept backup", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, DBFileName+".before-restore-20260101T000000Z"), "x")
		}, nil, "before-restore-20260101T000000Z"},
		{"zero-length after use, fresh on purpose", func(t *testing.T, dir string) {
			usedThenTruncated(t, dir)
		}, []Option{StartFresh()}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			db, err := Open(context.Background(), filepath.Join(dir, DBFileName), tt.opts...)
			if tt.refused == "" {
				if err != nil {
					t.Fatal(err)
				}
				db.Close()
				return
			}
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			wantCode(t, err, core.EINVALID)
			if msg := core.ErrorMessage(err); !errors.Is(err, ErrLostDatabase) || !strings.Contains(msg, tt.refused) || !strings.Contains(msg, "jitconsole db restore FILE") {
				t.Fatalf("error %v\nwant a message with %q", err, tt.refused)
			}
			if fi, err := os.Stat(filepath.Join(dir, DBFileName)); err == nil && fi.Size() > 0 {
				t.Fatal("the refused database was written")
			}
		})
	}
}

// usedThenTruncated makes a database in dir, closes it and truncates it.
func usedThenTruncated(t *testing.T, dir string) {
	path := filepath.Join(dir, DBFileName)
	db := openAt(t, path, &testClock{now: t0})
	db.Close()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// damage overwrites eight pages in the middle of the database file.
func damage(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	const page = 4096
	off := fi.Size() / 2 / page * page
	garbage := []byte(strings.Repeat("\xde\xad\xbe\xef", 8*page/4))
	if _, err := f.WriteAt(garbage, off); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesDamagedDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), DBFileName)
	db := openAt(t, path, &testClock{now: t0})
	seedUsers(t, db, 1000)
	db.Close()
	if problems, err := CheckFile(context.Background(), path); err != nil || len(problems) > 0 {
		t.Fatalf("CheckFile of a sound database: %v %v", problems, err)
	}
	damage(t, path)

	_, err := Open(context.Background(), path)
	wantCode(t, err, core.EINVALID)
	if !errors.Is(err, ErrDamaged) || !strings.Contains(core.ErrorMessage(err), "is damaged") ||
		!strings.Contains(core.ErrorMessage(err), "jitconsole db check") {
		t.Fatalf("Open of a damaged database: %v", err)
	}
	problems, err := CheckFile(context.Background(), path)
	if err != nil || len(problems) == 0 {
		t.Fatalf("CheckFile of a damaged database: %v %v", problems, err)
	}
	t.Logf("problems: %q", problems)
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, DBFileName)
	writer := openAt(t, path, &testClock{now: t0})
	seedUsers(t, writer, 5)

	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	users, err := ro.ListUsers(ctx, core.UserFilter{})
	if err != nil || len(users) != 5 {
		t.Fatalf("ListUsers beside a writer: %d, %v", len(users), err)
	}
	if _, err := writer.write.Exec(`INSERT INTO users (idp_slug, name_id, name_key, username, email, email_key, display_name, search_text, created_at, last_login_at, login_count)
		VALUES ('demo', 'late@example.com', 'late@example.com', 'late', '', '', 'Late', 'late', 1, 1, 1)`); err != nil {
		t.Fatal(err)
	}
	if users, _ = ro.ListUsers(ctx, core.UserFilter{}); len(users) != 6 {
		t.Fatalf("the read-only DB does not see the writer's new account: %d accounts", len(users))
	}
	if err := ro.SetSetting(ctx, "x", "y"); err == nil {
		t.Fatal("a write through the read-only DB succeeded")
	}

	_, err = OpenReadOnly(ctx, filepath.Join(dir, "nothing.db"))
	wantCode(t, err, core.ENOTFOUND)
	write(t, filepath.Join(dir, "empty.db"), "")
	_, err = OpenReadOnly(ctx, filepath.Join(dir, "empty.db"))
	wantCode(t, err, core.EINVALID)
}

func TestOpenReadOnlyRefusesOtherSchemas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), DBFileName)
	conn := createAtVersion(t, path, latestVersion(t)-1)
	conn.Close()
	before, _ := os.ReadFile(path)
	_, err := OpenReadOnly(ctx, path)
	if wantCode(t, err, core.EINVALID); !strings.Contains(core.ErrorMessage(err), "Start the console") {
		t.Fatalf("older schema: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("the read-only open changed the database")
	}
	db := openAt(t, path, &testClock{now: t0}) // migrates
	if _, err := db.write.Exec(`INSERT INTO schema_migrations VALUES (99999, '99999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	_, err = OpenReadOnly(ctx, path)
	if wantCode(t, err, core.EINVALID); !strings.Contains(core.ErrorMessage(err), "newer version") {
		t.Fatalf("newer schema: %v", err)
	}
}

func TestBackupAndRestore(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), DBFileName)
	writer := openAt(t, src, &testClock{now: t0})
	seedUsers(t, writer, 50)
	ro, err := OpenReadOnly(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := Backup(ctx, src, backup, false); err != nil {
		t.Fatalf("Backup while a writer has the database open: %v", err)
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	wantCode(t, Backup(ctx, src, backup, false), core.ECONFLICT)
	if err := Backup(ctx, src, backup, true); err != nil {
		t.Fatalf("Backup --force: %v", err)
	}

	// Restore into another data directory that has a database of its own.
	dir := t.TempDir()
	other := openAt(t, DBPath(dir), &testClock{now: t0})
	seedUsers(t, other, 2)
	other.Close()
	kept, err := Restore(ctx, dir, backup, t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := DBPath(dir) + ".before-restore-" + t0.UTC().Format("20060102T150405Z"); kept != want {
		t.Errorf("kept %q, want %q", kept, want)
	}
	restored := openAt(t, DBPath(dir), &testClock{now: t0})
	if n := count(t, restored, "users", ""); n != 50 {
		t.Fatalf("restored database has %d users, want 50", n)
	}
	restored.Close()
	if entries, _ := filepath.Glob(filepath.Join(dir, "*.restoring-*")); len(entries) > 0 {
		t.Errorf("left behind: %v", entries)
	}

	// What restore refuses: garbage, another SQLite database, a damaged one.
	garbage := filepath.Join(t.TempDir(), "garbage.db")
	write(t, garbage, strings.Repeat("not a database ", 1000))
	foreign := filepath.Join(t.TempDir(), "foreign.db")
	fdb, err := Open(ctx, foreign)
	if err != nil {
		t.Fatal(err)
	}
	fdb.write.Exec(`DROP TABLE users`)
	fdb.Close()
	for _, bad := range []string{garbage, foreign, filepath.Join(t.TempDir(), "missing.db")} {
		if _, err := Restore(ctx, dir, bad, t0.Add(time.Hour)); err == nil {
			t.Errorf("Restore(%s) succeeded", filepath.Base(bad))
		} else {
			t.Logf("Restore(%s): %v", filepath.Base(bad), err)
		}
	}
	again := openAt(t, DBPath(dir), &testClock{now: t0})
	if n := count(t, again, "users", ""); n != 50 {
		t.Fatalf("after refused restores the database has %d users, want 50", n)
	}
}

// BenchmarkOpen100kUsers measures Open (with its quick_check) and
// quick_check alone on a database of 100k accounts.
func BenchmarkOpen100kUsers(b *testing.B) {
	path := filepath.Join(b.TempDir(), DBFileName)
	db := openAt(b, path, &testClock{now: t0})
	seedMany(b, db, 100_000)
	db.Close()
	fi, _ := os.Stat(path)
	b.Logf("database: %d MB", fi.Size()>>20)
	b.Run("Open", func(b *testing.B) {
		for b.Loop() {
			db, err := Open(context.Background(), path)
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
	b.Run("quick_check", func(b *testing.B) {
		db := openAt(b, path, &testClock{now: t0})
		for b.Loop() {
			if problems, err := integrityCheck(context.Background(), db.write, true); err != nil || len(problems) > 0 {
				b.Fatal(problems, err)
			}
		}
	})
}
