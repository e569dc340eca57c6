// Compact records of requests that cannot be logins: slugs, text and
// addresses cut to size.

package core

import (
	"net"
	"strings"
	"time"
	"unicode/utf8"
)

// Compact refusals: a request that cannot be a login (wrong method, no
// form, unknown IdP, no SAMLResponse) leaves a small record, and repeats
// share it (see Refusal.Compact).
const (
	// CompactWindow is how long compact refusals of one class, IdP slug
	// and remote IP share one row.
	CompactWindow = time.Minute
	// MaxCompactSlug is how many characters of a path's IdP slug a compact
	// refusal keeps.
	MaxCompactSlug = 64
	// maxCompactDetail bounds the private error text of a compact refusal.
	maxCompactDetail = 512
)

// compactSlug is a path's IdP slug as a compact refusal keeps it: valid
// UTF-8, at most MaxCompactSlug characters, a cut marked with "…".
func compactSlug(slug string) string { return cutText(slug, MaxCompactSlug) }

// cutText is s as valid UTF-8 of at most n characters; a cut ends in "…".
func cutText(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for kept := 0; kept < n-1; kept++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i] + "…"
}

// remoteIP is the IP of a request's remote address, without the port:
// each connection has a new port.
func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return cutText(addr, 64)
}
