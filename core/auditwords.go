package core

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The words of the audit log: the events a store writes, in the
// transaction of an admin change, for the changes it makes itself
// (accounts disabled or deleted, manual grants, the role catalogue, a
// rule's grants revoked) and for a refused login. Every Store
// implementation writes these, so that the log reads the same whatever
// keeps it; the store sets At (its clock's now) and the ID.
//
// An audit event has kind EventAdminChange, outcome OutcomeInfo, Subject
// the OS user who made the change, Message one sentence ("Alice Anderson
// disabled by root") and Detail what changed as "before → after" lines.

// AuditKinds are the event kinds of the audit log: retention keeps them
// whatever their age.
var AuditKinds = []EventKind{EventAdminChange, EventIdPRegistered, EventIdPRemoved, EventSCIMDeprovisioned}

// AuditLines is how many lines (accounts, mostly) an audit event's Detail
// names before "… and N more".
const AuditLines = 50

// AuditEvent is an audit event by by, with message and detail, at a zero
// time (the store's clock fills it in).
func AuditEvent(by, message, detail string) Event {
	return Event{Kind: EventAdminChange, Outcome: OutcomeInfo, Subject: by, Message: message, Detail: detail}
}

// AuditDefaults fills in what a caller left out of an audit event: the
// time (now), the kind EventAdminChange and the outcome OutcomeInfo; the
// time in UTC.
func AuditDefaults(e Event, now time.Time) Event {
	if e.At.IsZero() {
		e.At = now
	}
	e.At = e.At.UTC()
	if e.Kind == "" {
		e.Kind = EventAdminChange
	}
	if e.Outcome == "" {
		e.Outcome = OutcomeInfo
	}
	return e
}

// AuditDetail joins lines, naming at most AuditLines of them.
func AuditDetail(lines []string) string {
	if len(lines) > AuditLines {
		lines = append(lines[:AuditLines:AuditLines], fmt.Sprintf("… and %d more", len(lines)-AuditLines))
	}
	return strings.Join(lines, "\n")
}

// AccountCount writes "1 account" or "N accounts".
func AccountCount(n int) string {
	if n == 1 {
		return "1 account"
	}
	return fmt.Sprintf("%d accounts", n)
}

// byWhom names who made a change in a sentence.
func byWhom(by string) string { return firstNonEmpty(by, "an unknown user") }

// grantList writes grants for a Detail: role names in order, manual grants
// marked, "(none)" for none.
func grantList(gs []RoleGrant) string {
	if len(gs) == 0 {
		return "(none)"
	}
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Role
		if g.Kind == GrantManual {
			names[i] += " (manual)"
		}
	}
	return strings.Join(names, ", ")
}

// AuditUsersDisabled is the event of disabling (or enabling) the accounts
// changed, sorted by ID, which must not be empty: "Alice Anderson disabled
// by root", "3 accounts enabled by root".
func AuditUsersDisabled(by string, disabled bool, changed []User) Event {
	verb := "enabled"
	if disabled {
		verb = "disabled"
	}
	detail := fmt.Sprintf("disabled: %t → %t", !disabled, disabled)
	if len(changed) == 1 {
		u := changed[0]
		ev := AuditEvent(by, fmt.Sprintf("%s %s by %s", accountName(u), verb, byWhom(by)), detail)
		ev.UserID, ev.IdPSlug = u.ID, u.IdPSlug
		return ev
	}
	lines := []string{detail}
	for _, u := range changed {
		lines = append(lines, fmt.Sprintf("%s (%s at %s)", accountName(u), u.NameID, u.IdPSlug))
	}
	return AuditEvent(by, fmt.Sprintf("%d accounts %s by %s", len(changed), verb, byWhom(by)), AuditDetail(lines))
}

// AuditUserDeleted is the event of deleting the account u (with its
// grants in u.Roles). Its UserID is 0: the account is gone.
func AuditUserDeleted(by string, u User) Event {
	ev := AuditEvent(by, fmt.Sprintf("%s deleted by %s", accountName(u), byWhom(by)), strings.Join([]string{
		fmt.Sprintf("account: %s at %s (username %q, email %q, %d logins) → deleted", u.NameID, u.IdPSlug, u.Username, u.Email, u.LoginCount),
		"roles: " + grantList(u.Roles) + " → (none)",
	}, "\n"))
	ev.IdPSlug = u.IdPSlug
	return ev
}

// ManualGrant is the grant of role by by at at: pinned, whatever the
// rules say.
func ManualGrant(role, by string, at time.Time) RoleGrant {
	return RoleGrant{Role: role, Kind: GrantManual, Source: "manual by " + byWhom(by), GrantedBy: by, GrantedAt: at}
}

// AuditRoleGranted is the event of the manual grant of role to u, whose
// grants were u.Roles and are after.
func AuditRoleGranted(by string, u User, role string, after []RoleGrant) Event {
	ev := AuditEvent(by, fmt.Sprintf("Role %s granted to %s by %s", role, accountName(u), byWhom(by)),
		"roles: "+grantList(u.Roles)+" → "+grantList(after))
	ev.UserID, ev.IdPSlug = u.ID, u.IdPSlug
	return ev
}

// AuditGrantRevoked is the event of revoking u's manual grant of role; its
// grants were u.Roles and are after.
func AuditGrantRevoked(by string, u User, role string, after []RoleGrant) Event {
	ev := AuditEvent(by, fmt.Sprintf("Manual grant of %s revoked from %s by %s", role, accountName(u), byWhom(by)),
		"roles: "+grantList(u.Roles)+" → "+grantList(after))
	ev.UserID, ev.IdPSlug = u.ID, u.IdPSlug
	return ev
}

