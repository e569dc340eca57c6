package core_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// startConsoleOpts is startConsole with options changed by edit.
func startConsoleOpts(t *testing.T, edit func(*core.Options)) *testConsole {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	opts := core.Options{Store: db, Keys: storage.NewFileKeyStore(dir), ListenAddr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	edit(&opts)
	c, err := core.New(ctx, opts)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		db.Close()
		t.Fatal(err)
	}
	tc := &testConsole{Console: c, DB: db, Dir: dir, Base: c.BaseURL()}
	t.Cleanup(tc.close)
	return tc
}

// TestSlowClientIsCutOff: a client that sends its headers or its body a
// byte at a time is disconnected by the server's timeouts (lowered here to
// half a second), long before it would have finished.
func TestSlowClientIsCutOff(t *testing.T) {
	tc := startConsoleOpts(t, func(o *core.Options) { o.ReadTimeout = 500 * time.Millisecond })
	addr := tc.Listener().Addr
	tests := []struct {
		name     string
		head     string // sent at once
		trickled string // then a byte every 20 ms (minutes in all)
	}{
		{"slow body",
			"POST /saml/demo/acs HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nSAMLResponse=",
			strings.Repeat("A", 100000-len("SAMLResponse="))},
		{"slow headers", "GET / HTTP/1.1\r\nHost: " + addr + "\r\n", strings.Repeat("X-Slow: 1\r\n", 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tt.head); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for i := range len(tt.trickled) {
					select {
					case <-stop:
						return
					case <-tick.C:
					}
					if _, err := conn.Write([]byte{tt.trickled[i]}); err != nil {
						return
					}
				}
			}()
			// Generous: the server's timeout is 0.5 s; trickling takes minutes.
			_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
			_, err = io.Copy(io.Discard, conn)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the connection of a slow client was still open after 20 s")
			}
		})
	}
}

// TestLongRequestLineIsRefused: headers are limited to 64 KiB.
func TestLongRequestLineIsRefused(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	resp, err := http.Get(tc.Base + "/" + strings.Repeat("a", 900_000))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("a 900 KB path: HTTP %d, want 431", resp.StatusCode)
	}
}

// pageResult is one response of the listener, body included.
type pageResult struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, client *http.Client, method, u, host string, form url.Values) pageResult {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if host != "" {
		req.Host = host
	}
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return pageResult{resp.StatusCode, resp.Header, string(b)}
}

// everyKindOfPage fetches one response of every kind the listener sends:
// the SP's pages, metadata and redirects, the demo IdP's persona picker,
// its auto-posting response form and its errors, the ACS's refusals, the
// welcome page, the mux's 404 and 405, and the Host guard's refusal.
func everyKindOfPage(t *testing.T, tc *testConsole) map[string]pageResult {
	t.Helper()
	out := map[string]pageResult{}
	get := func(name, path string) { out[name] = do(t, nil, http.MethodGet, tc.Base+path, "", nil) }
	get("index", "/")
	get("entity metadata", "/saml/metadata")
	get("SP metadata", "/saml/demo/metadata")
	get("login redirect", "/saml/demo/login")
	get("login, unknown IdP", "/saml/nosuch/login")
	get("demo IdP metadata", "/demo-idp/metadata")
	get("demo IdP error", "/demo-idp/sso")
	get("welcome, not signed in", "/welcome")
	get("not found", "/nope")
	get("ACS GET", "/saml/demo/acs")
	out["method not allowed"] = do(t, nil, http.MethodDelete, tc.Base+"/welcome", "", nil)
	out["ACS refusal"] = do(t, nil, http.MethodPost, tc.Base+"/saml/demo/acs", "", url.Values{"SAMLResponse": {"bm90IHhtbA=="}})
	out["foreign Host"] = do(t, nil, http.MethodGet, tc.Base+"/", "evil.example", nil)

	client := newClient()
	picker := do(t, client, http.MethodGet, tc.Base+"/saml/demo/login", "", nil)
	out["persona picker"] = picker
	action, fields := formOf(t, picker.body)
	fields.Set("persona", "alice")
	noFollow := &http.Client{Jar: client.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	posted := do(t, noFollow, http.MethodPost, action, "", fields)
	out["response form"] = posted
	acs, fields := formOf(t, posted.body)
	out["ACS accept redirect"] = do(t, noFollow, http.MethodPost, acs, "", fields)
	out["welcome"] = do(t, client, http.MethodGet, tc.Base+"/welcome", "", nil)
	return out
}

var (
	formActionAttr = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	hiddenInput    = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)"`)
)

func formOf(t *testing.T, page string) (string, url.Values) {
	t.Helper()
	m := formActionAttr.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form in\n%s", page)
	}
	fields := url.Values{}
	for _, in := range hiddenInput.FindAllStringSubmatch(page, -1) {
		fields.Set(unescapeHTML(in[1]), unescapeHTML(in[2]))
	}
	return unescapeHTML(m[1]), fields
}

func unescapeHTML(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&#x2B;", "+").Replace(s)
}

// TestSecurityHeadersOnEveryResponse: every response carries the CSP
// (no framing), nosniff and no-referrer.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	pages := everyKindOfPage(t, tc)
	if got := pages["welcome"]; got.status != http.StatusOK || !contains(got.body, `id="welcome"`) {
		t.Fatalf("the flow did not reach the welcome page: HTTP %d\n%s", got.status, got.body)
	}
	for name, p := range pages {
		h := p.header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s (HTTP %d): Content-Security-Policy %q", name, p.status, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s (HTTP %d): headers %v", name, p.status, h)
		}
	}
}

