package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jitconsole/jitconsole/core"
)

// ApplyLogin creates or updates the account (IdPSlug, NameID), replaces its
// roles and attributes with p's, and writes a login row and an event, all in
// one transaction. Concurrent calls for one person make exactly one account:
// writes go through one connection and each transaction takes SQLite's
// write lock when it begins.
func (db *DB) ApplyLogin(ctx context.Context, p core.Provision) (core.ProvisionResult, error) {
	if p.IdPSlug == "" || p.NameID == "" {
		return core.ProvisionResult{}, core.Errorf(core.EINVALID, "A login needs an IdP and a NameID.")
	}
	if p.At.IsZero() {
		p.At = db.now()
	}
	p.Roles = uniqueRoles(p.Roles)
	res, err := db.applyLogin(ctx, p)
	if err != nil {
		return core.ProvisionResult{}, fmt.Errorf("apply login for %q: %w", p.NameID, err)
	}
	return res, nil
}

func (db *DB) applyLogin(ctx context.Context, p core.Provision) (res core.ProvisionResult, err error) {
	err = db.inTx(ctx, func(w *writer) error {
		prev, found, err := findAccount(w, p.IdPSlug, p.NameID)
		if err != nil {
			return err
		}
		user, err := upsertUser(w, p)
		if err != nil {
			return err
		}
		if err := db.hook("user"); err != nil {
			return err
		}
		if err := replaceRoles(w, user.ID, p.Roles); err != nil {
			return err
		}
		if err := replaceAttributes(w, user.ID, p.Attributes); err != nil {
			return err
		}
		if err := db.hook("attributes"); err != nil {
			return err
		}
		ev := provisionEvent(p, user, prev, !found)
		if ev.ID, err = insertEvent(w, ev); err != nil {
			return err
		}
		login := core.Login{
			At: p.At.UTC(), IdPSlug: p.IdPSlug, UserID: user.ID, NameID: p.NameID,
			Outcome: core.OutcomeAccepted, AssertionID: p.AssertionID, EventID: ev.ID,
		}
		if login.ID, err = insertLogin(w, login); err != nil {
			return err
		}
		if err := db.hook("login"); err != nil {
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
		res = core.ProvisionResult{User: user, Created: !found, Login: login, Event: ev}
		return nil
	})
	return res, err
}

// account is what ApplyLogin compares to describe an update.
type account struct {
	Username, Email, DisplayName string
	Roles                        []string
}

// findAccount reads the account (slug, nameID) and its role names, if any.
func findAccount(w *writer, slug, nameID string) (account, bool, error) {
	var (
		a  account
		id int64
	)
	err := w.queryRow(qFindUser, slug, nameID).Scan(&id, &a.Username, &a.Email, &a.DisplayName)
	if errors.Is(err, sql.ErrNoRows) {
		return account{}, false, nil
	} else if err != nil {
		return account{}, false, fmt.Errorf("find account: %w", err)
	}
	rows, err := w.query(qUserRoleNames, id)
	if err != nil {
		return account{}, false, fmt.Errorf("read roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return account{}, false, fmt.Errorf("read roles: %w", err)
		}
		a.Roles = append(a.Roles, r)
	}
	if err := rows.Err(); err != nil {
		return account{}, false, fmt.Errorf("read roles: %w", err)
	}
	return a, true, nil
}

// upsertUser inserts the account or updates its fields, last login and login
// count, and returns it with p's roles.
func upsertUser(w *writer, p core.Provision) (core.User, error) {
	u := core.User{
		IdPSlug: p.IdPSlug, NameID: p.NameID, Username: p.Username, Email: p.Email,
		DisplayName: p.DisplayName, Roles: p.Roles,
	}
	var createdAt, lastLogin int64
	err := w.queryRow(qUpsertUser,
		p.IdPSlug, p.NameID, p.Username, p.Email, p.DisplayName,
		searchText(p.Username, p.DisplayName, p.Email, p.NameID), nanos(p.At), nanos(p.At),
	).Scan(&u.ID, &createdAt, &lastLogin, &u.LoginCount, &u.IdPRemoved)
	if err != nil {
		return core.User{}, fmt.Errorf("save account: %w", err)
	}
	u.CreatedAt, u.LastLoginAt = fromNanos(createdAt), fromNanos(lastLogin)
	return u, nil
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

// replaceRoles makes roles the account's roles, in order.
func replaceRoles(w *writer, userID int64, roles []core.RoleGrant) error {
	if _, err := w.exec(qClearRoles, userID); err != nil {
		return fmt.Errorf("clear roles: %w", err)
	}
	for i, r := range roles {
		if err := ensureRole(w, r.Role); err != nil {
			return err
		}
		if _, err := w.exec(qGrantRole, userID, i, r.Role, r.Source); err != nil {
			return fmt.Errorf("grant role %q: %w", r.Role, err)
		}
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

// replaceAttributes makes attrs the account's attributes.
func replaceAttributes(w *writer, userID int64, attrs core.Attributes) error {
	if _, err := w.exec(qClearAttrs, userID); err != nil {
		return fmt.Errorf("clear attributes: %w", err)
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

// uniqueRoles drops repeated role names, keeping the first grant of each,
// and empty ones.
func uniqueRoles(roles []core.RoleGrant) []core.RoleGrant {
	out := make([]core.RoleGrant, 0, len(roles))
	for _, r := range roles {
		if r.Role != "" && !slices.ContainsFunc(out, func(o core.RoleGrant) bool { return o.Role == r.Role }) {
			out = append(out, r)
		}
	}
	return out
}

// provisionEvent describes what ApplyLogin did for a person.
func provisionEvent(p core.Provision, u core.User, prev account, created bool) core.Event {
	who := firstNonEmpty(p.DisplayName, p.Username, p.NameID)
	ev := core.Event{
		At: p.At.UTC(), Outcome: core.OutcomeAccepted, IdPSlug: p.IdPSlug, UserID: u.ID,
		Subject: firstNonEmpty(p.Username, p.NameID),
	}
	if created {
		ev.Kind = core.EventUserCreated
		ev.Message = fmt.Sprintf("%s signed in for the first time: account created with %s", who, roleList(p.Roles))
		ev.Detail = createdDetail(p)
		return ev
	}
	ev.Kind = core.EventUserUpdated
	ev.Message = fmt.Sprintf("%s signed in: account updated (login %d)", who, u.LoginCount)
	ev.Detail = updatedDetail(prev, p)
	return ev
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

func createdDetail(p core.Provision) string {
	lines := []string{
		"NameID: " + p.NameID,
		"username: " + p.Username,
		"email: " + p.Email,
		"display name: " + p.DisplayName,
	}
	for _, r := range p.Roles {
		lines = append(lines, fmt.Sprintf("role %s: %s", r.Role, r.Source))
	}
	return strings.Join(lines, "\n")
}

// updatedDetail lists the fields and roles that changed, one a line.
func updatedDetail(prev account, p core.Provision) string {
	var lines []string
	field := func(name, old, new string) {
		if old != new {
			lines = append(lines, fmt.Sprintf("%s: %q → %q", name, old, new))
		}
	}
	field("username", prev.Username, p.Username)
	field("email", prev.Email, p.Email)
	field("display name", prev.DisplayName, p.DisplayName)
	for _, r := range p.Roles {
		if !slices.Contains(prev.Roles, r.Role) {
			lines = append(lines, fmt.Sprintf("role added: %s (%s)", r.Role, r.Source))
		}
	}
	for _, old := range prev.Roles {
		if !slices.ContainsFunc(p.Roles, func(r core.RoleGrant) bool { return r.Role == old }) {
			lines = append(lines, "role removed: "+old)
		}
	}
	if len(lines) == 0 {
		return "no changes"
	}
	return strings.Join(lines, "\n")
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
	err := db.inTx(ctx, func(w *writer) error {
		var err error
		if ev.ID, err = insertEvent(w, ev); err != nil {
			return err
		}
		login.EventID = ev.ID
		if login.ID, err = insertLogin(w, login); err != nil {
			return err
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

// RecentEvents returns up to limit events, newest first.
func (db *DB) RecentEvents(ctx context.Context, limit int) ([]core.Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, at, kind, outcome, idp_slug, user_id, subject, message, detail, class
		FROM events ORDER BY at DESC, id DESC LIMIT ?`, limit)
	return collect(rows, err, "read recent events", func(s scanner) (core.Event, error) {
		var (
			e      core.Event
			at     int64
			userID sql.NullInt64
		)
		err := s.Scan(&e.ID, &at, &e.Kind, &e.Outcome, &e.IdPSlug, &userID, &e.Subject, &e.Message, &e.Detail, &e.Class)
		e.At, e.UserID = fromNanos(at), userID.Int64
		return e, err
	})
}
