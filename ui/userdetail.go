package ui

// The Users screen's detail pane of the selected account: reading it, its
// status and actions, roles with their provenance, attributes and sign-in
// history.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// userDetail is the Users screen's pane of one account: its status and
// actions (disable or enable, delete), its warnings, its identity, its
// roles with their provenance (grant a manual role, revoke one), the
// attributes of its last assertion and its sign-in history. It is made
// anew for every read of the account.
type userDetail struct {
	u *users
	d core.UserDetail

	toggle        *widget.Button // Disable or Enable
	remove        *widget.Button
	deleteConfirm *dialog.ConfirmDialog
	msg           *widget.Label
	grantSelect   *widget.Select
	grant         *widget.Button
	revoke        map[string]*widget.Button // manual grants, by role
}

// detailNote is the outcome of an action on an account, kept across the
// pane's rebuild that follows it.
type detailNote struct {
	id   int64
	text string
	imp  widget.Importance
}

// showDetail shows an account.
func (u *users) showDetail(d core.UserDetail) {
	ud := &userDetail{u: u, d: d, revoke: map[string]*widget.Button{}}
	u.acct = ud
	u.setDetail(orDash(d.DisplayName), ud.build()...)
}

func (ud *userDetail) build() []fyne.CanvasObject {
	d := ud.d
	ud.msg = errorLabel()
	if n := ud.u.note; n.id == d.ID && n.text != "" {
		showText(ud.msg, n.text, n.imp)
	}
	parts := []fyne.CanvasObject{ud.buildStatus()}
	if len(d.Warnings) > 0 {
		box := container.NewVBox()
		for _, w := range d.Warnings {
			box.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(outcomeIcon(core.OutcomeWarning))), nil,
				wrapped(w, widget.WarningImportance)))
		}
		parts = append(parts, widget.NewCard("", "Warnings", box))
	}
	identity := formRows(
		"Username", d.Username,
		"Email", d.Email,
		"NameID", d.NameID,
		"IdP", ud.u.idpName(d.User),
		"Given name", d.GivenName,
		"Family name", d.FamilyName,
		"Status", userStatus(d.User),
		"Created", longTime(d.CreatedAt),
		"Last sign-in", longTime(d.LastLoginAt),
		"Sign-ins", strconv.Itoa(d.LoginCount),
	)
	return append(parts,
		widget.NewCard("", "Identity", identity),
		widget.NewCard("", "Roles", ud.buildRoles()),
		widget.NewCard("", "Attributes of the last assertion", attributesView(d.Attributes)),
		widget.NewCard("", "Sign-in history", loginsView(d.Logins)),
	)
}

// idpName is the account's IdP by its display name, when known.
func (u *users) idpName(x core.User) string {
	name := userIdP(x)
	if dn := u.idpNames[x.IdPSlug]; dn != "" && !x.IdPRemoved {
		name = fmt.Sprintf("%s (%s)", dn, x.IdPSlug)
	}
	return name
}

// buildStatus is the account's state and its actions.
func (ud *userDetail) buildStatus() fyne.CanvasObject {
	d := ud.d
	ud.toggle = widget.NewButtonWithIcon("Disable", theme.MediaPauseIcon(), ud.onToggle)
	ud.toggle.Importance = widget.WarningImportance
	state := container.NewBorder(nil, nil, widget.NewIcon(outcomeIcon(core.OutcomeAccepted)), nil,
		wrapped("Active: sign-ins through "+ud.u.idpName(d.User)+" are accepted.", widget.SuccessImportance))
	if d.Disabled {
		ud.toggle.SetText("Enable")
		ud.toggle.SetIcon(theme.MediaPlayIcon())
		ud.toggle.Importance = widget.HighImportance
		state = container.NewBorder(nil, nil, widget.NewIcon(outcomeIcon(core.OutcomeWarning)), nil,
			wrapped("Disabled: sign-ins are refused with a clear page and an event until the account is enabled.", widget.WarningImportance))
	}
	ud.remove = widget.NewButtonWithIcon("Delete…", theme.DeleteIcon(), ud.onDelete)
	ud.remove.Importance = widget.DangerImportance
	// The buttons have a line of their own so that the card stays as
	// narrow as the detail pane.
	return widget.NewCard("", "", container.NewVBox(
		state, container.NewHBox(layout.NewSpacer(), ud.toggle, ud.remove), ud.msg))
}

