package core_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestSPInitiatedLoginCreatesThenUpdates drives the whole flow over HTTP:
// SP-initiated login, the demo IdP's page, the signed assertion, the ACS
// and the welcome page.
func TestSPInitiatedLoginCreatesThenUpdates(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()

	c := capture(t, tc, "alice")
	status, page := c.post(t, "")
	if status != http.StatusOK || !contains(page, "Welcome, Alice Anderson") || !contains(page, "created just now") {
		t.Fatalf("first login: HTTP %d\n%s", status, page)
	}
	for _, role := range []string{"admin", "engineering", "finance"} {
		if !contains(page, ">"+role+"<") {
			t.Errorf("welcome page lacks role %s", role)
		}
	}
	us := users(t, tc)
	if len(us) != 1 {
		t.Fatalf("users after first login = %d, want 1", len(us))
	}
	u := us[0]
	if u.NameID != "alice@example.com" || u.Username != "alice" || u.Email != "alice@example.com" || u.LoginCount != 1 || u.IdPSlug != core.DemoSlug {
		t.Errorf("user = %+v", u)
	}

	if err := core.DemoLoginAs(ctx, nil, tc.Base, "alice"); err != nil {
		t.Fatalf("second login: %v", err)
	}
	us = users(t, tc)
	if len(us) != 1 || us[0].LoginCount != 2 || us[0].ID != u.ID {
		t.Fatalf("after second login: %+v", us)
	}
	d, err := tc.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.Attributes["groups"], ","); got != "Admins,Engineering,Finance" {
		t.Errorf("groups attribute = %q", got)
	}
	if len(d.Logins) != 2 {
		t.Errorf("login history has %d rows, want 2", len(d.Logins))
	}
}

func TestConcurrentFirstLoginsOfOnePersonMakeOneAccount(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- core.DemoLoginAs(context.Background(), nil, tc.Base, "bob")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("login: %v", err)
		}
	}
	us := users(t, tc)
	if len(us) != 1 || us[0].LoginCount != n {
		t.Fatalf("users = %+v, want one with %d logins", us, n)
	}
	d, err := tc.User(context.Background(), us[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Logins) != n {
		t.Fatalf("login rows = %d, want %d", len(d.Logins), n)
	}
}

func TestSimulate200NewHiresConcurrently(t *testing.T) {
	// "Created today" counts from the clock's midnight: a clock whose day
	// is pinned around the test keeps the count when a run crosses it.
	tc := startConsoleWith(t, t.TempDir(), func(o *core.Options) { o.Clock = newNoonClock() })
	var mu sync.Mutex
	var last core.SimProgress
	res, err := tc.SimulateOnboarding(context.Background(), 200, 8, func(p core.SimProgress) {
		mu.Lock()
		if p.Done > last.Done {
			last = p
		}
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Succeeded != 200 || res.Failed != 0 {
		t.Fatalf("result = %+v", res)
	}
	if last.Done != 200 || last.Total != 200 {
		t.Errorf("last progress = %+v", last)
	}
	if got := len(users(t, tc)); got != 200 {
		t.Fatalf("accounts = %d, want 200", got)
	}
	st, err := tc.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Users != 200 || st.CreatedToday != 200 || st.Logins24h != 200 || st.Refusals24h != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestGeneratedHiresAreDistinctAndRepeatable(t *testing.T) {
	a, b := core.GenerateHires(500, 7), core.GenerateHires(500, 7)
	seen := map[string]bool{}
	for i := range a {
		if a[i].NameIDValue() != b[i].NameIDValue() {
			t.Fatalf("hire %d differs between runs with one seed", i)
		}
		if seen[a[i].NameIDValue()] {
			t.Fatalf("duplicate NameID %s", a[i].NameIDValue())
		}
		seen[a[i].NameIDValue()] = true
	}
	if fmt.Sprint(core.GenerateHires(3, 8)) == fmt.Sprint(core.GenerateHires(3, 7)) {
		t.Error("different seeds gave the same hires")
	}
}
