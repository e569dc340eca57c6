// Planning a login: what an accepted assertion changes of the stored
// account (a pure function of the previous state), which storage applies.

package core

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The provisioning policy of one accepted login, as a pure function: the
// store reads the state PlanLogin needs inside the login's transaction,
// calls it, and writes the plan. Which fields a login sets (sync mode and
// per-field policy), which roles it grants, keeps and revokes, the
// account's warnings and the words of the event are decided here, never
// in the store.

// LoginState is what the store reads, inside the login's transaction,
// before it plans the login. Each account comes with its stored grants in
// Roles (every kind, in display order).
type LoginState struct {
	// Account is the account of the login's IdP and NameID (any case when
	// Provision.CaseInsensitiveKey, the exact NameID preferred); nil when
	// there is none.
	Account *User
	// LinkCandidate is an account of another IdP with the login's email
	// (any case), the oldest, read when Account is nil and the login links
	// by email (Provision.LinkByEmail and an email); nil otherwise.
	LinkCandidate *User
	// CaseTwin is the NameID of another account of the IdP that differs
	// from the login's only by case, read when matching is case-sensitive
	// (not Provision.CaseInsensitiveKey); "" for none.
	CaseTwin string
	// EmailElsewhere is the slug of another IdP with an account that has
	// the login's email, read when the login has an email and no
	// LinkCandidate is taken over; "" for none.
	EmailElsewhere string
}

// LoginPlan is everything an accepted login writes, as PlanLogin decided
// it. The store fills in what the database decides (the account's ID when
// created, the IDs of the login row and the event) and writes the rest.
type LoginPlan struct {
	// Account is the account after the login: its fields, IdP and NameID,
	// warnings, and the login count and last login it will have. Its ID
	// is 0 when Created; its Roles are empty (see Roles).
	Account User
	// Created is true when the account is new (an insert).
	Created bool
	// LinkedFrom is the slug of the IdP whose account this login takes over
	// by email: the account moves to the login's IdP and NameID first.
	LinkedFrom string
	// FieldsChanged is true when the synced fields of an existing account
	// change; when false only what every login changes (login count, last
	// login, warnings) is written.
	FieldsChanged bool
	// ReplaceGrants is true when the login's rule and default grants
	// replace the account's: Revoke go, Grants are written (with the login
	// row's ID). It is false in create-only sync for an existing account:
	// its grants stay as they are.
	ReplaceGrants bool
	// Grants are the account's rule and default grants after the login, in
	// evaluation order: the login's when ReplaceGrants, the stored ones
	// otherwise.
	Grants []RoleGrant
	// Revoke are the stored rule and default grants that Grants lack (by
	// role and kind).
	Revoke []RoleGrant
	// Pinned are the account's manual grants: a login keeps them whatever
	// the IdP sends.
	Pinned []RoleGrant
	// Added and Removed are the role names this login granted and took away
	// (rule and default grants only).
	Added   []string
	Removed []string
	// Event describes the login for a person: kind, outcome, subject,
	// message and detail. The store fills in its ID and, when Created, its
	// UserID.
	Event Event
}

// Roles are the account's grants after the login, in display order:
// Grants, then Pinned.
func (pl LoginPlan) Roles() []RoleGrant {
	return append(slices.Clip(pl.Grants), pl.Pinned...)
}

// EDENIED is the code of a login the IdP's mapping denies (PlanLogin's
// refusal of a Provision with Deny set); the ACS classes it
// ClassDeniedByPolicy.
const EDENIED = "denied"

// Validate checks that p names an account: an IdP and a NameID.
func (p Provision) Validate() error {
	if p.IdPSlug == "" || p.NameID == "" {
		return Errorf(EINVALID, "A login needs an IdP and a NameID.")
	}
	return nil
}

