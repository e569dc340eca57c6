package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// ApplyLogin creates or updates the account of a login, replaces its rule
// and default grants (never its manual ones) and the attributes of its
// last assertion, and writes a login row and an event, all in one
// transaction. Concurrent calls for one person make exactly one account:
// writes go through one connection and each transaction takes SQLite's
// write lock when it begins.
//
// The account is found by (IdPSlug, NameID), whatever the NameID's case
// when p.CaseInsensitiveKey (an exact match preferred). When there is
// none, p.LinkByEmail and an email is given, an account with that email
// (any case) from another IdP is taken over: it becomes this IdP's, with
// this NameID (Linked). A disabled account is refused with EFORBIDDEN and
// nothing is written. Fields follow p.Sync (see core.SyncPolicy); the
// warnings of the account are p.Warnings and those found here: another
// account of the IdP whose NameID differs only by case (case-sensitive
// matching), an account of another IdP with the same email (when not
// linking).
func (db *DB) ApplyLogin(ctx context.Context, p core.Provision) (core.ProvisionResult, error) {
	if p.IdPSlug == "" || p.NameID == "" {
		return core.ProvisionResult{}, core.Errorf(core.EINVALID, "A login needs an IdP and a NameID.")
	}
	if p.At.IsZero() {
		p.At = db.now()
	}
	p.At = p.At.UTC()
	p.Roles = loginGrants(p.Roles, p.IdPSlug, p.At)
	res, err := db.logins.apply(ctx, db, p)
	if err != nil {
		return core.ProvisionResult{}, fmt.Errorf("apply login for %q: %w", p.NameID, err)
	}
	db.maybePurge(ctx)
	return res, nil
}

// writeLogin is one login's part of a write transaction (its own, or a
// batch's: see loginBatcher): everything ApplyLogin writes for p.
func (db *DB) writeLogin(w *writer, p core.Provision) (res core.ProvisionResult, err error) {
	err = func() error {
		if err := claimLogin(w, p, p.At); err != nil {
			return err
		}
		prev, found, err := findAccount(w, p)
		if err != nil {
			return err
		}
		linkedFrom := ""
		if !found && p.LinkByEmail && p.Email != "" {
			if prev, found, err = scanAccount(w.queryRow(qFindUserByEmail, foldKey(p.Email), p.IdPSlug)); err != nil {
				return fmt.Errorf("find an account by email: %w", err)
			}
			linkedFrom = prev.IdPSlug
		}
		if found && prev.Disabled {
			return core.Errorf(core.EFORBIDDEN, "The account %s is disabled.", accountName(prev))
		}
		var stored []core.RoleGrant
		if found {
			if stored, err = readGrants(w, prev.ID); err != nil {
				return err
			}
		}
		warnings, err := loginWarnings(w, p, linkedFrom)
		if err != nil {
			return err
		}
		createOnly := found && p.Sync.Mode == core.SyncCreateOnly

		u, kept := nextFields(prev, p, found, createOnly)
		u.Warnings = warnings
		if err := saveAccount(w, &u, p, found, linkedFrom != "", createOnly || sameFields(prev, u)); err != nil {
			return err
		}
		if err := db.hook("user"); err != nil {
			return err
		}

		oldAuto, manual := splitGrants(stored)
		newAuto := oldAuto
		var added, removed []string
		if !createOnly {
			newAuto = p.Roles
			added, removed = roleDiff(oldAuto, newAuto)
		}
		ev := provisionEvent(p, prev, u, provisionChange{
			created: !found, linkedFrom: linkedFrom, createOnly: createOnly,
			added: added, removed: removed, kept: kept,
		})
		if ev.ID, err = insertEvent(w, ev); err != nil {
			return err
		}
		login := core.Login{
			At: p.At, IdPSlug: p.IdPSlug, UserID: u.ID, NameID: p.NameID,
			Outcome: core.OutcomeAccepted, AssertionID: p.AssertionID, EventID: ev.ID,
		}
		if login.ID, err = insertLogin(w, login); err != nil {
			return err
		}
		if err := db.hook("login"); err != nil {
			return err
		}
		if !createOnly {
			for i := range newAuto {
				newAuto[i].LoginID = login.ID
			}
			if err := replaceAutoGrants(w, u.ID, stored, oldAuto, newAuto); err != nil {
				return err
			}
		}
		u.Roles = append(slices.Clip(newAuto), manual...)
		if err := saveAttributes(w, u.ID, found, p.Attributes); err != nil {
			return err
		}
		if err := db.hook("attributes"); err != nil {
			return err
		}
		if p.Record != nil {
			action := "updated"
			if !found {
				action = "created"
			}
			if login.RecordingID, err = insertRecording(w, recordingOf(*p.Record, login, action)); err != nil {
				return err
			}
			if err := db.hook("recording"); err != nil {
				return err
			}
		}
		res = core.ProvisionResult{
			User: u, Created: !found, Linked: linkedFrom != "", Added: added, Removed: removed,
			Login: login, Event: ev,
		}
		return nil
	}()
	return res, err
}

