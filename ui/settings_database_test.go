package ui

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// newMaintainedConsole is a started console over a SQLite file with the
// file's Maintenance wired in, as main does.
func newMaintainedConsole(t *testing.T) *core.Console {
	t.Helper()
	dir := t.TempDir()
	copySeed(t, dir)
	db, err := storage.Open(context.Background(), storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	con, err := core.New(context.Background(), core.Options{Store: db, Keys: storage.NewFileKeyStore(dir),
		ListenAddr: "127.0.0.1:0", DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Maintenance: storage.FileMaintenance{File: storage.DBPath(dir)}})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		con.Close()
		db.Close()
	})
	if err := con.Start(); err != nil {
		t.Fatal(err)
	}
	return con
}

// TestDatabaseCardBacksUpAndChecks: the card shows the size and the
// commands; "Back up…" writes a sound copy where the file dialog says
// and says so; a folder that does not exist is a red line saying what to
// do; "Check integrity" says the database is sound.
func TestDatabaseCardBacksUpAndChecks(t *testing.T) {
	con := newMaintainedConsole(t)
	h := newHarnessFor(t, con, nil)
	h.showTab("Settings")
	d := h.app.settings.storage.database
	h.waitFor("the size", func() bool { return strings.HasPrefix(d.size.Text, "Size on disk:") })
	dir := filepath.Dir(con.DatabasePath())
	if !strings.Contains(d.commands.Text, "jitconsole db backup FILE --data-dir "+dir) ||
		!strings.Contains(d.commands.Text, "jitconsole db check --data-dir "+dir) {
		t.Errorf("the commands shown: %q", d.commands.Text)
	}

	dest := filepath.Join(t.TempDir(), "copy.db")
	d.pickBackup = func(save func(string)) { save(dest) }
	test.Tap(d.backup)
	h.waitFor("the backup", func() bool { return !d.backup.Disabled() })
	if d.result.Text != "Backed up to "+dest+"." || d.result.Importance != widget.SuccessImportance {
		t.Fatalf("after the backup: %q", d.result.Text)
	}
	if problems, err := storage.CheckFile(context.Background(), dest); err != nil || len(problems) > 0 {
		t.Fatalf("the backup file: %v %v", problems, err)
	}

	missing := filepath.Join(t.TempDir(), "gone", "copy.db")
	d.pickBackup = func(save func(string)) { save(missing) }
	test.Tap(d.backup)
	h.waitFor("the refusal", func() bool { return !d.backup.Disabled() })
	if !strings.Contains(d.result.Text, "does not exist") || d.result.Importance != widget.DangerImportance {
		t.Errorf("a backup into a missing folder: %q", d.result.Text)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a file appeared in a missing folder")
	}

	test.Tap(d.check)
	if !d.busy.Visible() && !strings.HasPrefix(d.result.Text, "The database is sound") {
		t.Error("the check shows no progress while it runs")
	}
	h.waitFor("the check", func() bool { return !d.check.Disabled() })
	if !strings.HasPrefix(d.result.Text, "The database is sound") || d.busy.Visible() {
		t.Errorf("after the check: %q (busy shown: %t)", d.result.Text, d.busy.Visible())
	}
}

// TestDatabaseCardWithoutMaintenance: over a console with no database
// file, the buttons are off and the card points at the commands.
func TestDatabaseCardWithoutMaintenance(t *testing.T) {
	h := newHarness(t, nil)
	d := h.app.settings.storage.database
	if !d.backup.Disabled() || !d.check.Disabled() || !strings.Contains(d.result.Text, "use the commands below") {
		t.Errorf("without maintenance: backup off %t, check off %t, %q", d.backup.Disabled(), d.check.Disabled(), d.result.Text)
	}
}
