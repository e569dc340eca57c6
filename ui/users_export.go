package ui

// The Users screen's Export CSV…: every account the filters select, written
// as CSV to a file the person chooses.

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// onExport asks where to save the current view as CSV.
func (u *users) onExport() {
	save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			u.app.bridge.showErrorNow(err)
			return
		}
		if w != nil { // else cancelled
			u.exportTo(w)
		}
	}, u.app.win)
	save.SetFileName("jitconsole-users-" + time.Now().Format("2006-01-02") + ".csv")
	save.Show()
}

// exportProgressEvery is how many rows an export writes between two
// updates of its "n of N" progress.
const exportProgressEvery = 500

// exportTo writes every account the filters select (not only the shown
// page) to w as CSV, in the background, row by row as they are read in
// batches: memory does not grow with the number of accounts. The notice
// shows "n of N" as it goes.
func (u *users) exportTo(w fyne.URIWriteCloser) {
	a, f := u.app, u.currentQuery().filter(0)
	ctx, cancel := context.WithCancel(a.ctx)
	u.exportRunning(cancel)
	showText(u.notice, "Exporting…", widget.LowImportance)
	background(a, "export accounts to "+w.URI().Path(), func(context.Context) (int, error) {
		total, err := a.svc.CountUsers(ctx, f)
		if err != nil {
			w.Close()
			return 0, err
		}
		n, file := 0, &fileWriter{w: w}
		err = streamUsersCSV(file, func(row func(core.User) error) error {
			return a.svc.ForEachMatchingUser(ctx, f, func(x core.User) error {
				if err := row(x); err != nil {
					return err
				}
				if n++; n%exportProgressEvery == 0 {
					done := n
					a.bridge.ui(func() {
						showText(u.notice, fmt.Sprintf("Exporting… %s of %s", count(done), count(max(total, done))), widget.LowImportance)
					})
				}
				return nil
			})
		})
		if cerr := w.Close(); file.err == nil && cerr != nil {
			file.err = cerr
		}
		if ctx.Err() != nil && a.ctx.Err() == nil {
			// Cancelled: a file with part of the accounts would pass for
			// all of them. It goes.
			if derr := storage.Delete(w.URI()); derr != nil {
				return n, core.Errorf(core.EUNAVAILABLE, "Export cancelled after %s, but the partial file %s could not be removed (%v): delete it yourself.", countOf(n, "account", "accounts"), w.URI().Path(), derr)
			}
			return n, errExportCancelled
		}
		if file.err != nil {
			return n, core.Errorf(core.EUNAVAILABLE, "%s could not be written: %v", w.URI().Name(), file.err)
		}
		return n, err
	}, func(n int, err error) {
		cancel()
		a.memory.afterBigJob()
		u.exportDone()
		if errors.Is(err, errExportCancelled) {
			showText(u.notice, fmt.Sprintf("Export cancelled after %s; the partial file was removed.", countOf(n, "account", "accounts")), widget.WarningImportance)
			return
		}
		if err != nil {
			showText(u.notice, "Not exported: "+errorText(err), widget.DangerImportance)
			return
		}
		showText(u.notice, fmt.Sprintf("Exported %s to %s", countOf(n, "account", "accounts"), w.URI().Path()), widget.SuccessImportance)
	})
}

// errExportCancelled ends an export the person cancelled.
var errExportCancelled = errors.New("export cancelled")

// exportRunning turns Export CSV… into the running export's Cancel.
func (u *users) exportRunning(cancel context.CancelFunc) {
	u.export.SetText("Cancel export")
	u.export.SetIcon(theme.CancelIcon())
	u.export.OnTapped = cancel
}

// exportDone turns the button back into Export CSV….
func (u *users) exportDone() {
	u.export.SetText("Export CSV…")
	u.export.SetIcon(theme.DocumentSaveIcon())
	u.export.OnTapped = u.onExport
}

// streamUsersCSV writes the header to w, then each account that each
// hands to row, flushing as it goes.
func streamUsersCSV(w io.Writer, each func(row func(core.User) error) error) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	err := each(func(x core.User) error { return cw.Write(csvRow(x)) })
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// csvHeader names the export's columns.
var csvHeader = []string{"username", "display name", "email", "IdP", "roles", "status", "created", "last login", "logins", "warnings"}

// csvRow is an account's row: times in RFC 3339 (UTC), roles and
// warnings separated by "; ".
func csvRow(x core.User) []string {
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	roles := make([]string, len(x.Roles))
	for i, r := range x.Roles {
		roles[i] = r.Role
	}
	status := core.UserActive
	if x.Disabled {
		status = core.UserDisabled
	}
	return []string{x.Username, x.DisplayName, x.Email, userIdP(x), strings.Join(roles, "; "),
		string(status), stamp(x.CreatedAt), stamp(x.LastLoginAt), strconv.Itoa(x.LoginCount),
		strings.Join(x.Warnings, "; ")}
}

// fileWriter is the export's file, keeping its first write error apart
// from a failure to read the accounts.
type fileWriter struct {
	w   io.Writer
	err error
}

func (f *fileWriter) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.w.Write(p)
	f.err = err
	return n, err
}
