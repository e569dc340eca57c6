package ui

// Opening an account on the Users screen from elsewhere (the dashboard's
// event detail), and keeping the detail pane in step with the list: after
// a new search or filter that leaves the shown account out, the pane
// empties rather than showing an account the list no longer has.

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// showUser switches to the Users screen with account id selected: the
// list is searched for its NameID within its IdP (every other filter and
// the stale view off), and the detail pane shows it.
func (a *App) showUser(id int64) {
	if id == 0 {
		return
	}
	a.tabs.SelectIndex(tabIndex(a, a.users.content))
	background(a, fmt.Sprintf("read account %d", id), func(ctx context.Context) (core.UserDetail, error) {
		return a.svc.User(ctx, id)
	}, func(d core.UserDetail, err error) {
		if err != nil {
			showText(a.users.notice, "This account could not be opened: "+errorText(err), widget.DangerImportance)
			return
		}
		a.users.selectAccount(d.User)
	})
}

// tabIndex is the index of the tab showing content, 0 if none.
func tabIndex(a *App, content any) int {
	for i, t := range a.tabs.Items {
		if screenOf(t) == content {
			return i
		}
	}
	return 0
}

// selectAccount shows x in the detail pane and narrows the list to it:
// the query is set first, in one go, so that the filter widgets' own
// callbacks, which follow, ask for the same query.
func (u *users) selectAccount(x core.User) {
	u.typing.stop()
	u.setQuery(func(q *userQuery) {
		*q = userQuery{search: x.NameID, idp: x.IdPSlug, staleDays: q.staleDays, sort: q.sort, asc: q.asc}
	})
	u.selected.Store(x.ID)
	u.note = detailNote{}
	u.showLoading(x)
	u.loadDetail.Trigger()
	if u.stale.Checked {
		u.stale.SetChecked(false)
	}
	u.warnings.SetChecked(false)
	u.statusSel.SetSelected(anyStatus)
	u.roleSelect.SetSelected(allRoles)
	for opt, slug := range u.idpOptions {
		if slug == x.IdPSlug {
			u.idpSelect.SetSelected(opt)
		}
	}
	u.search.OnChanged = nil
	u.search.SetText(x.NameID)
	u.search.OnChanged = u.onSearch
}

// followList empties the detail pane when a read of a new query (not a
// re-read of the shown one, nor a read overtaken by a newer query) leaves
// the shown account out of the list.
func (u *users) followList(q, prev userQuery) {
	if q == prev || u.selectedRow >= 0 || u.selected.Load() == 0 || q != u.currentQuery() {
		return
	}
	u.unselect()
}
