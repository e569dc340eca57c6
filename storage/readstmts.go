package storage

import (
	"context"
	"database/sql"
	"sync"
)

// readStmts are the read pool's prepared statements of the queries on
// the login path (the ACS runs each once per login), prepared on first
// use; database/sql prepares each on a pooled connection when it first
// runs there.
type readStmts struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// readRow runs the read query q, prepared once, on the read pool.
func (db *DB) readRow(ctx context.Context, q string, args ...any) *sql.Row {
	rs := &db.hotReads
	rs.mu.Lock()
	s, ok := rs.stmts[q]
	if !ok {
		var err error
		if s, err = db.read.PrepareContext(ctx, q); err != nil {
			rs.mu.Unlock()
			return db.read.QueryRowContext(ctx, q, args...) // reports the same error
		}
		if rs.stmts == nil {
			rs.stmts = map[string]*sql.Stmt{}
		}
		rs.stmts[q] = s
	}
	rs.mu.Unlock()
	return s.QueryRowContext(ctx, args...)
}

// close closes the prepared statements.
func (rs *readStmts) close() error {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var first error
	for _, s := range rs.stmts {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	rs.stmts = nil
	return first
}
