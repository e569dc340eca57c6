package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jitconsole/jitconsole/core"
)

// userColumns are the columns scanUser reads, the grants last as a JSON
// array of grantColumns arrays, in display order (see qUserGrants).
const userColumns = `u.id, u.idp_slug, u.name_id, u.username, u.email, u.display_name,
	u.created_at, u.last_login_at, u.login_count, u.idp_removed,
	u.given_name, u.family_name, u.disabled, u.warnings, u.provisioned_by,
	(SELECT json_group_array(json_array(r.role, r.kind, r.source, r.rule_id, r.rule_index, r.idp_slug,
			coalesce(r.login_id, 0), r.granted_by, r.granted_at)
		ORDER BY r.kind = 'manual', r.position, r.granted_at, r.role)
		FROM user_roles r WHERE r.user_id = u.id)`

// ListUsers returns the accounts f selects, newest first unless f.Sort
// and f.Ascending say otherwise (see userOrderBy), with their roles.
// Search is a case-insensitive substring of the username, display name,
// email or NameID: answered from an FTS5 trigram index when it has three
// characters or more, by a scan when shorter. Role keeps the holders of a
// role (any kind of grant); Status is "", core.UserActive or
// core.UserDisabled; LastLoginBefore keeps accounts whose last login (or
// creation, if they never signed in) is before it.
func (db *DB) ListUsers(ctx context.Context, f core.UserFilter) ([]core.User, error) {
	where, args, err := userWhere(f)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + userColumns + ` FROM users u` + where
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // no limit
	}
	order, err := userOrderBy(f)
	if err != nil {
		return nil, err
	}
	q += order + ` LIMIT ? OFFSET ?`
	args = append(args, limit, max(f.Offset, 0))

	rows, err := db.read.QueryContext(ctx, q, args...)
	return collect(rows, err, "list users", scanUser)
}

func scanUser(s scanner) (core.User, error) {
	var (
		u                    core.User
		createdAt, lastLogin int64
		warnings, roles      string
	)
	if err := s.Scan(&u.ID, &u.IdPSlug, &u.NameID, &u.Username, &u.Email, &u.DisplayName,
		&createdAt, &lastLogin, &u.LoginCount, &u.IdPRemoved,
		&u.GivenName, &u.FamilyName, &u.Disabled, &warnings, &u.ProvisionedBy, &roles); err != nil {
		return core.User{}, err
	}
	u.CreatedAt, u.LastLoginAt = fromNanos(createdAt), fromNanos(lastLogin)
	var err error
	if u.Warnings, err = decodeWarnings(warnings); err != nil {
		return core.User{}, fmt.Errorf("user %d: %w", u.ID, err)
	}
	if u.Roles, err = decodeGrants(roles); err != nil {
		return core.User{}, fmt.Errorf("decode the roles of user %d: %w", u.ID, err)
	}
	return u, nil
}

// decodeGrants reads the JSON array of grants of userColumns. Each grant
// is decoded field by field: times and IDs are 64-bit integers, which a
// float64 would round.
func decodeGrants(text string) ([]core.RoleGrant, error) {
	var rows [][]json.RawMessage
	if err := json.Unmarshal([]byte(text), &rows); err != nil {
		return nil, err
	}
	var out []core.RoleGrant
	for _, r := range rows {
		var (
			g  core.RoleGrant
			at int64
		)
		dest := []any{&g.Role, &g.Kind, &g.Source, &g.RuleID, &g.RuleIndex, &g.IdPSlug, &g.LoginID, &g.GrantedBy, &at}
		if len(r) != len(dest) {
			return nil, fmt.Errorf("a grant has %d fields, want %d", len(r), len(dest))
		}
		for i, d := range dest {
			if err := json.Unmarshal(r[i], d); err != nil {
				return nil, err
			}
		}
		g.GrantedAt = fromNanos(at)
		out = append(out, g)
	}
	return out, nil
}