// NotManualGrant is the error of revoking a role u holds only by a rule
// or by default (grant g), or does not hold at all (g nil): ENOTFOUND.
func NotManualGrant(u User, role string, g *RoleGrant) error {
	if g != nil {
		return Errorf(ENOTFOUND, "%s holds %s by %s, not as a manual grant: change the rules to change it.",
			accountName(u), role, firstNonEmpty(g.Source, string(g.Kind)))
	}
	return Errorf(ENOTFOUND, "%s does not hold %s.", accountName(u), role)
}

// AlreadyManual is the error of granting u a role it holds manually:
// ECONFLICT.
func AlreadyManual(u User, role string) error {
	return Errorf(ECONFLICT, "%s already holds %s as a manual grant.", accountName(u), role)
}

// AuditRoleCreated is the event of adding name to the catalogue.
func AuditRoleCreated(by, name, description string) Event {
	return AuditEvent(by, fmt.Sprintf("Role %s created by %s", name, byWhom(by)),
		fmt.Sprintf("role: (none) → %s\ndescription: %q", name, description))
}

// AuditRoleChanged is the event of changing name's description.
func AuditRoleChanged(by, name, oldDescription, description string) Event {
	return AuditEvent(by, fmt.Sprintf("Role %s changed by %s", name, byWhom(by)),
		fmt.Sprintf("description: %q → %q", oldDescription, description))
}

// AuditRoleRenamed is the event of renaming a role held by holders
// accounts, whose rename rewrote the rules of the IdPs rewritten.
func AuditRoleRenamed(by, oldName, newName string, holders int, rewritten []string) Event {
	detail := fmt.Sprintf("name: %s → %s (held by %s)", oldName, newName, AccountCount(holders))
	if len(rewritten) > 0 {
		detail += "\nrules rewritten: " + strings.Join(rewritten, ", ")
	}
	return AuditEvent(by, fmt.Sprintf("Role %s renamed to %s by %s", oldName, newName, byWhom(by)), detail)
}

// AuditRoleDeleted is the event of deleting name from the catalogue.
func AuditRoleDeleted(by, name, description string) Event {
	return AuditEvent(by, fmt.Sprintf("Role %s deleted by %s", name, byWhom(by)),
		fmt.Sprintf("role: %s (description %q) → (none)", name, description))
}

// RoleHeld is the error of deleting a role n accounts hold: ECONFLICT
// ("3 accounts hold admin.").
func RoleHeld(name string, n int) error {
	verb := "hold"
	if n == 1 {
		verb = "holds"
	}
	return Errorf(ECONFLICT, "%s %s %s.", AccountCount(n), verb, name)
}

// NoSuchRole is the error of a role the catalogue lacks: ENOTFOUND.
func NoSuchRole(name string) error {
	return Errorf(ENOTFOUND, "There is no role %q in the catalogue.", name)
}

// RuleRevocationLine is the audit line of revoking the grants of the rule
// ruleID, one role name per grant: "revoked: 3 grants of rule r1 (admin:
// 2 accounts, staff: 1 account)".
func RuleRevocationLine(ruleID string, roles []string) string {
	perRole := map[string]int{}
	var names []string
	for _, r := range roles {
		if perRole[r] == 0 {
			names = append(names, r)
		}
		perRole[r]++
	}
	slices.Sort(names)
	var parts []string
	for _, r := range names {
		parts = append(parts, fmt.Sprintf("%s: %s", r, AccountCount(perRole[r])))
	}
	line := fmt.Sprintf("revoked: %d grants of rule %s", len(roles), ruleID)
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	return line
}

// RoleChangeLine is the audit line of an account whose rule and default
// grants went from prev to next ("alice: +editor −admin"); "" when its
// roles stayed.
func RoleChangeLine(u User, prev, next []RoleGrant) string {
	d := RoleDiffText(RoleDiff(prev, next))
	if d == "" {
		return ""
	}
	return fmt.Sprintf("%s: %s", firstNonEmpty(u.Username, u.NameID), d)
}

// RefusalRows are the login row and event a store writes for r (at r.At,
// which the store has set): the event's kind EventLoginRefused, with the
// class, the reason as message and the hint as detail.
func RefusalRows(r Refusal) (Login, Event) {
	ev := Event{
		At: r.At, Kind: EventLoginRefused, Outcome: OutcomeRefused, IdPSlug: r.IdPSlug,
		Subject: r.NameID, Message: firstNonEmpty(r.Reason, "Sign-in refused ("+string(r.Class)+")"), Detail: r.Hint,
		Class: r.Class,
	}
	login := Login{
		At: r.At, IdPSlug: r.IdPSlug, NameID: r.NameID, Outcome: OutcomeRefused,
		Class: r.Class, Reason: r.Reason,
	}
	return login, ev
}

// RecordingOf is rec as stored for the login row l (its IDs, time, IdP,
// outcome) with action ("created", "updated", "" for a refusal). A refusal
// may know no verified NameID; the recording then keeps the one the
// response claimed.
func RecordingOf(rec Recording, l Login, action string) Recording {
	rec.ID = 0
	rec.At, rec.IdPSlug = l.At, l.IdPSlug
	if l.NameID != "" || rec.NameID == "" {
		rec.NameID = l.NameID
	}
	rec.LoginID, rec.EventID, rec.UserID = l.ID, l.EventID, l.UserID
	rec.Outcome, rec.Action = l.Outcome, action
	return rec
}