var (
	inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	inlineStyle  = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	// Inline handlers and style attributes cannot be allowed by hash.
	inlineAttr = regexp.MustCompile(`(?i)<[^>]*\s(on[a-z]+|style)\s*=`)
	anyScript  = regexp.MustCompile(`(?i)<script`)
)

// TestEveryInlineScriptAndStyleIsAllowed: each inline script and style
// sheet of every page is allowed by hash in that page's policy, and no
// page has code the policy could not allow.
func TestEveryInlineScriptAndStyleIsAllowed(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	scripts := 0
	for name, p := range everyKindOfPage(t, tc) {
		csp := p.header.Get("Content-Security-Policy")
		directive := func(name string) string {
			for _, d := range strings.Split(csp, ";") {
				if f := strings.Fields(d); len(f) > 0 && f[0] == name {
					return d
				}
			}
			return ""
		}
		check := func(kind, code, directive string) {
			sum := sha256.Sum256([]byte(code))
			if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(directive, h) {
				t.Errorf("%s: inline %s %.60q… (hash %s) is not allowed by %q", name, kind, code, h, directive)
			}
		}
		for _, m := range inlineScript.FindAllStringSubmatch(p.body, -1) {
			scripts++
			check("script", m[1], directive("script-src"))
		}
		for _, m := range inlineStyle.FindAllStringSubmatch(p.body, -1) {
			check("style", m[1], directive("style-src"))
		}
		if len(anyScript.FindAllString(p.body, -1)) != len(inlineScript.FindAllString(p.body, -1)) {
			t.Errorf("%s: a <script> with attributes the test does not read", name)
		}
		if m := inlineAttr.FindString(p.body); m != "" {
			t.Errorf("%s: inline handler or style attribute %q", name, m)
		}
	}
	if scripts < 2 {
		t.Fatalf("found %d inline scripts; the demo IdP's response form has two", scripts)
	}
}

// TestForeignHostIsRefused: a request naming another host (DNS rebinding)
// is refused before any handler runs, nothing is written; the base URL's
// host and loopback aliases on its port or the listener's are served, and
// so are the monitoring paths whatever the Host.
func TestForeignHostIsRefused(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	_, port, _ := net.SplitHostPort(tc.Listener().Addr)
	tests := []struct {
		host, path string
		refused    bool
	}{
		{"127.0.0.1:" + port, "/saml/demo/login", false},
		{"localhost:" + port, "/saml/demo/login", false},
		{"LocalHost.:" + port, "/saml/demo/login", false},
		{"[::1]:" + port, "/saml/demo/login", false},
		{"evil.example", "/saml/demo/login", true},
		{"evil.example:" + port, "/saml/demo/login", true},
		{"evil.example:" + port, "/", true},
		{"evil.example:" + port, "/demo-idp/metadata", true},
		{"127.0.0.1.evil.example:" + port, "/saml/demo/login", true},
		{"203.0.113.1:" + port, "/saml/demo/login", true},
		{"evil.example:" + port, "/healthz", false},
		{"evil.example:" + port, "/metrics", false},
	}
	ctx := context.Background()
	// The first retention run, which the console starts beside its
	// listener, writes an event of its own: it must not land in a row.
	waitForEvent(t, tc, core.EventRetention)
	for _, tt := range tests {
		before, err := tc.RecentEvents(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		p := doRaw(t, tc.Listener().Addr, tt.host, tt.path)
		after, _ := tc.RecentEvents(ctx, 1000)
		switch {
		case tt.refused && p.status != http.StatusMisdirectedRequest:
			t.Errorf("Host %q %s: HTTP %d, want 421", tt.host, tt.path, p.status)
		case tt.refused && len(after) != len(before):
			t.Errorf("Host %q %s: refused, but %d events were written (the newest: %s %q)", tt.host, tt.path, len(after)-len(before), after[0].Kind, after[0].Message)
		case !tt.refused && p.status == http.StatusMisdirectedRequest:
			t.Errorf("Host %q %s: refused (%s)", tt.host, tt.path, p.body)
		}
	}

	t.Run("https base URL", func(t *testing.T) {
		tc := startConsole(t, t.TempDir(), "https://sso.example.test")
		addr := tc.Listener().Addr
		_, port, _ := net.SplitHostPort(addr)
		for host, refused := range map[string]bool{
			"sso.example.test": false, "sso.example.test:443": false, "SSO.example.test": false,
			"sso.example.test:80": true, "sso.example.test:" + port: true, "evil.example": true,
			"localhost:" + port: false, "localhost:443": false, "localhost:80": true,
		} {
			p := doRaw(t, addr, host, "/saml/demo/metadata")
			if got := p.status == http.StatusMisdirectedRequest; got != refused {
				t.Errorf("Host %q: HTTP %d, refused = %v, want %v", host, p.status, got, refused)
			}
		}
	})
}

// doRaw sends GET path to addr with exactly the Host header host (none
// when empty), over a raw connection.
func doRaw(t *testing.T, addr, host, path string) pageResult {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	req := "GET " + path + " HTTP/1.1\r\n"
	if host != "" {
		req += "Host: " + host + "\r\n"
	}
	req += "Connection: close\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("Host %q %s: %v", host, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return pageResult{resp.StatusCode, resp.Header, string(b)}
}

// waitForEvent waits until tc has written an event of kind.
func waitForEvent(t *testing.T, tc *testConsole, kind core.EventKind) {
	t.Helper()
	waitUntil(t, "a "+string(kind)+" event", func() bool {
		events, err := tc.DB.ListEvents(context.Background(), core.EventFilter{Kinds: []core.EventKind{kind}, Limit: 1})
		return err == nil && len(events) > 0
	})
}
