// A cookie jar for the console's own HTTP clients (simulate, demo
// logins) that treats loopback as a secure context.

package core

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
)

// NewBrowserJar returns a cookie jar that treats http on localhost and
// loopback addresses as a secure context, as browsers do: it keeps and
// sends back Secure cookies there (Go's cookiejar sends a Secure cookie
// only over https). Non-browser clients of the console (the simulator,
// tests, load tools) need it for the login-binding cookie, which is
// always Secure.
func NewBrowserJar() http.CookieJar {
	jar, _ := cookiejar.New(nil) // never fails without options
	return loopbackSecureJar{jar}
}

type loopbackSecureJar struct{ inner *cookiejar.Jar }

// SetCookies implements http.CookieJar.
func (j loopbackSecureJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	j.inner.SetCookies(asSecureContext(u), cookies)
}

// Cookies implements http.CookieJar.
func (j loopbackSecureJar) Cookies(u *url.URL) []*http.Cookie {
	return j.inner.Cookies(asSecureContext(u))
}

// asSecureContext returns u with the https scheme when it is http to a
// loopback host (the jar files cookies by host, not by scheme or port).
func asSecureContext(u *url.URL) *url.URL {
	if u.Scheme != "http" || !isLoopbackName(u.Hostname()) {
		return u
	}
	s := *u
	s.Scheme = "https"
	return &s
}