// buildRoles lists the account's roles with their provenance, a revoke
// button on manual grants, and the grant row.
func (ud *userDetail) buildRoles() fyne.CanvasObject {
	box := container.NewVBox()
	if len(ud.d.Roles) == 0 {
		box.Add(lowLabel("No roles: no rule matched, there is no default role and nothing was granted by hand."))
	}
	for _, g := range ud.d.Roles {
		var action fyne.CanvasObject
		if g.Kind == core.GrantManual {
			b := widget.NewButtonWithIcon("Revoke", theme.ContentRemoveIcon(), func() { ud.onRevoke(g.Role) })
			b.Importance = widget.LowImportance
			ud.revoke[g.Role] = b
			action = container.NewVBox(b)
		}
		box.Add(container.NewBorder(nil, nil, nil, action, ud.grantView(g)))
	}
	ud.grantSelect = widget.NewSelect(nil, nil)
	ud.grantSelect.PlaceHolder = "Choose a role"
	ud.grant = widget.NewButtonWithIcon("Grant", theme.ContentAddIcon(), ud.onGrant)
	ud.setCatalogue(ud.u.catalogue)
	note := lowLabel("Roles from rules and the default role are recomputed at every sign-in; manual grants are pinned and never removed by a sign-in.")
	return container.NewVBox(box, widget.NewSeparator(),
		fieldName("Grant manually"), container.NewBorder(nil, nil, nil, ud.grant, ud.grantSelect), note)
}

// setCatalogue offers the catalogue's roles the account does not hold by
// hand yet.
func (ud *userDetail) setCatalogue(names []string) {
	var opts []string
	for _, n := range names {
		if !slices.ContainsFunc(ud.d.Roles, func(g core.RoleGrant) bool { return g.Role == n && g.Kind == core.GrantManual }) {
			opts = append(opts, n)
		}
	}
	ud.grantSelect.SetOptions(opts)
	if len(opts) == 0 {
		ud.grantSelect.PlaceHolder = "No role left to grant"
	}
}

// grantView is one role of the account with its provenance; a rule's
// badge links to that rule on the Mapping Rules screen.
func (ud *userDetail) grantView(g core.RoleGrant) fyne.CanvasObject {
	if g.Kind != core.GrantRule || g.IdPSlug == "" || g.RuleIndex <= 0 {
		return grantViewLinked(g, nil)
	}
	a := ud.u.app
	return grantViewLinked(g, func() { a.showRule(g.IdPSlug, g.RuleID, g.RuleIndex) })
}

// grantView is one role with its provenance: a badge for the kind (rule
// N of an IdP, the default role, manual) and where and when it came from.
func grantView(g core.RoleGrant) fyne.CanvasObject { return grantViewLinked(g, nil) }

// grantViewLinked is grantView whose badge is a link to open, when open
// is not nil.
func grantViewLinked(g core.RoleGrant, open func()) fyne.CanvasObject {
	name := widget.NewLabelWithStyle(g.Role, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	badge, imp, icon, when := provenance(g)
	var b fyne.CanvasObject
	if open != nil {
		link := widget.NewHyperlink(badge, nil)
		link.TextStyle = fyne.TextStyle{Bold: true}
		link.OnTapped = open
		b = link
	} else {
		l := widget.NewLabelWithStyle(badge, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Importance = imp
		b = l
	}
	lines := container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()),
		container.NewHBox(name, b))
	if g.Source != "" && !strings.HasPrefix(badge, g.Source) {
		src := widget.NewLabelWithStyle(g.Source, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		src.Wrapping = fyne.TextWrapWord
		lines.Add(src)
	}
	if when != "" {
		lines.Add(lowLabel(when))
	}
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, lines)
}

