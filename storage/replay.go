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

// MaxPendingRequests bounds the tracked requests (SP-initiated logins
// waiting for their response). Past it, the oldest are dropped, so that
// /saml/{idp}/login cannot fill the database; a person whose request was
// dropped is refused at the ACS with "start again". Dropping the oldest
// (rather than refusing new logins) means a flood must outpace real
// people's round trips to the IdP, not just reach the cap once.
const MaxPendingRequests = 10_000

// trimEvery is how many TrackRequest calls pass between two trims to
// MaxPendingRequests: the table holds at most the cap plus trimEvery rows.
const trimEvery = 64

// TrackRequest binds the single-use RelayState token to one AuthnRequest
// ID for one IdP until expires, and to the browser that started it:
// binding is a hash of that browser's binding cookie, or "" where the
// binding is off.
func (db *DB) TrackRequest(ctx context.Context, token, requestID, idpSlug, binding string, expires time.Time) error {
	if token == "" || requestID == "" || idpSlug == "" {
		return core.Errorf(core.EINVALID, "A tracked request needs a token, a request ID and an IdP.")
	}
	_, err := db.stmts[qTrackRequest].ExecContext(ctx, token, requestID, idpSlug, binding, nanos(expires))
	if err != nil {
		return fmt.Errorf("track request %q for %q: %w", requestID, idpSlug, err)
	}
	if db.tracked.Add(1)%trimEvery == 0 {
		if err := db.trimPending(ctx); err != nil {
			return err
		}
	}
	db.maybePurge(ctx)
	return nil
}

// trimPending deletes all but the newest maxPending tracked requests.
func (db *DB) trimPending(ctx context.Context) error {
	limit := db.maxPending
	if limit <= 0 {
		limit = MaxPendingRequests
	}
	_, err := db.write.ExecContext(ctx, `DELETE FROM request_tracker WHERE token IN (
		SELECT token FROM request_tracker ORDER BY expires_at DESC, token LIMIT -1 OFFSET ?)`, limit)
	if err != nil {
		return fmt.Errorf("trim tracked requests to %d: %w", limit, err)
	}
	return nil
}

// ConsumeRequest returns the request ID bound to token and marks the token
// used. A token used before (and not yet expired) still returns its request
// ID, with alreadyUsed true. It returns ENOTFOUND when the token is unknown,
// expired at now, or bound to another IdP, and EFORBIDDEN when it is bound
// to another browser (binding differs); neither counts as a use.
func (db *DB) ConsumeRequest(ctx context.Context, token, idpSlug, binding string, now time.Time) (requestID string, alreadyUsed bool, err error) {
	var uses int
	err = db.stmts[qConsumeRequest].QueryRowContext(ctx, token, idpSlug, binding, now.UnixNano()).Scan(&requestID, &uses)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, db.whyNotConsumed(ctx, token, idpSlug, now)
	} else if err != nil {
		return "", false, fmt.Errorf("consume tracked request for %q: %w", idpSlug, err)
	}
	return requestID, uses > 1, nil
}

// whyNotConsumed tells a token bound to another browser (EFORBIDDEN) from
// one that is unknown, expired or for another IdP (ENOTFOUND).
func (db *DB) whyNotConsumed(ctx context.Context, token, idpSlug string, now time.Time) error {
	var one int
	err := db.read.QueryRowContext(ctx, `SELECT 1 FROM request_tracker
		WHERE token = ? AND idp_slug = ? AND expires_at > ?`, token, idpSlug, now.UnixNano()).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return core.Errorf(core.ENOTFOUND,
			"The sign-in request is unknown, has expired, or was made for another identity provider.")
	case err != nil:
		return fmt.Errorf("look up tracked request for %q: %w", idpSlug, err)
	}
	return core.Errorf(core.EFORBIDDEN, "The sign-in request was started in another browser.")
}

// maybePurge deletes expired replay-cache entries and tracked requests on
// every purgeEvery-th call. A failure is ignored: the next purge retries.
func (db *DB) maybePurge(ctx context.Context) {
	if db.calls.Add(1)%purgeEvery == 0 {
		_ = db.purgeExpired(ctx)
	}
}
