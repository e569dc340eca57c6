package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jitconsole/jitconsole/core"
)

// ApplyLogin writes an accepted login as core.PlanLogin plans it: the
// account (created, linked or updated), its rule and default grants
// (never its manual ones), the attributes of its last assertion, a login
// row, an event and, when p.Record is set, the flight recorder entry, all
// in one transaction, which also uses up the login's assertion ID
// (EREPLAYED when it was used) and sign-in request (EANSWERED when another
// response answered it): see claimLogin. Logins that arrive together
// share that transaction and its commit, each in a savepoint of its own
// (see loginBatcher). Concurrent calls for one person make exactly one
// account: writes go through one connection and each transaction takes
// SQLite's write lock when it begins, before it reads the state the plan
// needs.
//
// The account is found by (IdPSlug, NameID), whatever the NameID's case
// when p.CaseInsensitiveKey (an exact match preferred); when there is none
// and p.LinkByEmail, the oldest account of another IdP with p's email (any
// case) is the link candidate. A refusal of the plan (a disabled account:
// EFORBIDDEN; a denied login: core.EDENIED) writes nothing.
func (db *DB) ApplyLogin(ctx context.Context, p core.Provision) (core.ProvisionResult, error) {
	if err := p.Validate(); err != nil {
		return core.ProvisionResult{}, err
	}
	if p.At.IsZero() {
		p.At = db.now()
	}
	p.At = p.At.UTC()
	res, err := db.logins.apply(ctx, db, p)
	if err != nil {
		return core.ProvisionResult{}, fmt.Errorf("apply login for %q: %w", p.NameID, err)
	}
	db.maybePurge(ctx)
	return res, nil
}

// loginTx is one login's part of a write transaction (its own, or a
// batch's: see loginBatcher): it uses up the login's assertion ID and
// request token (claimLogin), reads the state the plan needs, and writes
// core.PlanLogin's plan.
func (db *DB) loginTx(w *writer, p core.Provision) (core.ProvisionResult, error) {
	if err := claimLogin(w, p, p.At); err != nil {
		return core.ProvisionResult{}, err
	}
	state, err := readLoginState(w, p)
	if err != nil {
		return core.ProvisionResult{}, err
	}
	plan, err := core.PlanLogin(state, p)
	if err != nil {
		return core.ProvisionResult{}, err
	}
	return db.writeLogin(w, p, state, plan)
}

// readLoginState reads what core.PlanLogin needs of the database: the
// account of p's key with its grants, else the link candidate (when p
// links by email), the NameID of an account that differs only by case
// (when matching is case-sensitive), and another IdP's account with p's
// email (when no account is linked).
func readLoginState(w *writer, p core.Provision) (core.LoginState, error) {
	var state core.LoginState
	u, found, err := findAccount(w, p)
	if err != nil {
		return state, err
	}
	linking := !found && p.LinkByEmail && p.Email != ""
	if linking {
		if u, found, err = scanAccount(w.queryRow(qFindUserByEmail, foldKey(p.Email), p.IdPSlug)); err != nil {
			return state, fmt.Errorf("find an account by email: %w", err)
		}
	}
	if found {
		if u.Roles, err = readGrants(w, u.ID); err != nil {
			return state, err
		}
		if linking {
			state.LinkCandidate = &u
		} else {
			state.Account = &u
		}
	}
	if !p.CaseInsensitiveKey {
		err := w.queryRow(qCaseTwin, p.IdPSlug, foldKey(p.NameID), p.NameID).Scan(&state.CaseTwin)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return state, fmt.Errorf("look for a NameID that differs by case: %w", err)
		}
	}
	if state.LinkCandidate == nil && p.Email != "" {
		err := w.queryRow(qEmailElsewhere, foldKey(p.Email), p.IdPSlug).Scan(&state.EmailElsewhere)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return state, fmt.Errorf("look for the email at other IdPs: %w", err)
		}
	}
	return state, nil
}

