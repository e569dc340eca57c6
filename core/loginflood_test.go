package core_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestStartedSignInsShareOneEvent: sign-ins anyone can start over and over
// (a page's <img> pointing at the login URL) leave one event a minute per
// address and IdP, with a count, and reach the live feed only at powers of
// two.
func TestStartedSignInsShareOneEvent(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	feed, stop := tc.Subscribe(1024)
	defer stop()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	const n = 300
	for i := 0; i < n; i++ {
		resp, err := client.Get(tc.Endpoints(core.DemoSlug).LoginURL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("login %d: HTTP %d", i, resp.StatusCode)
		}
	}
	evs, err := tc.DB.ListEvents(context.Background(), core.EventFilter{Kinds: []core.EventKind{core.EventLoginStarted}})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Count != n || evs[0].Subject != "127.0.0.1" {
		t.Fatalf("%d login.started events (first %+v), want one counting %d from 127.0.0.1", len(evs), evs[0], n)
	}
	fed := 0
	for len(feed) > 0 {
		if e := <-feed; e.Kind == core.EventLoginStarted {
			fed++
		}
	}
	if fed != 9 { // counts 1, 2, 4, …, 256
		t.Errorf("the feed got %d login.started events, want 9", fed)
	}
}
