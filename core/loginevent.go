// The event an accepted login writes: what was created or changed.

package core

import (
	"fmt"
	"slices"
	"strings"
)

// The words of an accepted login's event: what PlanLogin tells a person
// about the account it created or updated.

// loginChange is what a login does to an account, for its event.
type loginChange struct {
	created, createOnly bool
	linkedFrom          string
	added, removed      []string
	kept                []keptField
}

// loginEvent describes the login p for a person: u is the account after
// the login, prev before it (zero when created). Its ID, and its UserID
// when the account is created, are the store's to fill in.
func loginEvent(p Provision, prev, u User, c loginChange) Event {
	who := firstNonEmpty(u.DisplayName, u.Username, p.NameID)
	ev := Event{
		At: p.At, Outcome: OutcomeAccepted, IdPSlug: p.IdPSlug, UserID: u.ID,
		Subject: firstNonEmpty(u.Username, p.NameID),
	}
	var lines []string
	switch {
	case c.created:
		ev.Kind = EventUserCreated
		ev.Message = fmt.Sprintf("%s signed in for the first time: account created with %s", who, roleList(p.Roles))
		lines = createdDetail(p)
	case c.createOnly:
		ev.Kind = EventUserUpdated
		ev.Message = fmt.Sprintf("%s signed in (login %d): account and roles unchanged (create-only sync)", who, u.LoginCount)
	default:
		ev.Kind = EventUserUpdated
		if c.linkedFrom != "" {
			ev.Message = fmt.Sprintf("%s signed in: the account from IdP %s was linked by email (login %d)", who, c.linkedFrom, u.LoginCount)
			lines = append(lines, fmt.Sprintf("account: %s at %s → %s at %s", prev.NameID, prev.IdPSlug, u.NameID, u.IdPSlug))
		} else {
			ev.Message = fmt.Sprintf("%s signed in: account updated (login %d)", who, u.LoginCount)
		}
		if d := RoleDiffText(c.added, c.removed); d != "" {
			ev.Message += "; roles " + d
		}
		lines = append(lines, updatedDetail(prev, u, p.Roles, c)...)
	}
	for _, k := range c.kept {
		lines = append(lines, fmt.Sprintf("%s: kept %q (%s; the IdP sent %q)", k.label, k.stored, k.why, k.sent))
	}
	for _, wn := range u.Warnings {
		lines = append(lines, "warning: "+wn)
	}
	if len(lines) == 0 {
		lines = []string{"no changes"}
	}
	ev.Detail = strings.Join(lines, "\n")
	return ev
}

// roleList names the roles of a new account: "no roles", "role a",
// "roles a, b".
func roleList(roles []RoleGrant) string {
	switch len(roles) {
	case 0:
		return "no roles"
	case 1:
		return "role " + roles[0].Role
	}
	return "roles " + strings.Join(grantRoles(roles), ", ")
}

// createdDetail lists the fields and roles of a new account, one a line.
func createdDetail(p Provision) []string {
	lines := []string{
		"NameID: " + p.NameID,
		"username: " + p.Username,
		"email: " + p.Email,
		"display name: " + p.DisplayName,
	}
	if p.GivenName != "" || p.FamilyName != "" {
		lines = append(lines, "given name: "+p.GivenName, "family name: "+p.FamilyName)
	}
	if d := RoleDiffText(grantRoles(p.Roles), nil); d != "" {
		lines = append(lines, "roles: "+d)
	}
	for _, r := range p.Roles {
		lines = append(lines, fmt.Sprintf("role %s: %s", r.Role, r.Source))
	}
	return lines
}

// updatedDetail lists the fields and roles an update changed, one a line.
func updatedDetail(prev, u User, grants []RoleGrant, c loginChange) []string {
	var lines []string
	for _, f := range syncedFields {
		if old, new := *f.field(&prev), *f.field(&u); old != new {
			lines = append(lines, fmt.Sprintf("%s: %q → %q", f.label, old, new))
		}
	}
	if d := RoleDiffText(c.added, c.removed); d != "" {
		lines = append(lines, "roles: "+d)
	}
	for _, r := range grants {
		if slices.Contains(c.added, r.Role) {
			lines = append(lines, fmt.Sprintf("role added: %s (%s)", r.Role, r.Source))
		}
	}
	for _, r := range c.removed {
		lines = append(lines, "role removed: "+r)
	}
	return lines
}

// grantRoles are the role names of gs, in order.
func grantRoles(gs []RoleGrant) []string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Role
	}
	return names
}
