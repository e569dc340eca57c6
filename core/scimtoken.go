// The per-IdP SCIM bearer token: made here, shown once, stored only as
// its SHA-256 hash, compared in constant time.

package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
)

// SCIMTokenPrefix starts every SCIM token, so that one pasted into the
// wrong place (or leaked into a repository) is recognisable.
const SCIMTokenPrefix = "jitc_scim_"

// NewSCIMToken makes (or, when one exists, replaces: rotation) the SCIM
// bearer token of the IdP and returns it. This is the only time the token
// is seen: the store keeps its hash, and the old token stops working at
// once.
func (c *Console) NewSCIMToken(ctx context.Context, idpSlug string) (string, error) {
	if c.readOnly {
		return "", errReadOnly
	}
	if _, err := c.store.GetIdP(ctx, idpSlug); err != nil {
		return "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("make a SCIM token: %w", err)
	}
	token := SCIMTokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	_, had := c.store.SCIMTokenHash(ctx, idpSlug)
	verb := "made"
	if had == nil {
		verb = "rotated (the old token no longer works)"
	}
	ev, err := c.store.SetSCIMTokenHash(ctx, idpSlug, scimTokenHash(token), Event{
		At: c.clock.Now(), Kind: EventAdminChange, Outcome: OutcomeInfo, IdPSlug: idpSlug, Subject: osUser(),
		Message: fmt.Sprintf("SCIM token of %s %s", idpSlug, verb)})
	if err != nil {
		return "", fmt.Errorf("store the SCIM token of %s: %w", idpSlug, err)
	}
	c.publishStored(ev)
	return token, nil
}

// scimTokenHash is what the store keeps of a token. A token has 256
// random bits: a plain SHA-256 is enough, no slow password hash needed.
func scimTokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// scimAuthorized reports whether the request's bearer token is the IdP's
// SCIM token. Hashes are compared, in constant time.
func (c *Console) scimAuthorized(ctx context.Context, idpSlug, authorization string) bool {
	scheme, token, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return false
	}
	want, err := c.store.SCIMTokenHash(ctx, idpSlug)
	if err != nil || len(want) != sha256.Size {
		return false
	}
	return subtle.ConstantTimeCompare(scimTokenHash(strings.TrimSpace(token)), want) == 1
}

// HasSCIMToken reports whether the IdP has a SCIM token (its hash).
func (c *Console) HasSCIMToken(ctx context.Context, idpSlug string) (bool, error) {
	_, err := c.store.SCIMTokenHash(ctx, idpSlug)
	switch {
	case err == nil:
		return true, nil
	case ErrorCode(err) == ENOTFOUND:
		return false, nil
	default:
		return false, err
	}
}

// SCIMBaseURL is the base URL of the IdP's SCIM service provider under
// the console's public base URL base.
func SCIMBaseURL(base, idpSlug string) string {
	return strings.TrimRight(base, "/") + "/scim/" + url.PathEscape(idpSlug) + "/v2"
}
