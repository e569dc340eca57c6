package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// The single-use parts of a login: its assertion ID (the replay cache) and
// the sign-in request it answers (the request tracker). Both are used up
// by the login's own transaction (claimLogin, from ApplyLogin), so a
// login is accepted and its assertion and request used up together, or
// neither: two concurrent posts of one response make one account and one
// replay refusal, never two refusals.

// claimLogin is the first step of a login's transaction: when
// p.AssertionExpires is set, it records p.AssertionID in the replay cache
// until then (EREPLAYED when it is recorded and not yet expired at now)
// and, when p.RequestToken
// is set, marks that sign-in request answered (EANSWERED when another
// response answered it first). The caller's rollback undoes both when the
// login fails later.
func claimLogin(w *writer, p core.Provision, now time.Time) error {
	if p.AssertionID != "" && !p.AssertionExpires.IsZero() {
		res, err := w.exec(qConsumeAssertion, p.AssertionID, nanos(p.AssertionExpires), now.UnixNano())
		if err != nil {
			return fmt.Errorf("record assertion %q: %w", p.AssertionID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("record assertion %q: %w", p.AssertionID, err)
		} else if n == 0 {
			return core.Errorf(core.EREPLAYED, "Assertion %s was already used.", p.AssertionID)
		}
	}
	if p.RequestToken == "" {
		return nil
	}
	res, err := w.exec(qAnswerRequest, p.RequestToken, p.IdPSlug, now.UnixNano())
	if err != nil {
		return fmt.Errorf("mark the sign-in request answered: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark the sign-in request answered: %w", err)
	} else if n == 0 {
		return core.Errorf(core.EANSWERED, "The sign-in request was answered by another response, or has expired.")
	}
	return nil
}

// LookupRequest returns, without writing, the request ID bound to token
// and whether a response to it was already accepted (answered). It
// returns ENOTFOUND when the token is unknown, expired at now, or bound to
// another IdP, and EFORBIDDEN when it is bound to another browser (binding
// differs). The token is used up by the login's transaction (ApplyLogin
// with Provision.RequestToken), not here: a refused response leaves the
// request open for the IdP's next answer.
func (db *DB) LookupRequest(ctx context.Context, token, idpSlug, binding string, now time.Time) (requestID string, answered bool, err error) {
	var (
		uses    int
		boundTo string
	)
	err = db.readRow(ctx, `SELECT request_id, uses, binding FROM request_tracker
		WHERE token = ? AND idp_slug = ? AND expires_at > ?`, token, idpSlug, now.UnixNano()).Scan(&requestID, &uses, &boundTo)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, core.Errorf(core.ENOTFOUND,
			"The sign-in request is unknown, has expired, or was made for another identity provider.")
	case err != nil:
		return "", false, fmt.Errorf("look up tracked request for %q: %w", idpSlug, err)
	case boundTo != binding:
		return "", false, core.Errorf(core.EFORBIDDEN, "The sign-in request was started in another browser.")
	}
	return requestID, uses > 0, nil
}
