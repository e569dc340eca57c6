package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jitconsole/jitconsole/core"
)

// Admin changes of accounts and roles. Each writes, in the transaction of
// the change, an audit event: kind core.EventAdminChange, outcome
// core.OutcomeInfo, Subject the OS user who made it, Message a sentence
// ("Alice Anderson disabled by root") and Detail what changed as
// "before → after" lines. A change that changes nothing writes no event
// and returns a zero core.Event (ID 0).

// The words of these events are core's (core/auditwords.go): every store
// writes the same ones. stamp sets their time.

// stamp is ev at the DB clock's now.
func (db *DB) stamp(ev core.Event) core.Event {
	ev.At = db.now().UTC()
	return ev
}

// idList is ids as a JSON array, for `IN (SELECT value FROM json_each(?))`.
func idList(ids []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, id)
	}
	b.WriteByte(']')
	return b.String()
}

// SetUsersDisabled disables (or enables) the accounts ids, in one
// transaction with one audit event ("Alice Anderson disabled by root",
// "3 accounts enabled by root"), and returns how many changed. Unknown IDs
// and accounts already in that state are skipped; when none changed there
// is no event.
func (db *DB) SetUsersDisabled(ctx context.Context, ids []int64, disabled bool, by string) (int, core.Event, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return 0, core.Event{}, nil
	}
	verb := "enabled"
	if disabled {
		verb = "disabled"
	}
	n, ev, err := db.setDisabled(ctx, disabled, by, `UPDATE users SET disabled = ?1
			WHERE id IN (SELECT value FROM json_each(?2)) AND disabled <> ?1
			RETURNING id, idp_slug, name_id, username, display_name`, disabled, idList(ids))
	if err != nil {
		return 0, core.Event{}, fmt.Errorf("set %d accounts %s: %w", len(ids), verb, err)
	}
	return n, ev, nil
}

// setDisabled runs update, an UPDATE of accounts' disabled flag (with
// args) that returns the id, idp_slug, name_id, username and display_name
// of each account it changed, and writes one audit event for them, in one
// transaction; nothing changed, no event.
func (db *DB) setDisabled(ctx context.Context, disabled bool, by, update string, args ...any) (int, core.Event, error) {
	var (
		n  int
		ev core.Event
	)
	err := db.inTx(ctx, func(w *writer) error {
		rows, err := w.query(update, args...)
		changed, err := collect(rows, err, "change accounts", func(s scanner) (core.User, error) {
			var u core.User
			err := s.Scan(&u.ID, &u.IdPSlug, &u.NameID, &u.Username, &u.DisplayName)
			return u, err
		})
		if err != nil {
			return err
		}
		if n = len(changed); n == 0 {
			return nil
		}
		slices.SortFunc(changed, func(a, b core.User) int { return cmp.Compare(a.ID, b.ID) })
		ev = db.stamp(core.AuditUsersDisabled(by, disabled, changed))
		ev.ID, err = insertEvent(w, ev)
		return err
	})
	return n, ev, err
}

// accountInTx reads an account and its grants in a write transaction;
// ENOTFOUND when there is none.
func accountInTx(w *writer, id int64) (core.User, error) {
	u, found, err := scanAccount(w.queryRow(qAccountByID, id))
	if err != nil {
		return core.User{}, fmt.Errorf("read account %d: %w", id, err)
	} else if !found {
		return core.User{}, core.Errorf(core.ENOTFOUND, "There is no user with ID %d.", id)
	}
	if u.Roles, err = readGrants(w, id); err != nil {
		return core.User{}, err
	}
	return u, nil
}

// DeleteUser deletes the account id with its grants and attributes; its
// logins, events and flight recorder entries stay, without the link. The
// audit event names the account (its UserID is 0: the account is gone).
// The next sign-in of the person creates a new account. ENOTFOUND if
// unknown.
func (db *DB) DeleteUser(ctx context.Context, id int64, by string) (core.Event, error) {
	var ev core.Event
	err := db.inTx(ctx, func(w *writer) error {
		u, err := accountInTx(w, id)
		if err != nil {
			return err
		}
		if _, err := w.exec(`DELETE FROM users WHERE id = ?`, id); err != nil {
			return err
		}
		ev = db.stamp(core.AuditUserDeleted(by, u))
		ev.ID, err = insertEvent(w, ev)
		return err
	})
	if err != nil {
		return core.Event{}, fmt.Errorf("delete user %d: %w", id, err)
	}
	return ev, nil
}

// GrantRole pins a manual grant of role, which must be in the catalogue,
// to the account userID (granted by by, now). A rule or default grant of
// the role stays beside it. ENOTFOUND for an unknown account or role,
// ECONFLICT when the account holds the role manually already.
func (db *DB) GrantRole(ctx context.Context, userID int64, role, by string) (core.Event, error) {
	role = strings.TrimSpace(role)
	var ev core.Event
	err := db.inTx(ctx, func(w *writer) error {
		if err := roleExists(w, role); err != nil {
			return err
		}
		u, err := accountInTx(w, userID)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(u.Roles, func(g core.RoleGrant) bool { return g.Role == role && g.Kind == core.GrantManual }) {
			return core.AlreadyManual(u, role)
		}
		g := core.ManualGrant(role, by, db.now().UTC())
		if err := putGrant(w, userID, 0, g); err != nil {
			return err
		}
		after := append(slices.Clone(u.Roles), g)
		ev = db.stamp(core.AuditRoleGranted(by, u, role, after))
		ev.ID, err = insertEvent(w, ev)
		return err
	})
	if err != nil {
		return core.Event{}, fmt.Errorf("grant role %q to user %d: %w", role, userID, err)
	}
	return ev, nil
}

// RevokeRole removes the manual grant of role from the account userID.
// Rule and default grants are the rules' business: ENOTFOUND when the
// account holds no manual grant of role (the message says when a rule
// grants it).
func (db *DB) RevokeRole(ctx context.Context, userID int64, role, by string) (core.Event, error) {
	var ev core.Event
	err := db.inTx(ctx, func(w *writer) error {
		u, err := accountInTx(w, userID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(u.Roles, func(g core.RoleGrant) bool { return g.Role == role && g.Kind == core.GrantManual })
		if i < 0 {
			if j := slices.IndexFunc(u.Roles, func(g core.RoleGrant) bool { return g.Role == role }); j >= 0 {
				return core.NotManualGrant(u, role, &u.Roles[j])
			}
			return core.NotManualGrant(u, role, nil)
		}
		if _, err := w.exec(qDeleteGrant, userID, role, core.GrantManual); err != nil {
			return err
		}
		after := slices.Delete(slices.Clone(u.Roles), i, i+1)
		ev = db.stamp(core.AuditGrantRevoked(by, u, role, after))
		ev.ID, err = insertEvent(w, ev)
		return err
	})
	if err != nil {
		return core.Event{}, fmt.Errorf("revoke role %q from user %d: %w", role, userID, err)
	}
	return ev, nil
}

// roleExists returns ENOTFOUND unless role is in the catalogue.
func roleExists(w *writer, role string) error {
	var one int
	err := w.queryRow(`SELECT 1 FROM roles WHERE name = ?`, role).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return core.NoSuchRole(role)
	} else if err != nil {
		return fmt.Errorf("read role %q: %w", role, err)
	}
	return nil
}
