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

	"github.com/jitconsole/jitconsole/core"
)

// buildStale is the stale-accounts switch with its number of days, and the
// bar of the stale view.
func (u *users) buildStale() fyne.CanvasObject {
	u.staleDays = widget.NewEntry()
	u.staleDays.SetText(strconv.Itoa(defaultStaleDays))
	u.staleDays.OnChanged = func(text string) {
		n, err := boundedInt(text, 1, 3650, "The number of days")
		if err != nil {
			u.daysTyping.stop()
			showText(u.notice, errorText(err), widget.DangerImportance)
			return
		}
		showText(u.notice, "", widget.DangerImportance)
		u.daysTyping.call(func() { u.setQuery(func(q *userQuery) { q.staleDays = n }) })
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
	u.allMatching = false
	u.selectAll.SetChecked(false)
	u.updateBulk()
	u.setQuery(func(q *userQuery) { q.stale = on })
}

// setChecked selects an account of the stale view, or unselects it.
// Unselecting one while every matching account is selected leaves the
// rest of the shown page selected.
func (u *users) setChecked(id int64, on bool) {
	if u.allMatching && !on {
		u.allMatching = false
		for _, x := range u.list {
			u.checked[x.ID] = true
		}
		u.selectAll.OnChanged = nil
		u.selectAll.SetChecked(false)
		u.selectAll.OnChanged = u.onSelectAll
	}
	if on {
		u.checked[id] = true
	} else {
		delete(u.checked, id)
	}
	u.table.Refresh()
	u.updateBulk()
}

// isChecked reports whether the stale view's selection holds id.
func (u *users) isChecked(id int64) bool { return u.allMatching || u.checked[id] }

// onSelectAll selects every account the filters select, on every page,
// not only the shown ones; or unselects all.
func (u *users) onSelectAll(on bool) {
	u.checked = map[int64]bool{}
	u.allMatching = on
	u.table.Refresh()
	u.updateBulk()
}

// checkedIDs lists the stale view's selected accounts of the shown page
// in table order (see allMatching for the rest).
func (u *users) checkedIDs() []int64 {
	var ids []int64
	for _, x := range u.list {
		if u.checked[x.ID] {
			ids = append(ids, x.ID)
		}
	}
	return ids
}

// selectedCount is how many accounts the stale view's selection holds.
func (u *users) selectedCount() int {
	if u.allMatching {
		return u.total
	}
	return len(u.checkedIDs())
}

// updateBulk labels the bulk button with the selection's size.
func (u *users) updateBulk() {
	n := u.selectedCount()
	u.disableSel.SetText("Disable selected")
	if n > 0 {
		u.disableSel.SetText("Disable " + countOf(n, "account", "accounts"))
	}
	enable(u.disableSel, n > 0)
}

// onDisableSelected asks, naming how many accounts would change, then
// disables the stale view's selection: the checked rows, or every active
// account the filters select when Select all is on.
func (u *users) onDisableSelected() {
	if !u.allMatching {
		if ids := u.checkedIDs(); len(ids) > 0 {
			u.confirmDisable(len(ids), func(ctx context.Context) (int, error) {
				return u.app.svc.SetUsersDisabled(ctx, ids, true)
			})
		}
		return
	}
	a, f := u.app, u.shownFilter
	f.Limit, f.Offset = 0, 0
	if f.Status == "" {
		f.Status = core.UserActive // the ones that would change
	}
	u.disableSel.Disable()
	background(a, "count the accounts to disable", func(ctx context.Context) (int, error) {
		return a.svc.CountUsers(ctx, f)
	}, func(n int, err error) {
		u.updateBulk()
		switch {
		case err != nil:
			showText(u.notice, "Not disabled: "+errorText(err), widget.DangerImportance)
		case n == 0:
			showText(u.notice, "Every selected account is disabled already.", widget.MediumImportance)
		default:
			u.confirmDisable(n, func(ctx context.Context) (int, error) {
				return a.svc.SetMatchingUsersDisabled(ctx, f, true)
			})
		}
	})
}

// confirmDisable asks "Disable 23,989 accounts?" and runs disable if so.
func (u *users) confirmDisable(n int, disable func(context.Context) (int, error)) {
	what := countOf(n, "account", "accounts")
	msg := wrapped(fmt.Sprintf("Disable %s? Their sign-ins are refused with a clear page until an administrator enables them again. "+
		"Nothing is deleted: roles, attributes and history stay.", what), widget.MediumImportance)
	u.bulkAsk = "Disable " + what + "?"
	u.bulkConfirm = dialog.NewCustomConfirm(u.bulkAsk, "Disable", "Cancel", msg, func(ok bool) {
		u.bulkConfirm = nil
		if ok {
			u.disableAccounts(n, disable)
		}
	}, u.app.win)
	u.bulkConfirm.SetConfirmImportance(widget.WarningImportance)
	u.bulkConfirm.Show()
	fitDialog(u.bulkConfirm, u.app.win, 480)
}

func (u *users) disableAccounts(n int, disable func(context.Context) (int, error)) {
	a := u.app
	u.disableSel.Disable()
	background(a, fmt.Sprintf("disable %d accounts", n), disable, func(n int, err error) {
		a.memory.afterBigJob()
		if err != nil {
			showText(u.notice, "Not disabled: "+errorText(err), widget.DangerImportance)
			u.updateBulk()
			return
		}
		showText(u.notice, "Disabled "+countOf(n, "account", "accounts")+".", widget.SuccessImportance)
		u.checked = map[int64]bool{}
		u.selectAll.SetChecked(false)
		u.reload.Trigger()
		u.loadDetail.Trigger()
	})
}
