package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The statements of the login path, prepared once on the writer connection
// when the database opens: parsing them anew for every login would cost a
// third of ApplyLogin.
const (
	// accountColumns are what ApplyLogin reads of an account (scanAccount).
	accountColumns = `id, idp_slug, name_id, username, email, display_name, given_name, family_name,
		disabled, warnings, created_at, last_login_at, login_count, idp_removed, provisioned_by`
	qAccountByID    = `SELECT ` + accountColumns + ` FROM users WHERE id = ?`
	qFindUser       = `SELECT ` + accountColumns + ` FROM users WHERE idp_slug = ? AND name_key = ? AND name_id = ?`
	qFindUserNoCase = `SELECT ` + accountColumns + ` FROM users WHERE idp_slug = ?1 AND name_key = ?2
		ORDER BY name_id = ?3 DESC, id LIMIT 1`
	qFindUserByEmail = `SELECT ` + accountColumns + ` FROM users WHERE id = (SELECT min(id) FROM (` + otherIdPsWithEmail + `))`
	// qCaseTwin finds another account of the IdP whose NameID differs only
	// by case; qEmailElsewhere an account of another IdP with the email.
	qCaseTwin       = `SELECT name_id FROM users WHERE idp_slug = ?1 AND name_key = ?2 AND name_id <> ?3 LIMIT 1`
	qEmailElsewhere = `SELECT idp_slug FROM (` + otherIdPsWithEmail + `) LIMIT 1`
	// otherIdPsWithEmail are the accounts with the email key ?1 of IdPs
	// other than ?2: two ranges of the index users_email_key, so that many
	// accounts of the IdP ?2 sharing the email cost nothing.
	otherIdPsWithEmail = `SELECT id, idp_slug FROM users WHERE email_key = ?1 AND email_key <> '' AND idp_slug < ?2
		UNION ALL
		SELECT id, idp_slug FROM users WHERE email_key = ?1 AND email_key <> '' AND idp_slug > ?2`
	// qUserGrants lists an account's grants in display order: rule and
	// default grants in evaluation order, then manual ones.
	qUserGrants = `SELECT role, kind, source, rule_id, rule_index, idp_slug, coalesce(login_id, 0), granted_by, granted_at
		FROM user_roles WHERE user_id = ? ORDER BY kind = 'manual', position, granted_at, role`
	qUserAttrs  = `SELECT name, value FROM user_attributes WHERE user_id = ? ORDER BY name, position`
	qInsertUser = `INSERT INTO users
		(idp_slug, name_id, name_key, username, email, email_key, display_name, given_name, family_name,
		 search_text, warnings, created_at, last_login_at, login_count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
		RETURNING id, login_count, idp_removed`
	// qUpdateUser writes the fields of a login; qTouchUser only what every
	// login changes (the create-only sync mode).
	qUpdateUser = `UPDATE users SET
		username = ?2, email = ?3, email_key = ?4, display_name = ?5, given_name = ?6, family_name = ?7,
		search_text = ?8, warnings = ?9, last_login_at = max(last_login_at, ?10), login_count = login_count + 1
		WHERE id = ?1 RETURNING last_login_at, login_count`
	qTouchUser = `UPDATE users SET
		warnings = ?2, last_login_at = max(last_login_at, ?3), login_count = login_count + 1
		WHERE id = ?1 RETURNING last_login_at, login_count`
	// qLinkUser moves an account to another IdP and NameID (link by email).
	qLinkUser = `UPDATE users SET idp_slug = ?2, name_id = ?3, name_key = ?4, search_text = ?5, idp_removed = 0
		WHERE id = ?1`
	qEnsureRole = `INSERT INTO roles (name) VALUES (?) ON CONFLICT (name) DO NOTHING`
	qPutGrant   = `INSERT INTO user_roles
		(user_id, role, kind, position, source, rule_id, rule_index, idp_slug, login_id, granted_by, granted_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, role, kind) DO UPDATE SET
			position = excluded.position, source = excluded.source, rule_id = excluded.rule_id,
			rule_index = excluded.rule_index, idp_slug = excluded.idp_slug, login_id = excluded.login_id,
			granted_by = excluded.granted_by, granted_at = excluded.granted_at`
	qDeleteGrant = `DELETE FROM user_roles WHERE user_id = ? AND role = ? AND kind = ?`
	qClearAttrs  = `DELETE FROM user_attributes WHERE user_id = ?`
	qAddAttr     = `INSERT INTO user_attributes (user_id, name, position, value) VALUES (?, ?, ?, ?)`
	qAddEvent    = `INSERT INTO events (at, kind, outcome, idp_slug, user_id, subject, message, detail, class)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qAddLogin = `INSERT INTO logins
		(at, idp_slug, user_id, name_id, outcome, class, reason, assertion_id, event_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qAddRecording = `INSERT INTO recordings
		(at, idp_slug, login_id, event_id, user_id, name_id, outcome, action, class, reason, hint, detail,
		 weak, remote_addr, raw_size, raw_truncated, search_text, stored_size, count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qAddRecordingRaw  = `INSERT INTO recording_raw (id, raw) VALUES (?, ?)`
	qConsumeAssertion = `INSERT INTO replay_cache (id, expires_at) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE replay_cache.expires_at <= ?`
	qTrackRequest  = `INSERT INTO request_tracker (token, request_id, idp_slug, binding, expires_at) VALUES (?, ?, ?, ?, ?)`
	qAnswerRequest = `UPDATE request_tracker SET uses = uses + 1
		WHERE token = ? AND idp_slug = ? AND uses = 0 AND expires_at > ?`
)

var preparedQueries = []string{
	qAccountByID, qFindUser, qFindUserNoCase, qFindUserByEmail, qCaseTwin, qEmailElsewhere, qUserGrants, qUserAttrs,
	qInsertUser, qUpdateUser, qTouchUser, qLinkUser, qEnsureRole, qPutGrant, qDeleteGrant,
	qClearAttrs, qAddAttr, qAddEvent, qAddLogin, qAddRecording, qAddRecordingRaw, qConsumeAssertion, qTrackRequest, qAnswerRequest,
}

// prepare prepares preparedQueries on the writer.
func (db *DB) prepare(ctx context.Context) error {
	db.stmts = make(map[string]*sql.Stmt, len(preparedQueries))
	for _, q := range preparedQueries {
		s, err := db.write.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		db.stmts[q] = s
	}
	return nil
}

// closeStmts closes the prepared statements.
func (db *DB) closeStmts() error {
	var errs []error
	for _, s := range db.stmts {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// writer is one write transaction. Its methods run a prepared statement
// when there is one for the query, the query text otherwise.
type writer struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// own notes the events the transaction inserts (wrote, in order),
	// for the watcher of events of other processes (see ownEvents).
	own   *ownEvents
	wrote []int64
}

// noteEvent remembers that the transaction inserted the event id.
func (w *writer) noteEvent(id int64) {
	w.wrote = append(w.wrote, id)
	w.own.note(id)
}

// forgetEventsFrom forgets the events the transaction inserted after the
// first n (a savepoint rolled back).
func (w *writer) forgetEventsFrom(n int) {
	w.own.forget(w.wrote[n:])
	w.wrote = w.wrote[:n]
}

func (w *writer) exec(q string, args ...any) (sql.Result, error) {
	if s, ok := w.stmts[q]; ok {
		return w.tx.StmtContext(w.ctx, s).ExecContext(w.ctx, args...)
	}
	return w.tx.ExecContext(w.ctx, q, args...)
}

func (w *writer) queryRow(q string, args ...any) *sql.Row {
	if s, ok := w.stmts[q]; ok {
		return w.tx.StmtContext(w.ctx, s).QueryRowContext(w.ctx, args...)
	}
	return w.tx.QueryRowContext(w.ctx, q, args...)
}

func (w *writer) query(q string, args ...any) (*sql.Rows, error) {
	if s, ok := w.stmts[q]; ok {
		return w.tx.StmtContext(w.ctx, s).QueryContext(w.ctx, args...)
	}
	return w.tx.QueryContext(w.ctx, q, args...)
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE, on the one writer
// connection) and commits it if fn returns nil; otherwise, or if the
// commit fails, nothing fn did remains.
func (db *DB) inTx(ctx context.Context, fn func(*writer) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	w := &writer{ctx: ctx, tx: tx, stmts: db.stmts, own: &db.own}
	if err := fn(w); err != nil {
		w.forgetEventsFrom(0) // before the rollback releases the lock
		return err
	}
	if err := tx.Commit(); err != nil {
		w.forgetEventsFrom(0)
		return commitError(ctx, err)
	}
	return nil
}

// commitError describes a failed commit. When ctx ended, database/sql may
// have rolled the transaction back first and report only sql.ErrTxDone;
// the context's error is added so that callers can tell a cancellation.
func commitError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("commit: %w (%w)", err, cerr)
	}
	return fmt.Errorf("commit: %w", err)
}

// collect reads every row of a query's result with scan and closes it.
// err is the query's own error; every error is wrapped with what.
func collect[T any](rows *sql.Rows, err error, what string, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
