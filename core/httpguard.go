// The listener's HTTP guard: timeouts, security headers, the Content
// Security Policy and the Host check.

package core

import (
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jitconsole/jitconsole/assets"
)

// Timeouts and limits of the SP listener's http.Server. A real IdP's POST
// and a slow laptop finish well within them; a client that trickles its
// body, or keeps an idle connection, is cut off.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	// MaxHeaderBytes bounds the request line and headers (Go's default is
	// 1 MiB; a SAML redirect URL is a few KiB).
	MaxHeaderBytes = 64 << 10
)

// newHTTPServer is the listener's server: the guarded handler with the
// timeouts above. readTimeout, when not zero, replaces DefaultReadTimeout
// (tests lower it).
func newHTTPServer(h http.Handler, readTimeout time.Duration) *http.Server {
	if readTimeout <= 0 {
		readTimeout = DefaultReadTimeout
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(DefaultReadHeaderTimeout, readTimeout),
		ReadTimeout:       readTimeout,
		WriteTimeout:      DefaultWriteTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// Inline code of the pages the listener serves, allowed by hash in the
// Content-Security-Policy (constant code, so no per-response nonce):
// the style sheet every page of assets/templates inlines, and the two
// scripts of crewjam's HTTP-POST response form (the demo IdP's
// auto-submitting form; identity_provider.go defaultResponseFormTemplate).
// TestEveryInlineScriptAndStyleIsAllowed holds the served pages to them.
var (
	cspStyleHashes  = []string{cspHash(string(assets.PageCSS))}
	cspScriptHashes = []string{
		cspHash(`document.getElementById('SAMLSubmitButton').style.visibility='hidden';`),
		cspHash(`document.getElementById('SAMLResponseForm').submit();`),
	}
)

func cspHash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// contentSecurityPolicy is the policy of every response: nothing loads
// but the hashed inline style and scripts and same-origin images; forms
// post only to this console; no page may be framed (the persona picker
// included).
func contentSecurityPolicy(base string) string {
	formAction := "'self'"
	if u, err := url.Parse(base); err == nil && u.Scheme != "" && u.Host != "" {
		formAction += " " + u.Scheme + "://" + u.Host
	}
	return "default-src 'none'; " +
		"style-src " + strings.Join(cspStyleHashes, " ") + "; " +
		"script-src " + strings.Join(cspScriptHashes, " ") + "; " +
		"img-src 'self' data:; " +
		"form-action " + formAction + "; " +
		"base-uri 'none'; frame-ancestors 'none'"
}

// monitoringPaths are answered whatever the Host header: monitoring
// scrapes them by address.
var monitoringPaths = map[string]bool{"/healthz": true, "/metrics": true}

// guard wraps the listener's handler: security headers on every
// response (the demo IdP's pages and every error included), and a
// DNS-rebinding guard that refuses requests for a Host that is not the
// base URL's, before anything reads or writes the database.
func (c *Console) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := c.BaseURL()
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy(base))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if !monitoringPaths[r.URL.Path] && !c.hostAllowed(base, r.Host) {
			c.log.Debug("refused a request for a foreign Host", "host", r.Host, "remote", r.RemoteAddr)
			http.Error(w, "Misdirected request: this JIT Console does not serve that host name. Use the console's base URL.",
				http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed tells whether a request's Host names this console: the base
// URL's host and port, or a loopback name (localhost, 127.0.0.0/8, ::1)
// with the base URL's port or the listener's own port (what a reverse
// proxy on this machine sends by default). A DNS-rebinding page sends its
// own host name, which is none of these.
func (c *Console) hostAllowed(base, host string) bool {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return false
	}
	basePort := portOrDefault(u.Port(), u.Scheme)
	gotHost, gotPort := splitHost(host)
	if gotPort == "" {
		gotPort = portOrDefault("", u.Scheme)
	}
	if strings.EqualFold(gotHost, u.Hostname()) && gotPort == basePort {
		return true
	}
	if !isLoopbackName(gotHost) {
		return false
	}
	_, listenPort, _ := net.SplitHostPort(c.Listener().Addr)
	return gotPort == basePort || gotPort == listenPort
}

// splitHost splits a Host header into a lower-case host name (without
// brackets or a trailing dot) and a port ("" when none).
func splitHost(host string) (string, string) {
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		name, port = host, ""
	}
	name = strings.TrimSuffix(strings.Trim(name, "[]"), ".")
	return strings.ToLower(name), port
}

func portOrDefault(port, scheme string) string {
	switch {
	case port != "":
		return port
	case scheme == "https":
		return "443"
	default:
		return "80"
	}
}

// isLoopbackName tells whether host is localhost or a loopback address.
func isLoopbackName(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
