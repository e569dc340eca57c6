package core_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestRelayStateFromAnotherBrowserIsRefused is login CSRF: a response to
// a login started in one browser (cookie jar), posted from another, is
// refused as browser_mismatch and creates no account; the failed tries do
// not use the request up, and the browser that started it signs in.
func TestRelayStateFromAnotherBrowserIsRefused(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	c := capture(t, tc, "alice")

	otherBrowser := newClient() // has a binding cookie of its own
	if _, _, err := core.DemoResponse(t.Context(), otherBrowser, tc.Base, url.Values{"persona": {"bob"}}); err != nil {
		t.Fatal(err)
	}
	tries := []struct {
		name   string
		client *http.Client
	}{
		{"a fresh cookie jar", newClient()},
		{"no cookies at all", &http.Client{}},
		{"another browser's binding cookie", otherBrowser},
	}
	for _, tt := range tries {
		replay := captured{ACS: c.ACS, Form: c.Form, Client: tt.client}
		status, page := replay.post(t, "")
		if status != http.StatusForbidden || !contains(page, "started in another browser") {
			t.Fatalf("%s: HTTP %d\n%s", tt.name, status, page)
		}
		if got := refusalClass(t, tc, lastRefusal(t, tc)); got != core.ClassBrowserMismatch {
			t.Fatalf("%s: class %q, want %q", tt.name, got, core.ClassBrowserMismatch)
		}
		if n := len(users(t, tc)); n != 0 {
			t.Fatalf("%s: %d accounts after a refused post", tt.name, n)
		}
	}
	status, page := c.post(t, "")
	if status != http.StatusOK || !contains(page, "Welcome, Alice") {
		t.Fatalf("the browser that started the login: HTTP %d\n%s", status, page)
	}
}

// TestBindingCookie: where the binding is on, /saml/{idp}/login sets a
// Secure, HttpOnly, SameSite=None cookie (with the __Host- prefix on
// https) and keeps a browser's cookie across logins; on plain http to a
// host that is not loopback it is off, sets nothing, and says why.
func TestBindingCookie(t *testing.T) {
	tests := []struct {
		name, base, host string
		on               bool
		cookie           string
	}{
		{"loopback http", "", "", true, "jitconsole_login"},
		{"https", "https://sso.example.test", "sso.example.test", true, "__Host-jitconsole_login"},
		{"plain http on a LAN name", "http://console.lan:8080", "console.lan:8080", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := startConsole(t, t.TempDir(), tt.base)
			on, why := tc.BrowserBinding()
			if on != tt.on || (on == (why != "")) || (!on && !strings.Contains(why, "https")) {
				t.Fatalf("BrowserBinding() = %v, %q", on, why)
			}
			login := func(cookie *http.Cookie) *http.Cookie {
				req, _ := http.NewRequest(http.MethodGet, tc.addr()+"/saml/demo/login", nil)
				if tt.host != "" {
					req.Host = tt.host
				}
				if cookie != nil {
					req.AddCookie(cookie)
				}
				resp, err := http.DefaultTransport.RoundTrip(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusFound {
					t.Fatalf("login: HTTP %d", resp.StatusCode)
				}
				for _, ck := range resp.Cookies() {
					if strings.HasSuffix(ck.Name, "jitconsole_login") {
						return ck
					}
				}
				return nil
			}
			ck := login(nil)
			if !tt.on {
				if ck != nil {
					t.Fatalf("binding off, but login set %v", ck)
				}
				return
			}
			if ck == nil || ck.Name != tt.cookie || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteNoneMode || ck.Path != "/" || ck.MaxAge <= 0 {
				t.Fatalf("binding cookie %+v", ck)
			}
			if again := login(ck); again == nil || again.Value != ck.Value {
				t.Fatalf("a second login replaced the browser's cookie: %+v", again)
			}
			forged := &http.Cookie{Name: ck.Name, Value: "not-a-token"}
			if fresh := login(forged); fresh == nil || fresh.Value == forged.Value {
				t.Fatalf("a malformed cookie was kept: %+v", fresh)
			}
		})
	}
}

// TestSimulatorSendsTheBindingCookie: the simulator (a non-browser
// client) signs people in with the binding on.
func TestSimulatorSendsTheBindingCookie(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	res, err := core.Simulate(t.Context(), core.SimulateOptions{Target: tc.Base, Count: 3, Concurrency: 2, Seed: 7, Secret: tc.HireSecret()})
	if err != nil || res.Succeeded != 3 {
		t.Fatalf("Simulate = %+v, %v", res, err)
	}
}

// toListener carries requests for any URL to the console's listener over
// plain http, keeping the Host header: what a TLS proxy in front of the
// console does.
type toListener struct{ addr string }

func (p toListener) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = r.URL.Host
	r.URL.Scheme, r.URL.Host = "http", p.addr
	return http.DefaultTransport.RoundTrip(r)
}

// TestHTTPSBaseURLSignIn: behind a TLS proxy (an https base URL), a
// sign-in completes with the __Host- binding cookie, the welcome cookie is
// Secure, and a replay from another browser is refused.
func TestHTTPSBaseURLSignIn(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "https://sso.example.test")
	proxy := toListener{tc.Listener().Addr}
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	browser := &http.Client{Jar: core.NewBrowserJar(), Transport: proxy, CheckRedirect: noFollow}
	follow := &http.Client{Jar: browser.Jar, Transport: proxy}
	acs, form, err := core.DemoResponse(t.Context(), follow, tc.Base, url.Values{"persona": {"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	other := &http.Client{Jar: core.NewBrowserJar(), Transport: proxy, CheckRedirect: noFollow}
	if resp, err := other.PostForm(acs, form); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusForbidden || refusalClass(t, tc, lastRefusal(t, tc)) != core.ClassBrowserMismatch {
		t.Fatalf("replay from another browser: HTTP %d, class %q", resp.StatusCode, lastRefusal(t, tc).Class)
	}
	resp, err := browser.PostForm(acs, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ACS: HTTP %d", resp.StatusCode)
	}
	var welcome *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "jitconsole_welcome" {
			welcome = ck
		}
	}
	if welcome == nil || !welcome.Secure || !welcome.HttpOnly {
		t.Fatalf("welcome cookie on an https base URL: %+v", welcome)
	}
}
