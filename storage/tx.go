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
	qFindUser      = `SELECT id, username, email, display_name FROM users WHERE idp_slug = ? AND name_id = ?`
	qUserRoleNames = `SELECT role FROM user_roles WHERE user_id = ? ORDER BY position`
	qUpsertUser    = `INSERT INTO users
		(idp_slug, name_id, username, email, display_name, search_text, created_at, last_login_at, login_count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
		ON CONFLICT (idp_slug, name_id) DO UPDATE SET
			username = excluded.username, email = excluded.email,
			display_name = excluded.display_name, search_text = excluded.search_text,
			last_login_at = max(users.last_login_at, excluded.last_login_at),
			login_count = users.login_count + 1
		RETURNING id, created_at, last_login_at, login_count, idp_removed`
	qEnsureRole = `INSERT INTO roles (name) VALUES (?) ON CONFLICT (name) DO NOTHING`
	qClearRoles = `DELETE FROM user_roles WHERE user_id = ?`
	qGrantRole  = `INSERT INTO user_roles (user_id, position, role, source) VALUES (?, ?, ?, ?)`
	qClearAttrs = `DELETE FROM user_attributes WHERE user_id = ?`
	qAddAttr    = `INSERT INTO user_attributes (user_id, name, position, value) VALUES (?, ?, ?, ?)`
	qAddEvent   = `INSERT INTO events (at, kind, outcome, idp_slug, user_id, subject, message, detail, class)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qAddLogin = `INSERT INTO logins
		(at, idp_slug, user_id, name_id, outcome, class, reason, assertion_id, event_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qAddRecording = `INSERT INTO recordings
		(at, idp_slug, login_id, event_id, user_id, name_id, outcome, action, class, reason, hint, detail,
		 weak, remote_addr, raw_size, raw_truncated, search_text)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	qAddRecordingRaw  = `INSERT INTO recording_raw (id, raw) VALUES (?, ?)`
	qConsumeAssertion = `INSERT INTO replay_cache (id, expires_at) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE replay_cache.expires_at <= ?`
	qTrackRequest   = `INSERT INTO request_tracker (token, request_id, idp_slug, expires_at) VALUES (?, ?, ?, ?)`
	qConsumeRequest = `UPDATE request_tracker SET uses = uses + 1
		WHERE token = ? AND idp_slug = ? AND expires_at > ?
		RETURNING request_id, uses`
)

var preparedQueries = []string{
	qFindUser, qUserRoleNames, qUpsertUser, qEnsureRole, qClearRoles, qGrantRole,
	qClearAttrs, qAddAttr, qAddEvent, qAddLogin, qAddRecording, qAddRecordingRaw, qConsumeAssertion, qTrackRequest, qConsumeRequest,
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
	if err := fn(&writer{ctx: ctx, tx: tx, stmts: db.stmts}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
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