// findAccount reads the account of p's IdP and NameID (any case when
// p.CaseInsensitiveKey, the exact NameID preferred), if there is one.
func findAccount(w *writer, p core.Provision) (core.User, bool, error) {
	var row *sql.Row
	if p.CaseInsensitiveKey {
		row = w.queryRow(qFindUserNoCase, p.IdPSlug, foldKey(p.NameID), p.NameID)
	} else {
		row = w.queryRow(qFindUser, p.IdPSlug, foldKey(p.NameID), p.NameID)
	}
	u, found, err := scanAccount(row)
	if err != nil {
		return core.User{}, false, fmt.Errorf("find account: %w", err)
	}
	return u, found, nil
}

// scanAccount reads accountColumns (without roles); found is false when
// there is no row.
func scanAccount(row *sql.Row) (u core.User, found bool, err error) {
	var (
		createdAt, lastLogin int64
		warnings             string
	)
	err = row.Scan(&u.ID, &u.IdPSlug, &u.NameID, &u.Username, &u.Email, &u.DisplayName, &u.GivenName, &u.FamilyName,
		&u.Disabled, &warnings, &createdAt, &lastLogin, &u.LoginCount, &u.IdPRemoved)
	if errors.Is(err, sql.ErrNoRows) {
		return core.User{}, false, nil
	} else if err != nil {
		return core.User{}, false, err
	}
	u.CreatedAt, u.LastLoginAt = fromNanos(createdAt), fromNanos(lastLogin)
	if u.Warnings, err = decodeWarnings(warnings); err != nil {
		return core.User{}, false, fmt.Errorf("account %d: %w", u.ID, err)
	}
	return u, true, nil
}

// readGrants returns every grant of an account, in display order.
func readGrants(w *writer, userID int64) ([]core.RoleGrant, error) {
	rows, err := w.query(qUserGrants, userID)
	return collect(rows, err, "read roles", scanGrant)
}

// scanGrant reads the columns of qUserGrants.
func scanGrant(s scanner) (core.RoleGrant, error) {
	var (
		g  core.RoleGrant
		at int64
	)
	err := s.Scan(&g.Role, &g.Kind, &g.Source, &g.RuleID, &g.RuleIndex, &g.IdPSlug, &g.LoginID, &g.GrantedBy, &at)
	g.GrantedAt = fromNanos(at)
	return g, err
}

// splitGrants separates rule and default grants from manual ones.
func splitGrants(gs []core.RoleGrant) (auto, manual []core.RoleGrant) {
	for _, g := range gs {
		if g.Kind == core.GrantManual {
			manual = append(manual, g)
		} else {
			auto = append(auto, g)
		}
	}
	return auto, manual
}

