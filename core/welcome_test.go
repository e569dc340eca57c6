package core_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// shiftedClock is the real clock moved forward by an offset a test sets.
type shiftedClock struct{ offset atomic.Int64 }

func (c *shiftedClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *shiftedClock) set(d time.Duration) { c.offset.Store(int64(d)) }

// getPage GETs u with client and returns the status and the page.
func getPage(t *testing.T, client *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestWelcomePageExpiresAnd401: the welcome page after a sign-in shows the
// account for 15 minutes (welcomeLifetime) on the console's clock, then
// answers 401 "Not signed in"; so does a browser with no welcome cookie
// or with a token the console never gave.
func TestWelcomePageExpiresAnd401(t *testing.T) {
	clock := &shiftedClock{}
	tc := startConsoleWith(t, t.TempDir(), func(o *core.Options) { o.Clock = clock })
	c := capture(t, tc, "alice")
	status, page := c.post(t, "")
	if status != http.StatusOK || !strings.Contains(page, `id="welcome"`) || !strings.Contains(page, "Alice Anderson") {
		t.Fatalf("the sign-in did not end on the welcome page: HTTP %d\n%s", status, page)
	}
	welcome := tc.Base + "/welcome"
	notSignedIn := func(what string, client *http.Client) {
		t.Helper()
		status, page := getPage(t, client, welcome)
		if status != http.StatusUnauthorized || !strings.Contains(page, "Not signed in") || strings.Contains(page, "Alice") {
			t.Errorf("%s: HTTP %d, want 401 Not signed in\n%s", what, status, page)
		}
	}

	clock.set(15*time.Minute - time.Second)
	if status, page := getPage(t, c.Client, welcome); status != http.StatusOK || !strings.Contains(page, "Alice Anderson") {
		t.Errorf("the welcome page a second before it expires: HTTP %d\n%s", status, page)
	}
	notSignedIn("a browser without the welcome cookie", newClient())
	u, _ := url.Parse(tc.Base)
	forged := newClient()
	forged.Jar.SetCookies(u, []*http.Cookie{{Name: "jitconsole_welcome", Value: "an-unknown-token", Path: "/"}})
	notSignedIn("an unknown welcome token", forged)

	clock.set(15*time.Minute + time.Second)
	notSignedIn("the welcome page after 15 minutes", c.Client)
}
