package ui

// The Settings screen's "Database" card: the database's size, "Back
// up…" to a file and "Check integrity", each with its result, and the
// command-line equivalents. The work is core's (BackupDatabase,
// CheckDatabase); the UI never touches the database.

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// databaseService is the part of the service the Database card uses;
// *core.Console implements it.
type databaseService interface {
	DatabasePath() string
	BackupDatabase(ctx context.Context, dest string) error
	CheckDatabase(ctx context.Context) (core.DatabaseCheck, error)
}

// databaseCard is the Settings screen's "Database" card.
type databaseCard struct {
	app     *App
	svc     databaseService // nil: maintenance is not available
	content fyne.CanvasObject

	size        *widget.Label
	backup      *widget.Button
	check       *widget.Button
	busy        *widget.ProgressBarInfinite
	result      *widget.Label
	commands    *widget.Label
	pickBackup  func(save func(path string)) // the file dialog; tests replace it
	lastBackup  string
	checkResult core.DatabaseCheck
}

func newDatabaseCard(a *App) *databaseCard {
	d := &databaseCard{app: a}
	d.svc, _ = a.svc.(databaseService)
	d.pickBackup = d.saveDialog
	d.size = wrapped("Measuring the database…", widget.MediumImportance)
	d.backup = widget.NewButtonWithIcon("Back up…", theme.DocumentSaveIcon(), d.onBackup)
	d.check = widget.NewButtonWithIcon("Check integrity", theme.ConfirmIcon(), d.onCheck)
	d.busy = widget.NewProgressBarInfinite()
	d.busy.Stop()
	d.busy.Hide()
	d.result = wrapped("", widget.LowImportance)
	d.result.Hide()
	path, dir := "", "DIR"
	if d.svc != nil {
		path = d.svc.DatabasePath()
		dir = filepath.Dir(path)
	}
	d.commands = mono(fmt.Sprintf("jitconsole db backup FILE --data-dir %s\njitconsole db check --data-dir %s", dir, dir))
	if d.svc == nil || path == "" {
		d.backup.Disable()
		d.check.Disable()
		showText(d.result, "Backup and check are not available in this window: use the commands below.", widget.WarningImportance)
	}
	explain := wrapped("A backup is a consistent copy of the whole database, made while sign-ins go on. "+
		"The check reads every page with SQLite's integrity check; it only reads. The same from a terminal "+
		"(they work while the console runs):", widget.MediumImportance)
	d.content = widget.NewCard("Database", orDash(path), container.NewVBox(d.size,
		container.NewHBox(d.backup, d.check), d.busy, d.result, explain, d.commands))
	return d
}

// showUsage shows the database's size (the Storage card reads it).
func (d *databaseCard) showUsage(u core.StorageUsage) {
	d.size.SetText(fmt.Sprintf("Size on disk: %s (database file %s, write-ahead log %s).",
		core.FormatBytes(u.DBBytes+u.WALBytes), core.FormatBytes(u.DBBytes), core.FormatBytes(u.WALBytes)))
}

// saveDialog asks where to save the backup.
func (d *databaseCard) saveDialog(save func(path string)) {
	fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			d.finish(err)
			return
		}
		if w == nil {
			return // cancelled
		}
		path := w.URI().Path()
		w.Close() // core writes the file itself
		save(path)
	}, d.app.win)
	fd.SetFileName("jitconsole-backup.db")
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".db"}))
	fd.Resize(fyne.NewSize(fyne.Min(800, d.app.win.Canvas().Size().Width), fyne.Min(560, d.app.win.Canvas().Size().Height)))
	fd.Show()
}

func (d *databaseCard) onBackup() { d.pickBackup(d.backupTo) }

// backupTo backs the database up to path in the background.
func (d *databaseCard) backupTo(path string) {
	d.start(fmt.Sprintf("Backing up to %s…", path))
	backgroundErr(d.app, "back up the database", func(ctx context.Context) error {
		return d.svc.BackupDatabase(ctx, path)
	}, func(err error) {
		if err == nil {
			d.lastBackup = path
			showText(d.result, "Backed up to "+path+".", widget.SuccessImportance)
		}
		d.finish(err)
	})
}

// onCheck runs the integrity check in the background.
func (d *databaseCard) onCheck() {
	d.start("Checking every page of the database…")
	background(d.app, "check the database", d.svc.CheckDatabase, func(c core.DatabaseCheck, err error) {
		if err == nil {
			d.checkResult = c
			if c.Sound() {
				showText(d.result, fmt.Sprintf("The database is sound (checked in %s).", c.Took.Round(time.Millisecond)), widget.SuccessImportance)
			} else {
				showText(d.result, "The database is damaged: "+strings.Join(c.Problems, "; ")+
					". Back it up now if you can, stop the console and restore a good backup with jitconsole db restore FILE.",
					widget.DangerImportance)
			}
		}
		d.finish(err)
	})
}

func (d *databaseCard) start(what string) {
	d.backup.Disable()
	d.check.Disable()
	showText(d.result, what, widget.LowImportance)
	d.busy.Show()
	d.busy.Start()
}

func (d *databaseCard) finish(err error) {
	d.busy.Stop()
	d.busy.Hide()
	d.backup.Enable()
	d.check.Enable()
	if err != nil {
		showText(d.result, "Failed: "+errorText(err), widget.DangerImportance)
	}
}
