// Binding a sign-in to the browser that started it (a cookie whose hash
// the tracked request keeps).

package core

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Login binding (login CSRF): /saml/{idp}/login gives the browser a random
// cookie and stores its hash with the tracked request; the ACS accepts the
// RelayState token only with the same cookie. The IdP's POST to the ACS is
// cross-site, so the cookie must be SameSite=None, which browsers accept
// only with Secure: on https, and on localhost or a loopback address
// (which browsers treat as secure). On other plain-http host names the
// binding is off, and the console says so.
//
// An IdP-initiated post (a RelayState that is no tracked request's token,
// or none) is unaffected: it is refused or accepted as before, by the
// IdP's IdP-initiated setting.

// Names of the binding cookie: with the __Host- prefix on https (so that
// a sibling subdomain cannot plant one), plain on loopback http, where
// browsers may refuse the prefix.
const (
	bindingCookie       = "jitconsole_login"
	bindingCookieSecure = "__Host-jitconsole_login"
)

// BrowserBinding says whether SP-initiated logins are bound to the browser
// that started them, and, when they are not, why, for a person.
func (c *Console) BrowserBinding() (on bool, why string) {
	base := c.BaseURL()
	if bindingOn(base) {
		return true, ""
	}
	return false, fmt.Sprintf("Sign-ins are not tied to the browser that started them (login CSRF protection is off): "+
		"the base URL %s is plain http on a host that is not this computer, where browsers do not send the "+
		"needed SameSite=None cookie back. Serve the console over https (for example behind a TLS proxy) and set an https base URL.", base)
}

// bindingOn tells whether the binding works for the base URL base.
func bindingOn(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	return u.Scheme == "https" || (u.Scheme == "http" && isLoopbackName(u.Hostname()))
}

func bindingCookieName(base string) string {
	if u, err := url.Parse(base); err == nil && u.Scheme == "https" {
		return bindingCookieSecure
	}
	return bindingCookie
}

// bindBrowser gives the browser its binding cookie (keeping the one it
// has, so that logins in several tabs all stay valid) and returns the hash
// to store with the tracked request; "" where the binding is off.
func (s *spServer) bindBrowser(w http.ResponseWriter, r *http.Request) string {
	base := s.c.BaseURL()
	if !bindingOn(base) {
		return ""
	}
	name := bindingCookieName(base)
	value := ""
	if ck, err := r.Cookie(name); err == nil && validBindingValue(ck.Value) {
		value = ck.Value
	} else {
		value = randomToken()
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true,
		Secure: true, SameSite: http.SameSiteNoneMode, MaxAge: int(requestLifetime / time.Second)})
	return bindingHash(value)
}

// postedBinding is the hash of the binding cookie a post to the ACS
// carries; "" when it carries none or the binding is off.
func (s *spServer) postedBinding(r *http.Request) string {
	base := s.c.BaseURL()
	if !bindingOn(base) {
		return ""
	}
	ck, err := r.Cookie(bindingCookieName(base))
	if err != nil || !validBindingValue(ck.Value) {
		return ""
	}
	return bindingHash(ck.Value)
}

// validBindingValue accepts what randomToken makes: 24 base64url bytes.
func validBindingValue(v string) bool {
	if len(v) != 24 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func bindingHash(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

// secureCookies tells whether cookies get the Secure attribute: when the
// base URL is https.
func (c *Console) secureCookies() bool {
	u, err := url.Parse(c.BaseURL())
	return err == nil && u.Scheme == "https"
}

// loopbackAlias returns the URL of r on the base URL's host when r came to
// another name of this computer on the same port (127.0.0.1 for a base
// URL of localhost, say): a sign-in started there would set the binding
// cookie for a host the IdP's response is not posted to, and fail as
// "started in another browser". Only loopback names are redirected, so a
// proxy that forwards with another Host header never loops.
func loopbackAlias(base string, r *http.Request) (string, bool) {
	u, err := url.Parse(base)
	if err != nil || !bindingOn(base) || strings.Trim(u.Path, "/") != "" {
		return "", false
	}
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host, port = r.Host, ""
	}
	basePort := u.Port()
	if basePort == "" {
		basePort = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if port == "" {
		port = map[bool]string{false: "80", true: "443"}[r.TLS != nil]
	}
	if !isLoopbackName(host) || !isLoopbackName(u.Hostname()) || port != basePort ||
		strings.EqualFold(strings.Trim(host, "[]"), u.Hostname()) {
		return "", false
	}
	return strings.TrimRight(base, "/") + r.URL.RequestURI(), true
}