// loginWarnings are p's warnings and those of this login found in the
// database: another account of the IdP whose NameID differs only by case
// (when matching is case-sensitive), an account of another IdP with the
// same email (when not linking).
func loginWarnings(w *writer, p core.Provision, linkedFrom string) ([]string, error) {
	warnings := slices.Clone(p.Warnings)
	if linkedFrom != "" {
		warnings = append(warnings, "linked by email from IdP "+linkedFrom)
	}
	if !p.CaseInsensitiveKey {
		var twin string
		err := w.queryRow(qCaseTwin, p.IdPSlug, foldKey(p.NameID), p.NameID).Scan(&twin)
		if err == nil {
			warnings = append(warnings, fmt.Sprintf("NameID %q differs only by case from that of another account of this IdP (%q)", p.NameID, twin))
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("look for a NameID that differs by case: %w", err)
		}
	}
	if linkedFrom == "" && p.Email != "" {
		var other string
		err := w.queryRow(qEmailElsewhere, foldKey(p.Email), p.IdPSlug).Scan(&other)
		if err == nil {
			warnings = append(warnings, fmt.Sprintf("email %s is also used by an account from IdP %s", p.Email, other))
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("look for the email at other IdPs: %w", err)
		}
	}
	return uniqueStrings(warnings), nil
}

// syncedFields are the account fields a login sets, with their names in
// core.SyncPolicy.
var syncedFields = []struct {
	name  string // core.Field*
	label string // in event details
	field func(*core.User) *string
	value func(*core.Provision) string
}{
	{core.FieldUsername, "username", func(u *core.User) *string { return &u.Username }, func(p *core.Provision) string { return p.Username }},
	{core.FieldEmail, "email", func(u *core.User) *string { return &u.Email }, func(p *core.Provision) string { return p.Email }},
	{core.FieldDisplayName, "display name", func(u *core.User) *string { return &u.DisplayName }, func(p *core.Provision) string { return p.DisplayName }},
	{core.FieldGivenName, "given name", func(u *core.User) *string { return &u.GivenName }, func(p *core.Provision) string { return p.GivenName }},
	{core.FieldFamilyName, "family name", func(u *core.User) *string { return &u.FamilyName }, func(p *core.Provision) string { return p.FamilyName }},
}

// keptField is a field a login did not change although the IdP sent
// another value, and why.
type keptField struct{ label, stored, sent, why string }

