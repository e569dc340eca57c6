package ui

// The Users screen's stale-accounts view (no sign-in for N days) and its
// bulk action, Disable selected.

import (
	"context"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// buildStale is the stale-accounts switch with its number of days, and the
// bar of the stale view.
func (u *users) buildStale() fyne.CanvasObject {
	u.staleDays = widget.NewEntry()
	u.staleDays.SetText(strconv.Itoa(defaultStaleDays))
	u.staleDays.OnChanged = func(text string) {
		n, err := boundedInt(text, 1, 3650, "The number of days")
		if err != nil {
			showText(u.notice, errorText(err), widget.DangerImportance)
			return
		}
		showText(u.notice, "", widget.DangerImportance)
		u.setQuery(func(q *userQuery) { q.staleDays = n })
	}
	u.stale = widget.NewCheck("Stale accounts: no sign-in for", u.onStale)
	days := container.NewGridWrap(fyne.NewSize(70, u.staleDays.MinSize().Height), u.staleDays)
	u.selectAll = widget.NewCheck("Select all", u.onSelectAll)
	u.disableSel = widget.NewButtonWithIcon("Disable selected", theme.MediaPauseIcon(), u.onDisableSelected)
	u.disableSel.Importance = widget.WarningImportance
	u.disableSel.Disable()
	hint := widget.NewLabel("JIT never deprovisions: disable who no longer signs in.")
	hint.Importance = widget.LowImportance
	hint.Truncation = fyne.TextTruncateEllipsis
	u.staleBar = container.NewBorder(nil, nil, container.NewHBox(u.selectAll, u.disableSel), nil, hint)
	u.staleBar.Hide()
	return container.NewVBox(container.NewHBox(u.stale, days, widget.NewLabel("days")), u.staleBar)
}

func (u *users) onStale(on bool) {
	if on {
		u.setColumns(staleColumns)
		u.staleBar.Show()
	} else {
		u.setColumns(userColumns)
		u.staleBar.Hide()
	}
	u.checked = map[int64]bool{}
	u.updateBulk()
	u.setQuery(func(q *userQuery) { q.stale = on })
}

// setChecked selects an account of the stale view, or unselects it.
func (u *users) setChecked(id int64, on bool) {
	if on {
		u.checked[id] = true
	} else {
		delete(u.checked, id)
	}
	u.updateBulk()
}

func (u *users) onSelectAll(on bool) {
	u.checked = map[int64]bool{}
	if on {
		for _, x := range u.list {
			u.checked[x.ID] = true
		}
	}
	u.table.Refresh()
	u.updateBulk()
}

// checkedIDs lists the stale view's selected accounts in table order.
func (u *users) checkedIDs() []int64 {
	var ids []int64
	for _, x := range u.list {
		if u.checked[x.ID] {
			ids = append(ids, x.ID)
		}
	}
	return ids
}

// updateBulk labels the bulk button with the selection's size.
func (u *users) updateBulk() {
	n := len(u.checkedIDs())
	u.disableSel.SetText("Disable selected")
	if n > 0 {
		u.disableSel.SetText(fmt.Sprintf("Disable %s", plural(n, "account", "accounts")))
	}
	enable(u.disableSel, n > 0)
}

// onDisableSelected asks, then disables the stale view's selection.
func (u *users) onDisableSelected() {
	ids := u.checkedIDs()
	if len(ids) == 0 {
		return
	}
	msg := wrapped(fmt.Sprintf("Disable %s? Their sign-ins are refused with a clear page until an administrator enables them again. "+
		"Nothing is deleted: roles, attributes and history stay.", plural(len(ids), "account", "accounts")), widget.MediumImportance)
	u.bulkConfirm = dialog.NewCustomConfirm("Disable stale accounts?", "Disable", "Cancel", msg, func(ok bool) {
		u.bulkConfirm = nil
		if ok {
			u.disableAccounts(ids)
		}
	}, u.app.win)
	u.bulkConfirm.SetConfirmImportance(widget.WarningImportance)
	u.bulkConfirm.Resize(fyne.NewSize(480, u.bulkConfirm.MinSize().Height))
	u.bulkConfirm.Show()
}

func (u *users) disableAccounts(ids []int64) {
	a := u.app
	u.disableSel.Disable()
	background(a, fmt.Sprintf("disable %d accounts", len(ids)), func(ctx context.Context) (int, error) {
		return a.svc.SetUsersDisabled(ctx, ids, true)
	}, func(n int, err error) {
		if err != nil {
			showText(u.notice, "Not disabled: "+errorText(err), widget.DangerImportance)
			u.updateBulk()
			return
		}
		showText(u.notice, "Disabled "+plural(n, "account", "accounts")+".", widget.SuccessImportance)
		u.checked = map[int64]bool{}
		u.selectAll.SetChecked(false)
		u.reload.Trigger()
		u.loadDetail.Trigger()
	})
}
