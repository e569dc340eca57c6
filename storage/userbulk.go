package storage

// Reading and changing every account a filter selects, however many there
// are: counting them, reading them in batches, disabling them in one go.

import (
	"context"
	"fmt"
	"slices"

	"github.com/jitconsole/jitconsole/core"
)

// matchBatch is how many accounts ForEachMatchingUser reads per query.
const matchBatch = 500

// CountUsers counts the accounts f selects (its Limit and Offset aside),
// with the same conditions as ListUsers.
func (db *DB) CountUsers(ctx context.Context, f core.UserFilter) (int, error) {
	where, args, err := userWhere(f)
	if err != nil {
		return 0, err
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM users u`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// ForEachMatchingUser calls fn with every account f selects (its Limit
// and Offset aside), newest first as ListUsers orders them, reading
// matchBatch accounts per query so that memory does not grow with the
// number of accounts; it stops at fn's first error. Each batch continues
// after the last account of the previous one, so an account created or
// deleted meanwhile neither repeats nor shifts another out.
func (db *DB) ForEachMatchingUser(ctx context.Context, f core.UserFilter, fn func(core.User) error) error {
	where, args, err := userWhere(f)
	if err != nil {
		return err
	}
	joiner := " WHERE "
	if where != "" {
		joiner = " AND "
	}
	var last *core.User
	for {
		q, a := `SELECT `+userColumns+` FROM users u`+where, slices.Clone(args)
		if last != nil {
			// A row value: SQLite walks the (created_at, id) index from it.
			q += joiner + `(u.created_at, u.id) < (?, ?)`
			a = append(a, last.CreatedAt.UnixNano(), last.ID)
		}
		q += ` ORDER BY u.created_at DESC, u.id DESC LIMIT ?`
		a = append(a, matchBatch)
		rows, err := db.read.QueryContext(ctx, q, a...)
		batch, err := collect(rows, err, "read users", scanUser)
		if err != nil {
			return err
		}
		for _, u := range batch {
			if err := fn(u); err != nil {
				return err
			}
		}
		if len(batch) < matchBatch {
			return nil
		}
		last = &batch[len(batch)-1]
	}
}

// SetMatchingUsersDisabled disables (or enables) every account f selects
// (its Limit and Offset aside) in one transaction with one audit event,
// as SetUsersDisabled does for a list of IDs; accounts already in that
// state are skipped, and when none changed there is no event.
func (db *DB) SetMatchingUsersDisabled(ctx context.Context, f core.UserFilter, disabled bool, by string) (int, core.Event, error) {
	where, args, err := userWhere(f)
	if err != nil {
		return 0, core.Event{}, err
	}
	cond := " WHERE u.disabled <> ?"
	if where != "" {
		cond = where + " AND u.disabled <> ?"
	}
	args = append([]any{disabled}, append(args, disabled)...)
	n, ev, err := db.setDisabled(ctx, disabled, by, `UPDATE users AS u SET disabled = ?`+cond+`
			RETURNING id, idp_slug, name_id, username, display_name`, args...)
	if err != nil {
		return 0, core.Event{}, fmt.Errorf("set the matching accounts disabled=%t: %w", disabled, err)
	}
	return n, ev, nil
}