// PlanLogin decides what the accepted login p does, given the state the
// store read. It refuses, with nothing to write, a Provision that does not
// name an account (EINVALID), one whose mapping denies the login
// (EDENIED, the evaluation's reason as message) and a login into a
// disabled account (EFORBIDDEN).
//
// The account is state.Account, or else state.LinkCandidate when p links
// by email (the account then becomes p's IdP's, with p's NameID), or else
// a new one. Fields follow p.Sync: all of them for a new account, none in
// create-only mode, and per field FieldImportOnce keeps the stored value
// and FieldKeepWhenAbsent keeps it when the IdP sent none. Rule and
// default grants are p.Roles (empty and repeated roles dropped, kinds rule
// or default, IdP and time filled in), except in create-only mode for an
// existing account; manual grants always stay. The warnings are p's and
// those of state (a NameID that differs only by case, an email used at
// another IdP, a link by email).
func PlanLogin(state LoginState, p Provision) (LoginPlan, error) {
	if err := p.Validate(); err != nil {
		return LoginPlan{}, err
	}
	if p.Deny {
		return LoginPlan{}, Errorf(EDENIED, "%s", firstNonEmpty(p.DenyReason, "The mapping rules of this IdP deny this login."))
	}
	p.At = p.At.UTC()
	p.Roles = loginGrants(p.Roles, p.IdPSlug, p.At)

	var prev User
	found, linkedFrom := state.Account != nil, ""
	if found {
		prev = *state.Account
	} else if c := state.LinkCandidate; c != nil && p.LinkByEmail && p.Email != "" && c.IdPSlug != p.IdPSlug {
		prev, found, linkedFrom = *c, true, c.IdPSlug
	}
	if found && prev.Disabled {
		return LoginPlan{}, Errorf(EFORBIDDEN, "The account %s is disabled.", accountName(prev))
	}
	createOnly := found && p.Sync.Mode == SyncCreateOnly

	u, kept := nextFields(prev, p, found, createOnly)
	u.Warnings = loginWarnings(state, p, linkedFrom)
	plan := LoginPlan{
		Created: !found, LinkedFrom: linkedFrom,
		FieldsChanged: found && !createOnly && !sameFields(prev, u),
		ReplaceGrants: !createOnly,
	}
	oldAuto, manual := SplitGrants(prev.Roles)
	plan.Pinned = manual
	if createOnly {
		plan.Grants = oldAuto
	} else {
		plan.Grants = p.Roles
		plan.Revoke = revokedGrants(oldAuto, p.Roles)
		plan.Added, plan.Removed = RoleDiff(oldAuto, p.Roles)
	}
	plan.Account = u
	plan.Event = loginEvent(p, prev, u, loginChange{
		created: !found, linkedFrom: linkedFrom, createOnly: createOnly,
		added: plan.Added, removed: plan.Removed, kept: kept,
	})
	return plan, nil
}

// nextFields is the account after the login: prev with p's fields applied
// per p.Sync (all of them for a new account, none in create-only mode),
// its login count and last login advanced, and the fields kept against
// the IdP's value.
func nextFields(prev User, p Provision, found, createOnly bool) (User, []keptField) {
	u := prev
	u.Roles, u.Warnings = nil, nil
	u.IdPSlug, u.Disabled = p.IdPSlug, false
	if !found {
		u = User{IdPSlug: p.IdPSlug, NameID: p.NameID, CreatedAt: p.At, LastLoginAt: p.At, ProvisionedBy: ProvisionedByJIT}
	} else if prev.IdPSlug != p.IdPSlug { // linked: the account is this login's now
		u.NameID, u.IdPRemoved = p.NameID, false
	}
	u.LoginCount++
	if p.At.After(u.LastLoginAt) {
		u.LastLoginAt = p.At
	}
	var kept []keptField
	for _, f := range syncedFields {
		dst, v := f.field(&u), f.value(&p)
		if !found {
			*dst = v
			continue
		}
		why := ""
		switch pol := p.Sync.FieldPolicy(f.name); {
		case createOnly:
			why = "create-only sync"
		case pol == FieldImportOnce:
			why = "import once"
		case pol == FieldKeepWhenAbsent && v == "":
			why = "kept when absent"
		}
		if why == "" {
			*dst = v
		} else if *dst != v {
			kept = append(kept, keptField{f.label, *dst, v, why})
		}
	}
	return u, kept
}

// syncedFields are the account fields a login sets, with their names in
// SyncPolicy.
var syncedFields = []struct {
	name  string // Field*
	label string // in event details
	field func(*User) *string
	value func(*Provision) string
}{
	{FieldUsername, "username", func(u *User) *string { return &u.Username }, func(p *Provision) string { return p.Username }},
	{FieldEmail, "email", func(u *User) *string { return &u.Email }, func(p *Provision) string { return p.Email }},
	{FieldDisplayName, "display name", func(u *User) *string { return &u.DisplayName }, func(p *Provision) string { return p.DisplayName }},
	{FieldGivenName, "given name", func(u *User) *string { return &u.GivenName }, func(p *Provision) string { return p.GivenName }},
	{FieldFamilyName, "family name", func(u *User) *string { return &u.FamilyName }, func(p *Provision) string { return p.FamilyName }},
}

// keptField is a field a login did not change although the IdP sent
// another value, and why.
type keptField struct{ label, stored, sent, why string }

