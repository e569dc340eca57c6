package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// The validator's read-only view of the ACS's state: what the replay
// cache and the request tracker would say, without writing either.

// AssertionSeen reports whether the assertion ID is in the replay cache
// and not yet expired at now: the ACS would refuse it as replayed.
func (db *DB) AssertionSeen(ctx context.Context, id string, now time.Time) (bool, error) {
	var n int
	err := db.readRow(ctx, `SELECT count(*) FROM replay_cache WHERE id = ? AND expires_at > ?`,
		id, now.UnixNano()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up assertion %q in the replay cache: %w", id, err)
	}
	return n > 0, nil
}

// PendingRequest reports whether requestID is a sign-in request of the IdP
// idpSlug that is tracked and not expired at now, and whether a response
// to it was already accepted or tried (answered).
func (db *DB) PendingRequest(ctx context.Context, requestID, idpSlug string, now time.Time) (found, answered bool, err error) {
	var uses int
	err = db.read.QueryRowContext(ctx, `SELECT max(uses) FROM request_tracker
		WHERE request_id = ? AND idp_slug = ? AND expires_at > ? HAVING count(*) > 0`,
		requestID, idpSlug, now.UnixNano()).Scan(&uses)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	} else if err != nil {
		return false, false, fmt.Errorf("look up sign-in request %q: %w", requestID, err)
	}
	return true, uses > 0, nil
}

// LinkCandidate returns the account of another IdP than idpSlug that a
// login with email (any case) would take over when the IdP links by email,
// as ApplyLogin chooses it; ENOTFOUND when there is none.
func (db *DB) LinkCandidate(ctx context.Context, email, idpSlug string) (core.User, error) {
	u, found, err := scanAccount(db.read.QueryRowContext(ctx, qFindUserByEmail, foldKey(email), idpSlug))
	if err != nil {
		return core.User{}, fmt.Errorf("find an account with email %q: %w", email, err)
	}
	if !found {
		return core.User{}, core.Errorf(core.ENOTFOUND, "No account of another IdP has the email %s.", email)
	}
	return u, nil
}