// provenance is the badge, its colour, an icon and the when and who of a
// grant.
func provenance(g core.RoleGrant) (string, widget.Importance, fyne.Resource, string) {
	since := ""
	if !g.GrantedAt.IsZero() {
		since = "since " + longTime(g.GrantedAt)
	}
	switch g.Kind {
	case core.GrantManual:
		return "manual", widget.WarningImportance, theme.NewWarningThemedResource(theme.AccountIcon()),
			fmt.Sprintf("manual by %s at %s · pinned", orDash(g.GrantedBy), longTime(g.GrantedAt))
	case core.GrantDefault:
		badge := "default role"
		if g.IdPSlug != "" {
			badge += " of " + g.IdPSlug
		}
		return badge, widget.LowImportance, theme.InfoIcon(), since
	case core.GrantRule:
		badge := fmt.Sprintf("rule %d", g.RuleIndex)
		if g.IdPSlug != "" {
			badge += " of " + g.IdPSlug
		}
		if g.LoginID != 0 {
			since += fmt.Sprintf(" · granted at login %d", g.LoginID) // the login row's ID, not a count
		}
		return badge, widget.HighImportance, theme.NewSuccessThemedResource(theme.ConfirmIcon()), since
	}
	return "", widget.MediumImportance, theme.NewSuccessThemedResource(theme.ConfirmIcon()), since
}

// rolesView lists grants with their provenance, read-only (the rule
// tester's result).
func rolesView(roles []core.RoleGrant) fyne.CanvasObject {
	if len(roles) == 0 {
		return lowLabel("No roles: no rule matched and there is no default role.")
	}
	box := container.NewVBox()
	for _, g := range roles {
		box.Add(grantView(g))
	}
	return box
}

// act runs an action on the account in the background (what names it
// for the log), then notes its
// outcome and reads the account and the table again.
func (ud *userDetail) act(what string, do func() error, done string) {
	a, u, id := ud.u.app, ud.u, ud.d.ID
	backgroundErr(a, what, func(context.Context) error { return do() }, func(err error) {
		if err != nil {
			u.note = detailNote{id, errorText(err), widget.DangerImportance}
		} else {
			u.note = detailNote{id, done, widget.SuccessImportance}
		}
		if u.acct != nil && u.acct.d.ID == id {
			showText(u.acct.msg, u.note.text, u.note.imp)
		}
		u.reload.Trigger()
		u.loadDetail.Trigger()
	})
}

func (ud *userDetail) onGrant() {
	role := ud.grantSelect.Selected
	if role == "" {
		showText(ud.msg, "Choose the role to grant.", widget.DangerImportance)
		return
	}
	ud.grant.Disable()
	a, id := ud.u.app, ud.d.ID
	ud.act(fmt.Sprintf("grant %q to account %d", role, id), func() error { return a.svc.GrantRole(a.ctx, id, role) },
		fmt.Sprintf("Granted “%s” by hand: it stays whatever the IdP sends.", role))
}

func (ud *userDetail) onRevoke(role string) {
	if b := ud.revoke[role]; b != nil {
		b.Disable()
	}
	a, id := ud.u.app, ud.d.ID
	ud.act(fmt.Sprintf("revoke %q from account %d", role, id), func() error { return a.svc.RevokeRole(a.ctx, id, role) },
		fmt.Sprintf("Revoked the manual grant of “%s”.", role))
}

func (ud *userDetail) onToggle() {
	ud.toggle.Disable()
	a, id, disable := ud.u.app, ud.d.ID, !ud.d.Disabled
	done := "Enabled: sign-ins are accepted again."
	if disable {
		done = "Disabled: the next sign-in is refused."
	}
	ud.act(fmt.Sprintf("set account %d disabled=%t", id, disable), func() error {
		_, err := a.svc.SetUsersDisabled(a.ctx, []int64{id}, disable)
		return err
	}, done)
}

// onDelete asks, saying that the next sign-in would create the account
// again, then deletes it.
func (ud *userDetail) onDelete() {
	d, u := ud.d, ud.u
	name := orDash(d.DisplayName)
	msg := wrapped(fmt.Sprintf("The account, its roles (manual grants too), its attributes and its sign-in history are deleted.\n\n"+
		"JIT Console creates accounts at sign-in: the next sign-in through %s would create the account again, "+
		"with the roles the rules give. To keep %s out, disable the account instead.", u.idpName(d.User), name), widget.MediumImportance)
	ud.deleteConfirm = dialog.NewCustomConfirm("Delete the account of "+name+"?", "Delete", "Cancel", msg, func(ok bool) {
		ud.deleteConfirm = nil
		if ok {
			ud.doDelete()
		}
	}, u.app.win)
	ud.deleteConfirm.SetConfirmImportance(widget.DangerImportance)
	ud.deleteConfirm.Show()
	fitDialog(ud.deleteConfirm, u.app.win, 500)
}

