package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// purgeEvery is how many ConsumeAssertion and TrackRequest calls pass
// between two purges of expired rows.
const purgeEvery = 512

// ConsumeAssertion records an assertion ID until expires. It returns an
// error with code EREPLAYED when the ID is recorded and not yet expired (by
// the DB clock); an expired entry is replaced. The cache is in the
// database, so it survives restarts.
func (db *DB) ConsumeAssertion(ctx context.Context, id string, expires time.Time) error {
	if id == "" {
		return core.Errorf(core.EINVALID, "The assertion has no ID.")
	}
	now := db.now()
	res, err := db.stmts[qConsumeAssertion].ExecContext(ctx, id, nanos(expires), now.UnixNano())
	if err != nil {
		return fmt.Errorf("record assertion %q: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("record assertion %q: %w", id, err)
	}
	if n == 0 {
		return core.Errorf(core.EREPLAYED, "Assertion %s was already used.", id)
	}
	db.maybePurge(ctx)
	return nil
}

// TrackRequest binds the single-use RelayState token to one AuthnRequest
// ID for one IdP until expires.
func (db *DB) TrackRequest(ctx context.Context, token, requestID, idpSlug string, expires time.Time) error {
	if token == "" || requestID == "" || idpSlug == "" {
		return core.Errorf(core.EINVALID, "A tracked request needs a token, a request ID and an IdP.")
	}
	_, err := db.stmts[qTrackRequest].ExecContext(ctx, token, requestID, idpSlug, nanos(expires))
	if err != nil {
		return fmt.Errorf("track request %q for %q: %w", requestID, idpSlug, err)
	}
	db.maybePurge(ctx)
	return nil
}

// ConsumeRequest returns the request ID bound to token and marks the token
// used. A token used before (and not yet expired) still returns its request
// ID, with alreadyUsed true. It returns ENOTFOUND when the token is unknown,
// expired at now, or bound to another IdP; such a try does not count as a
// use.
func (db *DB) ConsumeRequest(ctx context.Context, token, idpSlug string, now time.Time) (requestID string, alreadyUsed bool, err error) {
	var uses int
	err = db.stmts[qConsumeRequest].QueryRowContext(ctx, token, idpSlug, now.UnixNano()).Scan(&requestID, &uses)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, core.Errorf(core.ENOTFOUND,
			"The sign-in request is unknown, has expired, or was made for another identity provider.")
	} else if err != nil {
		return "", false, fmt.Errorf("consume tracked request for %q: %w", idpSlug, err)
	}
	return requestID, uses > 1, nil
}

// maybePurge deletes expired replay-cache entries and tracked requests on
// every purgeEvery-th call. A failure is ignored: the next purge retries.
func (db *DB) maybePurge(ctx context.Context) {
	if db.calls.Add(1)%purgeEvery == 0 {
		_ = db.purgeExpired(ctx)
	}
}
