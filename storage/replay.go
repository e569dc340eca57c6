package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// purgeEvery is how many ApplyLogin and TrackRequest calls pass
// between two purges of expired rows.
const purgeEvery = 512

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

// maybePurge deletes expired replay-cache entries and tracked requests on
// every purgeEvery-th call. A failure is ignored: the next purge retries.
func (db *DB) maybePurge(ctx context.Context) {
	if db.calls.Add(1)%purgeEvery == 0 {
		_ = db.purgeExpired(ctx)
	}
}