// UserByKey returns the account (idpSlug, nameID), matching the NameID
// whatever its case when caseInsensitive (an exact match preferred);
// ENOTFOUND when there is none.
func (db *DB) UserByKey(ctx context.Context, idpSlug, nameID string, caseInsensitive bool) (core.User, error) {
	var row *sql.Row
	if caseInsensitive {
		row = db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u
			WHERE u.idp_slug = ?1 AND u.name_key = ?2 ORDER BY u.name_id = ?3 DESC, u.id LIMIT 1`,
			idpSlug, foldKey(nameID), nameID)
	} else {
		row = db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u
			WHERE u.idp_slug = ? AND u.name_key = ? AND u.name_id = ?`, idpSlug, foldKey(nameID), nameID)
	}
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		return core.User{}, core.Errorf(core.ENOTFOUND, "There is no account %q from IdP %s.", nameID, idpSlug)
	} else if err != nil {
		return core.User{}, fmt.Errorf("find the account %q of %s: %w", nameID, idpSlug, err)
	}
	return u, nil
}

// userLogins is how many logins GetUser returns.
const userLogins = 100

// GetUser returns the account with id, the attributes of its last accepted
// assertion and its latest 100 logins, newest first; ENOTFOUND when there
// is no such account.
func (db *DB) GetUser(ctx context.Context, id int64) (core.UserDetail, error) {
	// One read transaction: the parts come from one snapshot.
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return core.UserDetail{}, fmt.Errorf("get user %d: %w", id, err)
	}
	defer tx.Rollback()
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return core.UserDetail{}, core.Errorf(core.ENOTFOUND, "There is no user with ID %d.", id)
	} else if err != nil {
		return core.UserDetail{}, fmt.Errorf("get user %d: %w", id, err)
	}
	d := core.UserDetail{User: u}
	if d.Attributes, err = userAttributes(ctx, tx, id); err != nil {
		return core.UserDetail{}, fmt.Errorf("get user %d: %w", id, err)
	}
	if d.Logins, err = userLoginHistory(ctx, tx, id); err != nil {
		return core.UserDetail{}, fmt.Errorf("get user %d: %w", id, err)
	}
	return d, nil
}

func userAttributes(ctx context.Context, tx *sql.Tx, id int64) (core.Attributes, error) {
	rows, err := tx.QueryContext(ctx, qUserAttrs, id)
	return readAttributes(rows, err)
}

func userLoginHistory(ctx context.Context, tx *sql.Tx, id int64) ([]core.Login, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.at, l.idp_slug, l.user_id, l.name_id, l.outcome, l.class, l.reason,
		l.assertion_id, l.event_id, (SELECT r.id FROM recordings r WHERE r.login_id = l.id)
		FROM logins l WHERE l.user_id = ? ORDER BY l.at DESC, l.id DESC LIMIT ?`, id, userLogins)
	return collect(rows, err, "read logins", func(s scanner) (core.Login, error) {
		var (
			l                            core.Login
			at                           int64
			userID, eventID, recordingID sql.NullInt64
		)
		err := s.Scan(&l.ID, &at, &l.IdPSlug, &userID, &l.NameID, &l.Outcome, &l.Class, &l.Reason,
			&l.AssertionID, &eventID, &recordingID)
		l.At, l.UserID, l.EventID, l.RecordingID = fromNanos(at), userID.Int64, eventID.Int64, recordingID.Int64
		return l, err
	})
}

// Stats returns the dashboard counters at now: all accounts, accounts
// created since midnight (in now's location: pass a local time for the
// local day), and accepted and refused logins in the 24 hours up to now.
func (db *DB) Stats(ctx context.Context, now time.Time) (core.Stats, error) {
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	dayAgo := now.Add(-24 * time.Hour)
	var s core.Stats
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM users),
		(SELECT count(*) FROM users WHERE created_at >= ?1 AND created_at <= ?2),
		(SELECT count(*) FROM logins WHERE at > ?3 AND at <= ?2 AND outcome = 'accepted'),
		(SELECT coalesce(sum(count), 0) FROM logins WHERE at > ?3 AND at <= ?2 AND outcome = 'refused')`,
		midnight.UnixNano(), now.UnixNano(), dayAgo.UnixNano(),
	).Scan(&s.Users, &s.CreatedToday, &s.Logins24h, &s.Refusals24h)
	if err != nil {
		return core.Stats{}, fmt.Errorf("read statistics: %w", err)
	}
	return s, nil
}