// nextFields is the account after the login: prev with p's fields applied
// per p.Sync (all of them for a new account, none in create-only mode),
// and the fields kept against the IdP's value.
func nextFields(prev core.User, p core.Provision, found, createOnly bool) (core.User, []keptField) {
	u := prev
	u.IdPSlug, u.Disabled = p.IdPSlug, false
	if !found {
		u = core.User{IdPSlug: p.IdPSlug, NameID: p.NameID}
	} else if prev.IdPSlug != p.IdPSlug { // linked: the account is this login's now
		u.NameID, u.IdPRemoved = p.NameID, false
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
		case pol == core.FieldImportOnce:
			why = "import once"
		case pol == core.FieldKeepWhenAbsent && v == "":
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

// sameFields reports whether a and b have the same synced fields.
func sameFields(a, b core.User) bool {
	for _, f := range syncedFields {
		if *f.field(&a) != *f.field(&b) {
			return false
		}
	}
	return true
}

// saveAccount writes u: inserted when new, else updated (moved to p's IdP
// and NameID first when linked). With touchOnly (create-only mode, or no
// field changed) only its login count, last login and warnings are
// written: an UPDATE that names a column rewrites the index entries on it
// even when the value stays. It fills in what the database decides.
func saveAccount(w *writer, u *core.User, p core.Provision, found, linked, touchOnly bool) error {
	warnings, err := encodeWarnings(u.Warnings)
	if err != nil {
		return err
	}
	search := searchText(u.Username, u.DisplayName, u.Email, u.NameID)
	if !found {
		err := w.queryRow(qInsertUser,
			u.IdPSlug, u.NameID, foldKey(u.NameID), u.Username, u.Email, foldKey(u.Email), u.DisplayName,
			u.GivenName, u.FamilyName, search, warnings, nanos(p.At), nanos(p.At),
		).Scan(&u.ID, &u.LoginCount, &u.IdPRemoved)
		if err != nil {
			return fmt.Errorf("save account: %w", err)
		}
		u.CreatedAt, u.LastLoginAt = p.At, p.At
		return nil
	}
	if linked {
		if _, err := w.exec(qLinkUser, u.ID, u.IdPSlug, u.NameID, foldKey(u.NameID), search); err != nil {
			return fmt.Errorf("link account %d: %w", u.ID, err)
		}
	}
	var row *sql.Row
	if touchOnly {
		row = w.queryRow(qTouchUser, u.ID, warnings, nanos(p.At))
	} else {
		row = w.queryRow(qUpdateUser, u.ID, u.Username, u.Email, foldKey(u.Email), u.DisplayName,
			u.GivenName, u.FamilyName, search, warnings, nanos(p.At))
	}
	var lastLogin int64
	if err := row.Scan(&lastLogin, &u.LoginCount); err != nil {
		return fmt.Errorf("save account: %w", err)
	}
	u.LastLoginAt = fromNanos(lastLogin)
	return nil
}

// searchText is what ListUsers searches: the distinct non-empty fields,
// lower-cased, one a line (a NameID is often the email: indexed once).
func searchText(fields ...string) string {
	var out []string
	for _, f := range fields {
		if f = strings.ToLower(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return strings.Join(out, "\n")
}

// replaceAutoGrants makes next the account's rule and default grants:
// those of prev that next lacks go, the others are written with next's
// provenance. Roles new to the account join the roles table first.
func replaceAutoGrants(w *writer, userID int64, stored, prev, next []core.RoleGrant) error {
	for _, g := range prev {
		if !slices.ContainsFunc(next, func(n core.RoleGrant) bool { return n.Role == g.Role && n.Kind == g.Kind }) {
			if _, err := w.exec(qDeleteGrant, userID, g.Role, g.Kind); err != nil {
				return fmt.Errorf("revoke role %q: %w", g.Role, err)
			}
		}
	}
	for i, g := range next {
		if !slices.ContainsFunc(stored, func(s core.RoleGrant) bool { return s.Role == g.Role }) {
			if err := ensureRole(w, g.Role); err != nil {
				return err
			}
		}
		if err := putGrant(w, userID, i, g); err != nil {
			return err
		}
	}
	return nil
}

// putGrant writes one grant (replacing the account's grant of that role
// and kind) at position.
func putGrant(w *writer, userID int64, position int, g core.RoleGrant) error {
	if _, err := w.exec(qPutGrant, userID, g.Role, g.Kind, position, g.Source, g.RuleID, g.RuleIndex,
		g.IdPSlug, nullID(g.LoginID), g.GrantedBy, nanos(g.GrantedAt)); err != nil {
		return fmt.Errorf("grant role %q: %w", g.Role, err)
	}
	return nil
}

// ensureRole adds name to the roles table.
func ensureRole(w *writer, name string) error {
	if _, err := w.exec(qEnsureRole, name); err != nil {
		return fmt.Errorf("add role %q: %w", name, err)
	}
	return nil
}

// saveAttributes makes attrs the account's attributes. An existing
// account's are read first and left alone when they are the same (the
// common repeat login).
func saveAttributes(w *writer, userID int64, existing bool, attrs core.Attributes) error {
	if existing {
		rows, err := w.query(qUserAttrs, userID)
		old, err := readAttributes(rows, err)
		if err != nil {
			return err
		}
		if sameAttributes(old, attrs) {
			return nil
		}
		if _, err := w.exec(qClearAttrs, userID); err != nil {
			return fmt.Errorf("clear attributes: %w", err)
		}
	}
	for name, values := range attrs {
		for i, v := range values {
			if _, err := w.exec(qAddAttr, userID, name, i, v); err != nil {
				return fmt.Errorf("save attribute %q: %w", name, err)
			}
		}
	}
	return nil
}

// readAttributes reads name, value rows (in name, position order).
func readAttributes(rows *sql.Rows, err error) (core.Attributes, error) {
	if err != nil {
		return nil, fmt.Errorf("read attributes: %w", err)
	}
	defer rows.Close()
	attrs := core.Attributes{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("read attributes: %w", err)
		}
		attrs[name] = append(attrs[name], value)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read attributes: %w", err)
	}
	return attrs, nil
}

// sameAttributes reports whether a and b hold the same values in the same
// order (an attribute without values counts as absent).
func sameAttributes(a, b core.Attributes) bool {
	n := 0
	for name, vs := range b {
		if len(vs) == 0 {
			continue
		}
		n++
		if !slices.Equal(a[name], vs) {
			return false
		}
	}
	return n == len(a)
}

// loginGrants are the grants of a login as stored: empty and repeated role
// names dropped (the first grant of a role wins), kinds rule or default
// (a login pins nothing), the IdP and time filled in.
func loginGrants(roles []core.RoleGrant, slug string, at time.Time) []core.RoleGrant {
	out := make([]core.RoleGrant, 0, len(roles))
	for _, r := range roles {
		if r.Role == "" || slices.ContainsFunc(out, func(o core.RoleGrant) bool { return o.Role == r.Role }) {
			continue
		}
		if r.Kind != core.GrantDefault && !(r.Kind == "" && r.Source == "default role") {
			r.Kind = core.GrantRule
		} else {
			r.Kind = core.GrantDefault
		}
		if r.IdPSlug == "" {
			r.IdPSlug = slug
		}
		r.GrantedBy, r.GrantedAt = "", at
		out = append(out, r)
	}
	return out
}

// roleDiff returns the role names next grants and prev did not, and those
// prev granted and next does not.
func roleDiff(prev, next []core.RoleGrant) (added, removed []string) {
	has := func(gs []core.RoleGrant, role string) bool {
		return slices.ContainsFunc(gs, func(g core.RoleGrant) bool { return g.Role == role })
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

// encodeWarnings is the users.warnings text of ws: empty for none.
func encodeWarnings(ws []string) (string, error) {
	if len(ws) == 0 {
		return "", nil
	}
	b, err := json.Marshal(ws)
	if err != nil {
		return "", fmt.Errorf("encode warnings: %w", err)
	}
	return string(b), nil
}

// decodeWarnings reads users.warnings.
func decodeWarnings(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var ws []string
	if err := json.Unmarshal([]byte(s), &ws); err != nil {
		return nil, fmt.Errorf("decode warnings: %w", err)
	}
	return ws, nil
}

// accountName names an account for a person: its display name, username
// or NameID.
func accountName(u core.User) string { return firstNonEmpty(u.DisplayName, u.Username, u.NameID) }

// provisionChange is what ApplyLogin did, for its event.
type provisionChange struct {
	created, createOnly bool
	linkedFrom          string
	added, removed      []string
	kept                []keptField
}

// provisionEvent describes what ApplyLogin did for a person: u is the
// account after the login, prev before it (zero when created).
func provisionEvent(p core.Provision, prev, u core.User, c provisionChange) core.Event {
	who := firstNonEmpty(u.DisplayName, u.Username, p.NameID)
	ev := core.Event{
		At: p.At, Outcome: core.OutcomeAccepted, IdPSlug: p.IdPSlug, UserID: u.ID,
		Subject: firstNonEmpty(u.Username, p.NameID),
	}
	var lines []string
	switch {
	case c.created:
		ev.Kind = core.EventUserCreated
		ev.Message = fmt.Sprintf("%s signed in for the first time: account created with %s", who, roleList(p.Roles))
		lines = createdDetail(p)
	case c.createOnly:
		ev.Kind = core.EventUserUpdated
		ev.Message = fmt.Sprintf("%s signed in (login %d): account and roles unchanged (create-only sync)", who, u.LoginCount)
	default:
		ev.Kind = core.EventUserUpdated
		if c.linkedFrom != "" {
			ev.Message = fmt.Sprintf("%s signed in: the account from IdP %s was linked by email (login %d)", who, c.linkedFrom, u.LoginCount)
			lines = append(lines, fmt.Sprintf("account: %s at %s → %s at %s", prev.NameID, prev.IdPSlug, u.NameID, u.IdPSlug))
		} else {
			ev.Message = fmt.Sprintf("%s signed in: account updated (login %d)", who, u.LoginCount)
		}
		if d := diffRoles(c.added, c.removed); d != "" {
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

// diffRoles writes added and removed roles as "+editor −admin".
func diffRoles(added, removed []string) string {
	var parts []string
	for _, r := range added {
		parts = append(parts, "+"+r)
	}
	for _, r := range removed {
		parts = append(parts, "−"+r)
	}
	return strings.Join(parts, " ")
}

func roleList(roles []core.RoleGrant) string {
	switch len(roles) {
	case 0:
		return "no roles"
	case 1:
		return "role " + roles[0].Role
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r.Role
	}
	return "roles " + strings.Join(names, ", ")
}

func createdDetail(p core.Provision) []string {
	lines := []string{
		"NameID: " + p.NameID,
		"username: " + p.Username,
		"email: " + p.Email,
		"display name: " + p.DisplayName,
	}
	if p.GivenName != "" || p.FamilyName != "" {
		lines = append(lines, "given name: "+p.GivenName, "family name: "+p.FamilyName)
	}
	if d := diffRoles(roleNames(p.Roles), nil); d != "" {
		lines = append(lines, "roles: "+d)
	}
	for _, r := range p.Roles {
		lines = append(lines, fmt.Sprintf("role %s: %s", r.Role, r.Source))
	}
	return lines
}

// updatedDetail lists the fields and roles an update changed, one a line.
func updatedDetail(prev, u core.User, grants []core.RoleGrant, c provisionChange) []string {
	var lines []string
	for _, f := range syncedFields {
		if old, new := *f.field(&prev), *f.field(&u); old != new {
			lines = append(lines, fmt.Sprintf("%s: %q → %q", f.label, old, new))
		}
	}
	if d := diffRoles(c.added, c.removed); d != "" {
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

// roleNames are the role names of gs, in order.
func roleNames(gs []core.RoleGrant) []string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Role
	}
	return names
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// RecordRefusal writes a refused login row and its event (kind
// core.EventLoginRefused, with the class, the reason as message and the
// hint as detail) and, when r.Record is set, its flight recorder entry, in
// one transaction. It changes no account.
//
// A compact refusal (r.Compact) keeps no raw response, and when a compact
// refusal of the same class, IdP slug and remote IP (r.Record.RemoteAddr)
// was stored within core.CompactWindow before r.At, that one's login row,
// event and recording count one more instead: the returned login and event
// are the existing ones with their new Count.
func (db *DB) RecordRefusal(ctx context.Context, r core.Refusal) (core.Login, core.Event, error) {
	if r.At.IsZero() {
		r.At = db.now()
	}
	at := r.At.UTC()
	ev := core.Event{
		At: at, Kind: core.EventLoginRefused, Outcome: core.OutcomeRefused, IdPSlug: r.IdPSlug,
		Subject: r.NameID, Message: firstNonEmpty(r.Reason, "Sign-in refused ("+r.Class+")"), Detail: r.Hint,
		Class: r.Class,
	}
	login := core.Login{
		At: at, IdPSlug: r.IdPSlug, NameID: r.NameID, Outcome: core.OutcomeRefused,
		Class: r.Class, Reason: r.Reason,
	}
	remoteIP := ""
	if r.Compact {
		if r.Record != nil {
			r.Record.Raw, r.Record.RawSize, r.Record.RawTruncated = nil, 0, false
			remoteIP = r.Record.RemoteAddr
		}
		remoteIP = firstNonEmpty(remoteIP, "-") // compact rows are marked by a remote IP
	}
	err := db.inTx(ctx, func(w *writer) error {
		if r.Compact {
			bumped, err := bumpCompactRefusal(w, r, remoteIP, &login, &ev)
			if err != nil || bumped {
				return err
			}
		}
		var err error
		if ev.ID, err = insertEvent(w, ev); err != nil {
			return err
		}
		login.EventID = ev.ID
		if login.ID, err = insertLogin(w, login); err != nil {
			return err
		}
		if remoteIP != "" {
			if _, err := w.exec(`UPDATE logins SET remote_ip = ? WHERE id = ?`, remoteIP, login.ID); err != nil {
				return fmt.Errorf("mark compact refusal: %w", err)
			}
		}
		if err := db.hook("login"); err != nil {
			return err
		}
		if r.Record == nil {
			return nil
		}
		rec := recordingOf(*r.Record, login, "")
		rec.Class = firstNonEmpty(rec.Class, r.Class)
		rec.Reason = firstNonEmpty(rec.Reason, r.Reason)
		rec.Hint = firstNonEmpty(rec.Hint, r.Hint)
		if login.RecordingID, err = insertRecording(w, rec); err != nil {
			return err
		}
		return db.hook("recording")
	})
	if err != nil {
		return core.Login{}, core.Event{}, fmt.Errorf("record refused login (%s) at %q: %w", r.Class, r.IdPSlug, err)
	}
	return login, ev, nil
}

// bumpCompactRefusal finds the compact refusal of r's class and IdP slug
// from remoteIP stored within core.CompactWindow before r.At and counts
// one more on its login row, event and recording; it then fills login and
// ev with them. bumped is false when there is none.
func bumpCompactRefusal(w *writer, r core.Refusal, remoteIP string, login *core.Login, ev *core.Event) (bumped bool, err error) {
	var (
		id      int64
		eventID sql.NullInt64
	)
	err = w.queryRow(`SELECT id, event_id FROM logins
		WHERE remote_ip = ? AND idp_slug = ? AND class = ? AND at > ? AND at <= ? AND remote_ip <> ''
		ORDER BY at DESC LIMIT 1`,
		remoteIP, r.IdPSlug, r.Class, nanos(r.At.Add(-core.CompactWindow)), nanos(r.At)).Scan(&id, &eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("find a repeated refusal: %w", err)
	}
	var at int64
	if err := w.queryRow(`UPDATE logins SET count = count + 1 WHERE id = ?
		RETURNING at, name_id, reason, count`, id).Scan(&at, &login.NameID, &login.Reason, &login.Count); err != nil {
		return false, fmt.Errorf("count a repeated refusal: %w", err)
	}
	login.ID, login.At, login.EventID, login.Count = id, fromNanos(at), eventID.Int64, repeated(login.Count)
	if err := w.queryRow(`UPDATE recordings SET count = count + 1 WHERE login_id = ? RETURNING id`, id).
		Scan(&login.RecordingID); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("count a repeated refusal's recording: %w", err)
	}
	if eventID.Valid {
		row := w.queryRow(`UPDATE events SET count = count + 1 WHERE id = ? RETURNING `+eventColumns, eventID.Int64)
		if *ev, err = scanEvent(row); err != nil {
			return false, fmt.Errorf("count a repeated refusal's event: %w", err)
		}
	} else {
		ev.ID, ev.At, ev.Count = 0, login.At, login.Count
	}
	return true, nil
}

func insertLogin(w *writer, l core.Login) (int64, error) {
	var id int64
	err := w.queryRow(qAddLogin,
		nanos(l.At), l.IdPSlug, nullID(l.UserID), l.NameID, l.Outcome, l.Class, l.Reason,
		l.AssertionID, nullID(l.EventID)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("save login: %w", err)
	}
	return id, nil
}

func insertEvent(w *writer, e core.Event) (int64, error) {
	var id int64
	err := w.queryRow(qAddEvent,
		nanos(e.At), e.Kind, e.Outcome, e.IdPSlug, nullID(e.UserID), e.Subject, e.Message, e.Detail, e.Class).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("save event: %w", err)
	}
	return id, nil
}

// AppendEvent writes e, which belongs to no login, and returns it with its
// ID. A zero At is the DB clock's now.
func (db *DB) AppendEvent(ctx context.Context, e core.Event) (core.Event, error) {
	if e.Kind == "" {
		return core.Event{}, core.Errorf(core.EINVALID, "An event needs a kind.")
	}
	if e.At.IsZero() {
		e.At = db.now()
	}
	e.At = e.At.UTC()
	err := db.inTx(ctx, func(w *writer) error {
		var err error
		e.ID, err = insertEvent(w, e)
		return err
	})
	if err != nil {
		return core.Event{}, fmt.Errorf("append %s event: %w", e.Kind, err)
	}
	return e, nil
}
