// The SP's HTTP endpoints: metadata, SP-initiated login, and the
// ServiceProvider of each IdP connection.

package core

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
)

// requestLifetime is how long an SP-initiated login may take at the IdP.
const requestLifetime = 10 * time.Minute

// spServer is the SAML service provider: one entity and signing key, one
// crewjam ServiceProvider per connected IdP (built from its metadata and
// cached until the IdP changes).
type spServer struct {
	c   *Console
	key KeyPair

	mu  sync.Mutex
	sps map[string]cachedSP // by slug

	welcome welcomeSessions
}

type cachedSP struct {
	updated time.Time
	base    string
	sp      *saml.ServiceProvider
}

// withReplayCheck returns a copy of the cached sp whose replay cache is
// the check-only seenAssertions of one login, for the ACS: the copy is
// the request's own, so the deadline crewjam gives the assertion reaches
// the login's transaction.
func withReplayCheck(ctx context.Context, sp *saml.ServiceProvider, store RequestStore, now time.Time) (*saml.ServiceProvider, *seenAssertions) {
	seen := &seenAssertions{ctx: ctx, store: store, now: now}
	own := *sp
	own.ReplayCache = seen
	return &own, seen
}

func mustParseURL(s string) url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(fmt.Sprintf("parse URL %q: %v", s, err))
	}
	return *u
}

// serviceProvider returns the crewjam ServiceProvider for idp.
func (s *spServer) serviceProvider(idp IdP) (*saml.ServiceProvider, error) {
	base := s.c.BaseURL()
	s.mu.Lock()
	cached, ok := s.sps[idp.Slug]
	s.mu.Unlock()
	if ok && cached.updated.Equal(idp.UpdatedAt) && cached.base == base {
		return cached.sp, nil
	}
	// A draft has no metadata yet: its SP serves its own metadata and
	// nothing else (the login and the ACS refuse a draft first).
	md := &saml.EntityDescriptor{}
	if !idp.IsDraft() {
		var err error
		if md, err = samlsp.ParseMetadata([]byte(idp.MetadataXML)); err != nil {
			return nil, fmt.Errorf("parse metadata of IdP %q: %w", idp.Slug, err)
		}
	}
	sp := newServiceProvider(spOptions{metadata: md, security: idp.Security, ep: s.c.Endpoints(idp.Slug),
		key: s.key.Key, cert: s.key})
	s.mu.Lock()
	s.sps[idp.Slug] = cachedSP{updated: idp.UpdatedAt, base: base, sp: sp}
	s.mu.Unlock()
	return sp, nil
}

// routes registers the SP's endpoints and the demo IdP's on mux.
func (s *spServer) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.serveIndex)
	mux.HandleFunc("GET /saml/metadata", s.serveEntityMetadata)
	mux.HandleFunc("GET /saml/{idp}/metadata", s.serveMetadata)
	mux.HandleFunc("GET /saml/{idp}/login", s.serveLogin)
	mux.HandleFunc("/saml/{idp}/acs", s.serveACS)
	mux.HandleFunc("GET /welcome", s.serveWelcome)
}

func (s *spServer) lookupIdP(w http.ResponseWriter, r *http.Request) (IdP, *saml.ServiceProvider, bool) {
	slug := r.PathValue("idp")
	idp, err := s.c.cachedIdP(r.Context(), slug)
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			s.renderError(w, http.StatusNotFound, "Unknown identity provider",
				fmt.Sprintf("No identity provider is connected as %q.", slug), "", 0)
		} else {
			s.c.log.Error("look up IdP", "slug", slug, "err", err)
			s.renderError(w, http.StatusServiceUnavailable, "Something went wrong", "The console could not read its database.", "Try again in a moment; if it persists, run jitconsole db check.", 0)
		}
		return IdP{}, nil, false
	}
	sp, err := s.serviceProvider(idp)
	if err != nil {
		s.c.log.Error("build service provider", "slug", slug, "err", err)
		s.renderError(w, http.StatusInternalServerError, "Identity provider misconfigured",
			fmt.Sprintf("The metadata of %s cannot be read.", idp.DisplayName), "Import the IdP's metadata again.", 0)
		return IdP{}, nil, false
	}
	return idp, sp, true
}

func (s *spServer) serveMetadata(w http.ResponseWriter, r *http.Request) {
	_, sp, ok := s.lookupIdP(w, r)
	if !ok {
		return
	}
	writeXML(w, sp.Metadata())
}

// serveEntityMetadata serves the SP entity's metadata at its entity ID,
// listing the ACS of every connected IdP.
func (s *spServer) serveEntityMetadata(w http.ResponseWriter, r *http.Request) {
	idps, err := s.c.store.ListIdPs(r.Context())
	if err != nil || len(idps) == 0 {
		http.Error(w, "no identity provider connected", http.StatusNotFound)
		return
	}
	sp, err := s.serviceProvider(idps[0])
	if err != nil {
		http.Error(w, "metadata unavailable", http.StatusInternalServerError)
		return
	}
	md := sp.Metadata()
	if len(md.SPSSODescriptors) == 1 {
		var acs []saml.IndexedEndpoint
		for i, idp := range idps {
			acs = append(acs, saml.IndexedEndpoint{Binding: saml.HTTPPostBinding,
				Location: s.c.Endpoints(idp.Slug).ACSURL, Index: i + 1})
		}
		md.SPSSODescriptors[0].AssertionConsumerServices = acs
	}
	writeXML(w, md)
}

