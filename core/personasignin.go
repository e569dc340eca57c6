// One-time "Sign in as…" links: the console mints a single-use token for
// one click on a persona, and the demo IdP signs that persona in directly
// when the AuthnRequest arrives with it. A bare persona name in a URL
// would let any page sign a visitor's browser in as a persona (login
// CSRF); a token only the console can make, used once, does not.

package core

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// PersonaSignInLifetime is how long a minted "Sign in as…" link works.
const PersonaSignInLifetime = 5 * time.Minute

// personaSignInParam is the query parameter of the login URL (and of the
// redirect to the demo IdP) that carries a one-time sign-in token.
const personaSignInParam = "signin"

// maxPersonaSignIns bounds the tokens held at once (each click makes one;
// used and expired ones are dropped as new ones are made).
const maxPersonaSignIns = 1000

// personaSignIns holds the minted one-time tokens in memory: a restart
// forgets them, which only sends their links to the picker.
type personaSignIns struct {
	mu     sync.Mutex
	tokens map[string]personaSignIn
}

type personaSignIn struct {
	persona string
	expires time.Time
	used    bool
}

// MintPersonaSignIn returns the SP-initiated login URL of the demo IdP
// that signs in persona id without the picker, once, within
// PersonaSignInLifetime. It fails when the persona does not exist.
func (c *Console) MintPersonaSignIn(ctx context.Context, id string) (string, error) {
	ps, err := c.store.ListPersonas(ctx)
	if err != nil {
		return "", fmt.Errorf("read personas: %w", err)
	}
	found := false
	for _, p := range ps {
		found = found || p.ID == id
	}
	if !found {
		return "", Errorf(ENOTFOUND, "The demo IdP has no persona %q.", id)
	}
	b := make([]byte, 24) // 192 bits
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a sign-in token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	c.signIns.add(token, personaSignIn{persona: id, expires: c.clock.Now().Add(PersonaSignInLifetime)}, c.clock.Now())
	return c.Endpoints(DemoSlug).LoginURL + "?" + personaSignInParam + "=" + url.QueryEscape(token), nil
}

func (s *personaSignIns) add(token string, in personaSignIn, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		s.tokens = map[string]personaSignIn{}
	}
	for t, old := range s.tokens {
		if !now.Before(old.expires) {
			delete(s.tokens, t)
		}
	}
	for t := range s.tokens {
		if len(s.tokens) < maxPersonaSignIns {
			break
		}
		delete(s.tokens, t)
	}
	s.tokens[token] = in
}

// consume returns the persona of token and marks it used, or a sentence
// for the picker saying why the link signs nobody in.
func (s *personaSignIns) consume(token string, now time.Time) (persona, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.tokens[token]
	switch {
	case !ok:
		return "", "This sign-in link is not one this console made (or the console restarted since): pick a person below."
	case in.used:
		return "", "This sign-in link was already used: pick a person below, or use Sign in as… in JIT Console again."
	case !now.Before(in.expires):
		delete(s.tokens, token)
		return "", "This sign-in link expired: pick a person below, or use Sign in as… in JIT Console again."
	}
	in.used = true
	s.tokens[token] = in
	return in.persona, ""
}
