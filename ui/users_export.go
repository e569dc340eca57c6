package ui

// The Users screen's Export CSV…: every account the filters select, written
// as CSV to a file the person chooses.

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
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

// exportTo reads every account the filters select (not only the table's
// first userLimit) and writes them to w as CSV, in the background.
func (u *users) exportTo(w fyne.URIWriteCloser) {
	a, q := u.app, u.currentQuery()
	u.export.Disable()
	showText(u.notice, "Exporting…", widget.LowImportance)
	background(a, "export accounts to "+w.URI().Path(), func(ctx context.Context) ([]core.User, error) {
		list, err := a.svc.Users(ctx, q.filter(0))
		var out bytes.Buffer
		if err == nil {
			err = writeUsersCSV(&out, list)
		}
		return list, writeFile(w, out.Bytes(), err)
	}, func(list []core.User, err error) {
		u.export.Enable()
		if err != nil {
			showText(u.notice, "Not exported: "+errorText(err), widget.DangerImportance)
			return
		}
		showText(u.notice, fmt.Sprintf("Exported %s to %s", plural(len(list), "account", "accounts"), w.URI().Path()), widget.SuccessImportance)
	})
}

// csvHeader names the export's columns.
var csvHeader = []string{"username", "display name", "email", "IdP", "roles", "status", "created", "last login", "logins", "warnings"}

// writeUsersCSV writes accounts as CSV: one header row, then one row per
// account; times in RFC 3339 (UTC), roles and warnings separated by "; ".
func writeUsersCSV(w io.Writer, list []core.User) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, x := range list {
		roles := make([]string, len(x.Roles))
		for i, r := range x.Roles {
			roles[i] = r.Role
		}
		status := core.UserActive
		if x.Disabled {
			status = core.UserDisabled
		}
		if err := cw.Write([]string{x.Username, x.DisplayName, x.Email, userIdP(x), strings.Join(roles, "; "),
			string(status), stamp(x.CreatedAt), stamp(x.LastLoginAt), strconv.Itoa(x.LoginCount),
			strings.Join(x.Warnings, "; ")}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