func writeXML(w http.ResponseWriter, v any) {
	buf, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, "cannot encode metadata", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(buf)
}

// serveLogin starts an SP-initiated login: it makes an AuthnRequest, binds
// its ID to a single-use RelayState token and to this browser (see
// bindBrowser), and redirects to the IdP.
func (s *spServer) serveLogin(w http.ResponseWriter, r *http.Request) {
	if target, ok := loopbackAlias(s.c.BaseURL(), r); ok {
		// The binding cookie must be set on the base URL's host, where
		// the IdP will post the response.
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	idp, sp, ok := s.lookupIdP(w, r)
	if !ok {
		return
	}
	if idp.IsDraft() {
		v := classified(ClassIdPDraft, nil)
		s.renderError(w, http.StatusForbidden, "Identity provider not connected yet",
			fmt.Sprintf("%s is waiting for its metadata, so it cannot sign anyone in yet.", idp.DisplayName), v.Hint, 0)
		return
	}
	if !idp.Enabled || !s.c.demoServes(idp.Slug) {
		s.renderError(w, http.StatusForbidden, "Identity provider disabled",
			fmt.Sprintf("Sign-in through %s is switched off.", idp.DisplayName), "An administrator can enable it in JIT Console.", 0)
		return
	}
	ssoURL := sp.GetSSOBindingLocation(saml.HTTPRedirectBinding)
	if ssoURL == "" {
		s.renderError(w, http.StatusBadGateway, "Identity provider misconfigured",
			fmt.Sprintf("%s publishes no HTTP-Redirect single sign-on endpoint.", idp.DisplayName), "", 0)
		return
	}
	req, err := sp.MakeAuthenticationRequest(ssoURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		s.c.log.Error("make AuthnRequest", "idp", idp.Slug, "err", err)
		s.renderError(w, http.StatusInternalServerError, "Something went wrong", "The sign-in request could not be made.", "", 0)
		return
	}
	token := randomToken()
	now := s.c.clock.Now()
	binding := s.bindBrowser(w, r)
	if err := s.c.store.TrackRequest(r.Context(), token, req.ID, idp.Slug, binding, now.Add(requestLifetime)); err != nil {
		s.c.log.Error("track AuthnRequest", "idp", idp.Slug, "err", err)
		s.renderError(w, http.StatusServiceUnavailable, "The console could not save the sign-in request",
			"The console could not save the sign-in request: its database could not be written.",
			"The disk may be full or the database read-only; check the disk, then start the sign-in again.", 0)
		return
	}
	redirect, err := req.Redirect(token, sp)
	if err != nil {
		s.c.log.Error("encode AuthnRequest", "idp", idp.Slug, "err", err)
		s.renderError(w, http.StatusInternalServerError, "Something went wrong", "The sign-in request could not be encoded.", "", 0)
		return
	}
	if token := r.URL.Query().Get(personaSignInParam); token != "" && idp.Slug == DemoSlug {
		// A one-time "Sign in as…" token (MintPersonaSignIn) for the
		// demo IdP, which alone can redeem it.
		q := redirect.Query()
		q.Set(personaSignInParam, token)
		redirect.RawQuery = q.Encode()
	}
	// Anyone can start sign-ins (a page's <img> will do): those from one
	// address to one IdP within a minute share one event, with a count.
	s.c.publishCoalesced(r.Context(), Event{Kind: EventLoginStarted, Outcome: OutcomeInfo, IdPSlug: idp.Slug,
		Subject: remoteIP(r.RemoteAddr), Message: fmt.Sprintf("Sign-in started: sent to %s", idp.DisplayName)})
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

func randomToken() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// serveIndex is a small landing page with a sign-in link per IdP.
func (s *spServer) serveIndex(w http.ResponseWriter, r *http.Request) {
	idps, err := s.c.store.ListIdPs(r.Context())
	if err != nil {
		http.Error(w, "database unavailable", http.StatusInternalServerError)
		return
	}
	type link struct{ Name, LoginURL, MetadataURL string }
	var links []link
	for _, idp := range idps {
		if idp.Enabled && s.c.demoServes(idp.Slug) {
			ep := s.c.Endpoints(idp.Slug)
			links = append(links, link{idp.DisplayName, ep.LoginURL, ep.MetadataURL})
		}
	}
	render(w, http.StatusOK, "index.html", map[string]any{"IdPs": links})
}

// forget drops the cached ServiceProvider of a removed IdP.
func (s *spServer) forget(slug string) {
	s.mu.Lock()
	delete(s.sps, slug)
	s.mu.Unlock()
}