// maxMinutes bounds the span of LoginsPerMinute: 31 days.
const maxMinutes = 31 * 24 * 60

// LoginsPerMinute counts accepted logins per minute (minutes truncated in
// UTC), from the minute of since to the minute of now, both included; every
// minute is present, with 0 when nobody signed in. Logins after now are not
// counted. The span is at most 31 days.
func (db *DB) LoginsPerMinute(ctx context.Context, since, now time.Time) ([]core.MinuteCount, error) {
	const minute = int64(time.Minute)
	// Whole minutes since the epoch; Unix (unlike UnixNano) is defined for
	// every time, so a zero since is refused rather than misread.
	first := floorDiv(since.Unix(), 60)
	last := floorDiv(now.Unix(), 60)
	if last < first {
		return nil, nil
	}
	if last-first >= maxMinutes {
		return nil, core.Errorf(core.EINVALID, "Logins per minute are counted over at most %d days.", maxMinutes/(24*60))
	}
	counts := make([]core.MinuteCount, last-first+1)
	for i := range counts {
		counts[i].Minute = time.Unix(0, (first+int64(i))*minute).UTC()
	}
	rows, err := db.read.QueryContext(ctx, `SELECT (at - ?1) / ?2 AS i, count(*) FROM logins
		WHERE at >= ?1 AND at <= ?3 AND outcome = 'accepted' GROUP BY i`,
		first*minute, minute, now.UnixNano())
	if err != nil {
		return nil, fmt.Errorf("count logins per minute: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		var n int
		if err := rows.Scan(&i, &n); err != nil {
			return nil, fmt.Errorf("count logins per minute: %w", err)
		}
		if i >= 0 && i < int64(len(counts)) {
			counts[i].Count = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count logins per minute: %w", err)
	}
	return counts, nil
}

// floorDiv is a / b rounded towards minus infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// userWhere is the WHERE clause (with its leading space, "" for none) and
// its arguments that select the accounts f selects, over users aliased u;
// f's Limit and Offset are not part of it. ListUsers, CountUsers and
// SetMatchingUsersDisabled share it, so they agree on what matches.
func userWhere(f core.UserFilter) (string, []any, error) {
	var (
		where []string
		args  []any
	)
	if f.IdPSlug != "" {
		where, args = append(where, "u.idp_slug = ?"), append(args, f.IdPSlug)
	}
	if s := strings.ToLower(strings.TrimSpace(f.Search)); utf8.RuneCountInString(s) >= 3 {
		// The trigram index finds substrings of three characters or more.
		where = append(where, "u.id IN (SELECT rowid FROM users_search WHERE users_search MATCH ?)")
		args = append(args, `"`+strings.ReplaceAll(s, `"`, `""`)+`"`)
	} else if s != "" {
		where, args = append(where, "instr(u.search_text, ?) > 0"), append(args, s)
	}
	if f.Role != "" {
		where, args = append(where, "u.id IN (SELECT user_id FROM user_roles WHERE role = ?)"), append(args, f.Role)
	}
	// Literal conditions: they let SQLite use the partial indexes.
	switch f.Status {
	case "":
	case core.UserActive:
		where = append(where, "u.disabled = 0")
	case core.UserDisabled:
		where = append(where, "u.disabled = 1")
	default:
		return "", nil, core.Errorf(core.EINVALID, "Unknown account status %q: use %q or %q.", f.Status, core.UserActive, core.UserDisabled)
	}
	if f.WithWarnings {
		where = append(where, "u.warnings <> ''")
	}
	if !f.LastLoginBefore.IsZero() {
		// last_login_at is 0 for an account that never signed in.
		where = append(where, "u.last_login_at < ? AND (u.last_login_at <> 0 OR u.created_at < ?)")
		args = append(args, f.LastLoginBefore.UnixNano(), f.LastLoginBefore.UnixNano())
	}
	if len(where) == 0 {
		return "", args, nil
	}
	return ` WHERE ` + strings.Join(where, " AND "), args, nil
}