// writeLogin writes plan, the plan of the login p in the state read: the
// account, the event, the login row, the grants, the attributes and the
// recording.
func (db *DB) writeLogin(w *writer, p core.Provision, state core.LoginState, plan core.LoginPlan) (core.ProvisionResult, error) {
	u := plan.Account
	if err := saveAccount(w, &u, p, plan); err != nil {
		return core.ProvisionResult{}, err
	}
	if err := db.hook("user"); err != nil {
		return core.ProvisionResult{}, err
	}
	ev := plan.Event
	ev.UserID = u.ID
	var err error
	if ev.ID, err = insertEvent(w, ev); err != nil {
		return core.ProvisionResult{}, err
	}
	login := core.Login{
		At: p.At, IdPSlug: p.IdPSlug, UserID: u.ID, NameID: p.NameID,
		Outcome: core.OutcomeAccepted, AssertionID: p.AssertionID, EventID: ev.ID,
	}
	if login.ID, err = insertLogin(w, login); err != nil {
		return core.ProvisionResult{}, err
	}
	if err := db.hook("login"); err != nil {
		return core.ProvisionResult{}, err
	}
	if plan.ReplaceGrants {
		for i := range plan.Grants {
			plan.Grants[i].LoginID = login.ID
		}
		var stored []core.RoleGrant
		if prev := firstAccount(state.Account, state.LinkCandidate); prev != nil {
			stored = prev.Roles
		}
		if err := replaceAutoGrants(w, u.ID, stored, plan.Revoke, plan.Grants); err != nil {
			return core.ProvisionResult{}, err
		}
	}
	u.Roles = plan.Roles()
	if err := saveAttributes(w, u.ID, !plan.Created, p.Attributes); err != nil {
		return core.ProvisionResult{}, err
	}
	if err := db.hook("attributes"); err != nil {
		return core.ProvisionResult{}, err
	}
	if p.Record != nil {
		action := "updated"
		if plan.Created {
			action = "created"
		}
		if login.RecordingID, err = insertRecording(w, core.RecordingOf(*p.Record, login, action)); err != nil {
			return core.ProvisionResult{}, err
		}
		if err := db.hook("recording"); err != nil {
			return core.ProvisionResult{}, err
		}
	}
	return core.ProvisionResult{
		User: u, Created: plan.Created, Linked: plan.LinkedFrom != "", Added: plan.Added, Removed: plan.Removed,
		Login: login, Event: ev,
	}, nil
}

// firstAccount is the first of us that is not nil, nil when all are.
func firstAccount(us ...*core.User) *core.User {
	for _, u := range us {
		if u != nil {
			return u
		}
	}
	return nil
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
		&u.Disabled, &warnings, &createdAt, &lastLogin, &u.LoginCount, &u.IdPRemoved, &u.ProvisionedBy)
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

// saveAccount writes u, the account of plan: inserted when created, else
// updated (moved to its IdP and NameID first when linked). When no synced
// field changed (create-only sync, or the same values) only its login
// count, last login and warnings are written: an UPDATE that names a
// column rewrites the index entries on it even when the value stays. It
// fills in what the database decides.
func saveAccount(w *writer, u *core.User, p core.Provision, plan core.LoginPlan) error {
	warnings, err := encodeWarnings(u.Warnings)
	if err != nil {
		return err
	}
	search := searchText(u.Username, u.DisplayName, u.Email, u.NameID)
	if plan.Created {
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
	if plan.LinkedFrom != "" {
		if _, err := w.exec(qLinkUser, u.ID, u.IdPSlug, u.NameID, foldKey(u.NameID), search); err != nil {
			return fmt.Errorf("link account %d: %w", u.ID, err)
		}
	}
	var row *sql.Row
	if plan.FieldsChanged {
		row = w.queryRow(qUpdateUser, u.ID, u.Username, u.Email, foldKey(u.Email), u.DisplayName,
			u.GivenName, u.FamilyName, search, warnings, nanos(p.At))
	} else {
		row = w.queryRow(qTouchUser, u.ID, warnings, nanos(p.At))
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

// firstNonEmpty is the first of s that is not empty.
func firstNonEmpty[S ~string](s ...S) S {
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
	r.At = r.At.UTC()
	login, ev := core.RefusalRows(r)
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
		rec := core.RecordingOf(*r.Record, login, "")
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
	w.noteEvent(id)
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
