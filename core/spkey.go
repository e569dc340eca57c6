// The SP's signing key: loading it, and what happens when it is lost.

package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// loadSPKeyPair loads the SP's key pair. A key lost while the store keeps
// its certificate is refused with an ECONFLICT error wrapping
// ErrSPKeyMissing, unless newKey; then a new key is made, and replaced
// says so.
func loadSPKeyPair(ctx context.Context, store Store, keys KeyStore, newKey bool, now time.Time) (KeyPair, bool, error) {
	kp, replaced, err := loadOrCreateKeyPair(ctx, store, keys, SPKeyName, "JIT Console SP", now, newKey)
	if errors.Is(err, errKeyLost) {
		return KeyPair{}, false, spKeyLost(ctx, store, keys, err)
	}
	return kp, replaced, err
}

// spKeyLost is the refusal of a lost SP key: what happened, what it means
// for the connected IdPs, and what to do.
func spKeyLost(ctx context.Context, store Store, keys KeyStore, cause error) error {
	unreachable := ""
	if inFile, why := keys.Fallback(); inFile && strings.HasPrefix(why, "The OS keyring is not reachable") {
		unreachable = " " + why
	}
	trusting := "no IdP besides the demo IdP is connected"
	if slugs := externalIdPs(ctx, store); len(slugs) > 0 {
		trusting = "these IdPs trust the SP's old certificate: " + strings.Join(slugs, ", ")
	}
	return &Error{Code: ECONFLICT, Err: errors.Join(ErrSPKeyMissing, cause), Message: fmt.Sprintf(
		"The SP's private key is missing (neither in the OS keyring nor in a key file), while the database remains (%s).%s "+
			"If the keyring is locked or was not reachable, fix that and start again. "+
			"Otherwise make a new key (jitconsole serve --new-sp-key, or confirm in the window) "+
			"and give those IdPs the SP's new metadata.", trusting, unreachable)}
}

// externalIdPs lists the slugs of the connected IdPs other than the demo
// IdP (which follows the SP's key by itself).
func externalIdPs(ctx context.Context, store IdPStore) []string {
	idps, err := store.ListIdPs(ctx)
	if err != nil {
		return []string{"(the list could not be read: " + err.Error() + ")"}
	}
	var slugs []string
	for _, idp := range idps {
		if idp.Slug != DemoSlug {
			slugs = append(slugs, idp.Slug)
		}
	}
	return slugs
}

// publishSPKeyReplaced records that a new SP key replaced a lost one and
// which IdPs need the SP's new metadata.
func (c *Console) publishSPKeyReplaced(ctx context.Context) {
	slugs := externalIdPs(ctx, c.store)
	msg := "A new SP signing key replaced the lost one; no IdP besides the demo IdP needs new SP metadata"
	var detail []string
	if len(slugs) > 0 {
		msg = "A new SP signing key replaced the lost one; give these IdPs the SP's new metadata: " + strings.Join(slugs, ", ")
		for _, s := range slugs {
			if base := c.BaseURL(); base != "" {
				detail = append(detail, s+": "+EndpointsFor(base, s).MetadataURL)
			} else {
				detail = append(detail, s)
			}
		}
	}
	c.publish(ctx, Event{Kind: EventSPKeyReplaced, Outcome: OutcomeWarning, Message: msg,
		Detail: "New certificate " + CertFingerprint(c.sp.key.Cert) + "\n" + strings.Join(detail, "\n")})
}
