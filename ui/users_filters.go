package ui

// The Users screen's search and filters (IdP, role, status, with warnings):
// the query they make and the filter choices kept in step with the IdPs and
// the role catalogue.

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// Options of the Users screen's filters.
const (
	allRoles       = "All roles"
	anyStatus      = "Any status"
	statusActive   = "Active"
	statusDisabled = "Disabled"
)

// userQuery is what the search and the filters select, read by the
// background read.
type userQuery struct {
	search    string
	idp       string // slug, "" for all
	role      string
	status    core.UserStatus // "" for all
	warnings  bool
	stale     bool
	staleDays int
	page      int           // of userPage accounts, from 0
	sort      core.UserSort // the column the table is sorted by, "" by creation
	asc       bool          // ascending (newest last)
}

// filter is the query as core takes it: its page of limit accounts, or
// every account when limit is 0.
func (q userQuery) filter(limit int) core.UserFilter {
	f := core.UserFilter{Search: q.search, IdPSlug: q.idp, Role: q.role, Status: q.status,
		WithWarnings: q.warnings, Sort: q.sort, Ascending: q.asc, Limit: limit, Offset: q.page * max(limit, 0)}
	if q.stale {
		f.LastLoginBefore = time.Now().AddDate(0, 0, -q.staleDays)
	}
	return f
}

func (u *users) buildFilters() fyne.CanvasObject {
	u.idpOptions = map[string]string{allIdPs: ""}
	u.idpSelect = widget.NewSelect([]string{allIdPs}, func(opt string) {
		u.setQuery(func(q *userQuery) { q.idp = u.idpOptions[opt] })
	})
	u.idpSelect.SetSelected(allIdPs)
	u.roleSelect = widget.NewSelect([]string{allRoles}, func(opt string) {
		u.setQuery(func(q *userQuery) {
			q.role = opt
			if opt == allRoles {
				q.role = ""
			}
		})
	})
	u.roleSelect.SetSelected(allRoles)
	u.statusSel = widget.NewSelect([]string{anyStatus, statusActive, statusDisabled}, func(opt string) {
		u.setQuery(func(q *userQuery) {
			q.status = map[string]core.UserStatus{statusActive: core.UserActive, statusDisabled: core.UserDisabled}[opt]
		})
	})
	u.statusSel.SetSelected(anyStatus)
	u.warnings = widget.NewCheck("With warnings", func(on bool) {
		u.setQuery(func(q *userQuery) { q.warnings = on })
	})
	// "With warnings" sits on the count's line (see build), which keeps
	// the list narrow enough for a 1024 px window beside the detail.
	return container.NewGridWithColumns(3, u.idpSelect, u.roleSelect, u.statusSel)
}

// setQuery changes the filters and reads again, from the first page. It
// may run on any goroutine.
func (u *users) setQuery(change func(*userQuery)) {
	u.queryMu.Lock()
	change(&u.query)
	u.query.page = 0
	u.queryMu.Unlock()
	if u.reload != nil {
		u.reload.Trigger()
	}
}

func (u *users) currentQuery() userQuery {
	u.queryMu.Lock()
	defer u.queryMu.Unlock()
	return u.query
}

// onSearch runs the search once typing pauses.
func (u *users) onSearch(text string) {
	search := strings.TrimSpace(text)
	u.typing.call(func() { u.setQuery(func(q *userQuery) { q.search = search }) })
}

// applyIdPs keeps the IdP filter's options in step with the connections.
func (u *users) applyIdPs(idps []core.IdP) {
	opts := []string{allIdPs}
	byOpt := map[string]string{allIdPs: ""}
	u.idpNames = map[string]string{}
	for _, idp := range idps {
		opt := idpOption(idp)
		opts = append(opts, opt)
		byOpt[opt] = idp.Slug
		u.idpNames[idp.Slug] = idp.DisplayName
	}
	if !slices.Equal(opts, u.idpSelect.Options) {
		u.idpOptions = byOpt
		u.idpSelect.SetOptions(opts)
	}
}

// applyRoles keeps the role filter and the grant choice in step with the
// catalogue.
func (u *users) applyRoles(roles []core.RoleInfo) {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r.Name
	}
	slices.Sort(names)
	u.catalogue = names
	if opts := append([]string{allRoles}, names...); !slices.Equal(opts, u.roleSelect.Options) {
		u.roleSelect.SetOptions(opts)
		if u.acct != nil {
			u.acct.setCatalogue(names)
		}
	}
}
