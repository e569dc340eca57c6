package storage

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/jitconsole/jitconsole/core"
)

// eventColumns are the columns scanEvent reads.
const eventColumns = `id, at, kind, outcome, idp_slug, user_id, subject, message, detail, class, count`

func scanEvent(s scanner) (core.Event, error) {
	var (
		e      core.Event
		at     int64
		userID sql.NullInt64
	)
	err := s.Scan(&e.ID, &at, &e.Kind, &e.Outcome, &e.IdPSlug, &userID, &e.Subject, &e.Message, &e.Detail, &e.Class, &e.Count)
	e.At, e.UserID, e.Count = fromNanos(at), userID.Int64, repeated(e.Count)
	return e, err
}

// repeated is a stored count as core's Count fields hold it: 0 for one
// request, n for a row that stands for n > 1.
func repeated(n int) int {
	if n <= 1 {
		return 0
	}
	return n
}

// RecentEvents returns up to limit events, newest first.
func (db *DB) RecentEvents(ctx context.Context, limit int) ([]core.Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM events ORDER BY at DESC, id DESC LIMIT ?`, limit)
	return collect(rows, err, "read recent events", scanEvent)
}

// auditKindsSQL is the condition of the partial index events_audit on
// the audit log's kinds (core.AuditKinds), word for word: SQLite uses a
// partial index only for a query whose WHERE implies the index's, which
// it proves for a term identical to it. TestAuditKindsSQL keeps the two
// in step.
const auditKindsSQL = "(kind = 'admin.change' OR kind = 'idp.registered' OR kind = 'idp.removed' OR kind = 'scim.deprovisioned')"

// ListEvents returns the events f selects, newest first: of the kinds
// f.Kinds (all when empty), of f.IdPSlug (all when empty), at or after
// f.Since; at most f.Limit of them (0: no limit). The audit log (kinds
// among core.EventAdminChange, core.EventIdPRegistered and
// core.EventIdPRemoved) is read from its own index, not by walking every
// login's event.
func (db *DB) ListEvents(ctx context.Context, f core.EventFilter) ([]core.Event, error) {
	q, args := eventsQuery(f)
	rows, err := db.read.QueryContext(ctx, q, args...)
	return collect(rows, err, "list events", scanEvent)
}

// eventsQuery is ListEvents' query for f and its arguments.
func eventsQuery(f core.EventFilter) (string, []any) {
	var (
		where []string
		args  []any
	)
	if len(f.Kinds) > 0 {
		// Kinds are written as literals (quoted), as the condition of
		// the audit log's partial index must be.
		lits := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			lits[i] = sqlString(string(k))
		}
		audit := true
		for _, k := range f.Kinds {
			audit = audit && slices.Contains(core.AuditKinds, k)
		}
		if audit {
			where = append(where, auditKindsSQL)
		}
		if len(lits) == 1 {
			where = append(where, "kind = "+lits[0])
		} else {
			where = append(where, "kind IN ("+strings.Join(lits, ", ")+")")
		}
	}
	if f.IdPSlug != "" {
		where, args = append(where, "idp_slug = ?"), append(args, f.IdPSlug)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.Since.UnixNano())
	}
	q := `SELECT ` + eventColumns + ` FROM events`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // no limit
	}
	return q + ` ORDER BY at DESC, id DESC LIMIT ?`, append(args, limit)
}

// sqlString is s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