func (ud *userDetail) doDelete() {
	a, u, id, name := ud.u.app, ud.u, ud.d.ID, orDash(ud.d.DisplayName)
	ud.remove.Disable()
	backgroundErr(a, fmt.Sprintf("delete account %d", id), func(ctx context.Context) error {
		return a.svc.DeleteUser(ctx, id)
	}, func(err error) {
		if err != nil {
			ud.remove.Enable()
			showText(ud.msg, "Not deleted: "+errorText(err), widget.DangerImportance)
			return
		}
		if u.selected.Load() == id {
			u.unselect()
		}
		showText(u.notice, "Deleted the account of "+name+".", widget.SuccessImportance)
		u.reload.Trigger()
	})
}

// readDetail runs in a background goroutine.
func (u *users) readDetail() {
	ctx := u.app.ctx
	id := u.selected.Load()
	if id == 0 {
		return
	}
	d, err := u.app.svc.User(ctx, id)
	u.app.deliver(fmt.Sprintf("read account %d", id), err, func() {
		if u.selected.Load() != id {
			return // another account was selected meanwhile
		}
		if err != nil {
			if core.ErrorCode(err) == core.ENOTFOUND {
				u.unselect()
				return
			}
			u.showDetailError(err)
			return
		}
		u.showDetail(d)
	})
}

// unselect empties the detail pane (the account was deleted).
func (u *users) unselect() {
	u.selected.Store(0)
	u.selectedRow = -1
	u.table.UnselectAll()
	u.table.Refresh()
	u.showNoSelection()
}

func (u *users) showNoSelection() {
	u.acct = nil
	hint := widget.NewLabel("Select an account to see its roles and where each came from, the attributes of its last assertion and its sign-in history.")
	hint.Wrapping = fyne.TextWrapWord
	hint.Alignment = fyne.TextAlignCenter
	hint.Importance = widget.LowImportance
	u.detail.Objects = []fyne.CanvasObject{layout.NewSpacer(), container.NewCenter(widget.NewIcon(theme.AccountIcon())), hint}
	u.detail.Refresh()
	if u.detailScroll != nil {
		u.detailScroll.Refresh()
	}
}

func (u *users) showLoading(user core.User) {
	u.acct = nil
	u.setDetail(user.DisplayName, widget.NewLabel("Loading…"))
}

func (u *users) showDetailError(err error) {
	l := widget.NewLabel("This account could not be read: " + errorText(err))
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	u.setDetail(u.detailTitle.Text, l)
}

func (u *users) setDetail(title string, parts ...fyne.CanvasObject) {
	u.detailTitle = widget.NewLabelWithStyle(orDash(title), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.detailTitle.SizeName = theme.SizeNameSubHeadingText
	u.detailTitle.Truncation = fyne.TextTruncateEllipsis
	head := container.NewBorder(nil, nil, widget.NewIcon(theme.AccountIcon()), nil, u.detailTitle)
	u.detail.Objects = append([]fyne.CanvasObject{head}, parts...)
	u.detail.Refresh()
	u.detailScroll.Refresh()
}

func attributesView(attrs core.Attributes) fyne.CanvasObject {
	if len(attrs) == 0 {
		return lowLabel("No attributes recorded.")
	}
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	slices.Sort(names)
	pairs := make([]string, 0, 2*len(names))
	for _, name := range names {
		pairs = append(pairs, name, strings.Join(attrs[name], "\n"))
	}
	return formRows(pairs...)
}

func loginsView(logins []core.Login) fyne.CanvasObject {
	if len(logins) == 0 {
		return lowLabel("No sign-ins recorded.")
	}
	box := container.NewVBox()
	for _, l := range logins {
		reason := l.Reason
		if reason == "" && l.Outcome == core.OutcomeAccepted {
			reason = "Signed in"
		}
		at := widget.NewLabel(longTime(l.At))
		outcome := widget.NewLabel(string(l.Outcome))
		outcome.Importance = outcomeImportance(l.Outcome)
		why := widget.NewLabel(reason)
		why.Wrapping = fyne.TextWrapWord
		box.Add(container.NewBorder(nil, nil,
			container.NewHBox(widget.NewIcon(outcomeIcon(l.Outcome)), at, outcome), nil, why))
	}
	return box
}