// sameFields reports whether a and b have the same synced fields.
func sameFields(a, b User) bool {
	for _, f := range syncedFields {
		if *f.field(&a) != *f.field(&b) {
			return false
		}
	}
	return true
}

// loginWarnings are p's warnings and those of this login found in state:
// the link by email, another account of the IdP whose NameID differs only
// by case (when matching is case-sensitive), an account of another IdP
// with the same email (when not linking).
func loginWarnings(state LoginState, p Provision, linkedFrom string) []string {
	warnings := slices.Clone(p.Warnings)
	if linkedFrom != "" {
		warnings = append(warnings, "linked by email from IdP "+linkedFrom)
	}
	if !p.CaseInsensitiveKey && state.CaseTwin != "" {
		warnings = append(warnings, fmt.Sprintf("NameID %q differs only by case from that of another account of this IdP (%q)", p.NameID, state.CaseTwin))
	}
	if linkedFrom == "" && p.Email != "" && state.EmailElsewhere != "" {
		warnings = append(warnings, fmt.Sprintf("email %s is also used by an account from IdP %s", p.Email, state.EmailElsewhere))
	}
	return uniqueStrings(warnings)
}

// loginGrants are the grants of a login as stored: empty and repeated role
// names dropped (the first grant of a role wins), kinds rule or default
// (a login pins nothing), the IdP and time filled in.
func loginGrants(roles []RoleGrant, slug string, at time.Time) []RoleGrant {
	out := make([]RoleGrant, 0, len(roles))
	for _, r := range roles {
		if r.Role == "" || slices.ContainsFunc(out, func(o RoleGrant) bool { return o.Role == r.Role }) {
			continue
		}
		if r.Kind != GrantDefault && !(r.Kind == "" && r.Source == "default role") {
			r.Kind = GrantRule
		} else {
			r.Kind = GrantDefault
		}
		if r.IdPSlug == "" {
			r.IdPSlug = slug
		}
		r.GrantedBy, r.GrantedAt = "", at
		out = append(out, r)
	}
	return out
}

// SplitGrants separates rule and default grants from manual ones, each in
// the order of gs.
func SplitGrants(gs []RoleGrant) (auto, manual []RoleGrant) {
	for _, g := range gs {
		if g.Kind == GrantManual {
			manual = append(manual, g)
		} else {
			auto = append(auto, g)
		}
	}
	return auto, manual
}

// revokedGrants are the grants of prev that next lacks (by role and kind).
func revokedGrants(prev, next []RoleGrant) []RoleGrant {
	var out []RoleGrant
	for _, g := range prev {
		if !slices.ContainsFunc(next, func(n RoleGrant) bool { return n.Role == g.Role && n.Kind == g.Kind }) {
			out = append(out, g)
		}
	}
	return out
}

// RoleDiff returns the role names next grants and prev did not, and those
// prev granted and next does not, each once, in order.
func RoleDiff(prev, next []RoleGrant) (added, removed []string) {
	has := func(gs []RoleGrant, role string) bool {
		return slices.ContainsFunc(gs, func(g RoleGrant) bool { return g.Role == role })
	}
	for _, g := range next {
		if !has(prev, g.Role) && !slices.Contains(added, g.Role) {
			added = append(added, g.Role)
		}
	}
	for _, g := range prev {
		if !has(next, g.Role) && !slices.Contains(removed, g.Role) {
			removed = append(removed, g.Role)
		}
	}
	return added, removed
}

// RoleDiffText writes added and removed roles as "+editor −admin"; "" when
// both are empty.
func RoleDiffText(added, removed []string) string {
	var parts []string
	for _, r := range added {
		parts = append(parts, "+"+r)
	}
	for _, r := range removed {
		parts = append(parts, "−"+r)
	}
	return strings.Join(parts, " ")
}

// uniqueStrings drops empty and repeated strings, keeping the order.
func uniqueStrings(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// accountName names an account for a person: its display name, username
// or NameID.
func accountName(u User) string { return firstNonEmpty(u.DisplayName, u.Username, u.NameID) }

// firstNonEmpty is the first of s that is not empty.
func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// loginRefusal is the ACS's verdict on an error of Store.ApplyLogin that
// refuses the login (PlanLogin's refusals): a disabled account is
// ClassUserDisabled, a login the mapping denies ClassDeniedByPolicy with
// its reason. refused is false for any other error.
func loginRefusal(err error) (v Verdict, refused bool) {
	switch ErrorCode(err) {
	case EFORBIDDEN:
		return classified(ClassUserDisabled, err), true
	case EDENIED:
		v = classified(ClassDeniedByPolicy, nil)
		v.Reason = ErrorMessage(err)
		return v, true
	}
	return Verdict{}, false
}
