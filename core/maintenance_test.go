package core_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// TestBackupAndCheckDatabase backs up a serving console's SQLite file
// through core, checks the copy and the database, and refuses a backup
// over the database itself or into a folder that does not exist, each
// with a sentence saying what to do.
func TestBackupAndCheckDatabase(t *testing.T) {
	dir := t.TempDir()
	tc := startConsoleWith(t, dir, func(o *core.Options) {
		o.Maintenance = storage.FileMaintenance{File: storage.DBPath(dir)}
	})
	capture(t, tc, "alice").post(t, "")
	ctx := context.Background()

	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(dest, []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := tc.BackupDatabase(ctx, dest); err != nil {
		t.Fatalf("back up: %v", err)
	}
	if problems, err := storage.CheckFile(ctx, dest); err != nil || len(problems) > 0 {
		t.Fatalf("the backup: %v %v", problems, err)
	}
	check, err := tc.CheckDatabase(ctx)
	if err != nil || !check.Sound() || check.Path != storage.DBPath(dir) {
		t.Fatalf("check: %+v %v", check, err)
	}

	for _, c := range []struct{ name, dest, code, says string }{
		{"over the database itself", storage.DBPath(dir), core.EINVALID, "cannot replace the database"},
		{"into a missing folder", filepath.Join(dir, "no", "such", "x.db"), core.ENOTFOUND, "does not exist"},
		{"to no file", " ", core.EINVALID, "Choose a file"},
	} {
		err := tc.BackupDatabase(ctx, c.dest)
		if core.ErrorCode(err) != c.code || !strings.Contains(core.ErrorMessage(err), c.says) {
			t.Errorf("%s: %v (%s), want %s saying %q", c.name, err, core.ErrorCode(err), c.code, c.says)
		}
	}
	if problems, err := storage.CheckFile(ctx, storage.DBPath(dir)); err != nil || len(problems) > 0 {
		t.Fatalf("the database after the refusals: %v %v", problems, err)
	}
}

// failingMaintenance fails every backup with err.
type failingMaintenance struct{ err error }

func (f failingMaintenance) Backup(context.Context, string, bool) error { return f.err }
func (f failingMaintenance) Check(context.Context) ([]string, error)    { return nil, f.err }
func (f failingMaintenance) Path() string                               { return "/nonexistent/jitconsole.db" }

// TestBackupErrorsSayWhatToDo: a full disk, a read-only disk and no
// permission each get a sentence of their own.
func TestBackupErrorsSayWhatToDo(t *testing.T) {
	for _, c := range []struct {
		err  error
		says string
	}{
		{fmt.Errorf("back up: %w", &os.PathError{Op: "write", Path: "/x", Err: syscall.ENOSPC}), "The disk is full"},
		{fmt.Errorf("vacuum: database or disk is full (13)"), "The disk is full"},
		{fmt.Errorf("back up: %w", &os.PathError{Op: "open", Path: "/x", Err: syscall.EROFS}), "read-only disk"},
		{fmt.Errorf("back up: %w", &os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}), "no permission"},
	} {
		tc := startConsoleWith(t, t.TempDir(), func(o *core.Options) { o.Maintenance = failingMaintenance{c.err} })
		err := tc.BackupDatabase(context.Background(), filepath.Join(t.TempDir(), "b.db"))
		if !strings.Contains(core.ErrorMessage(err), c.says) {
			t.Errorf("%v: %q, want it to say %q", c.err, core.ErrorMessage(err), c.says)
		}
	}
	tc := startConsole(t, t.TempDir(), "")
	if err := tc.BackupDatabase(context.Background(), "x.db"); !strings.Contains(core.ErrorMessage(err), "jitconsole db backup") {
		t.Errorf("without maintenance: %v", err)
	}
}
