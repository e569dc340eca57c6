package core_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
	"github.com/jitconsole/jitconsole/storage"
)

// openBeside opens a second console on the data directory of tc, as a
// command of the command line does beside a running console: its own
// database handle, no listener.
func openBeside(t *testing.T, tc *testConsole) *core.Console {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.DBPath(tc.Dir))
	if err != nil {
		t.Fatalf("open the store beside: %v", err)
	}
	c, err := core.New(ctx, core.Options{Store: db, Keys: storage.NewFileKeyStore(tc.Dir),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		db.Close()
		t.Fatalf("new console beside: %v", err)
	}
	t.Cleanup(func() {
		c.Close()
		db.Close()
	})
	return c
}

// eventLog is what a subscription delivered, read as the test waits.
type eventLog struct {
	ch   <-chan core.Event
	mu   sync.Mutex
	seen []core.Event
}

func subscribe(t *testing.T, c *core.Console) *eventLog {
	ch, cancel := c.Subscribe(4096)
	t.Cleanup(cancel)
	return &eventLog{ch: ch}
}

// await reads events until one matches, for up to 20 s.
func (l *eventLog) await(t *testing.T, what string, match func(core.Event) bool) core.Event {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case e := <-l.ch:
			l.mu.Lock()
			l.seen = append(l.seen, e)
			l.mu.Unlock()
			if match(e) {
				return e
			}
		case <-timeout:
			t.Fatalf("no event %s reached the subscriber", what)
		}
	}
}

// drain takes what is buffered without waiting.
func (l *eventLog) drain() []core.Event {
	for {
		select {
		case e := <-l.ch:
			l.seen = append(l.seen, e)
		default:
			return l.seen
		}
	}
}

func adminChange(slug, detail string) func(core.Event) bool {
	return func(e core.Event) bool {
		return e.Kind == core.EventAdminChange && e.IdPSlug == slug && strings.Contains(e.Detail+e.Message, detail)
	}
}

// TestChangesOfAnotherProcess: what a command beside a running console
// changes (console b over its own handle of the same database) reaches the
// running console's subscribers, each event once, and the running
// console's listener follows it.
func TestChangesOfAnotherProcess(t *testing.T) {
	ctx := context.Background()
	a := startConsoleWith(t, t.TempDir(), func(o *core.Options) { o.EventWatchEvery = 20 * time.Millisecond })
	feedA := subscribe(t, a.Console)
	b := openBeside(t, a)
	feedB := subscribe(t, b)
	idp := startTestIdP(t, a, "partner")

	// An IdP imported by b: a's feed shows it, a's ACS serves it.
	if _, _, err := b.ImportIdP(ctx, core.ImportRequest{
		MetadataInput: core.MetadataInput{Source: core.SourceURL, Name: idp.MetadataURL()},
		DisplayName:   "Partner IdP", Slug: "partner",
	}); err != nil {
		t.Fatal(err)
	}
	feedA.await(t, "of the import", func(e core.Event) bool { return e.Kind == core.EventIdPRegistered && e.IdPSlug == "partner" })
	if status, page := idp.login(t); status != http.StatusOK {
		t.Fatalf("login at a through the IdP b imported: HTTP %d\n%s", status, page)
	}

	// Security changed by b: a refuses, then accepts, an unsolicited login.
	if status, _ := idp.idpInitiated(t); status != http.StatusForbidden {
		t.Fatalf("unsolicited login accepted before b allowed it: HTTP %d", status)
	}
	saved, err := b.IdP(ctx, "partner")
	if err != nil {
		t.Fatal(err)
	}
	saved.Security.AllowIdPInitiated = true
	if _, err := b.UpdateIdP(ctx, saved); err != nil {
		t.Fatal(err)
	}
	feedA.await(t, "of the security change", adminChange("partner", "IdP-initiated login: false → true"))
	if status, _ := idp.idpInitiated(t); status != http.StatusOK {
		t.Fatalf("unsolicited login refused after b allowed it: HTTP %d (%s)", status, lastRefusal(t, a).Message)
	}

	// A role and a mapping granting it, saved by b: a's next login grants it.
	if err := b.SaveRole(ctx, "auditor", "reads the books"); err != nil {
		t.Fatal(err)
	}
	feedA.await(t, "of the new role", func(e core.Event) bool {
		return e.Kind == core.EventAdminChange && strings.Contains(e.Message+e.Detail, "auditor")
	})
	m := saved.Mapping
	m.NoMatch, m.DefaultRole, m.RoleRules = core.NoMatchDefault, "auditor", nil
	if _, _, err := b.SaveMapping(ctx, "partner", m, nil); err != nil {
		t.Fatal(err)
	}
	feedA.await(t, "of the mapping", func(e core.Event) bool { return e.Kind == core.EventAdminChange && e.IdPSlug == "partner" })
	if status, _ := idp.login(t); status != http.StatusOK {
		t.Fatalf("login after the mapping change: HTTP %d", status)
	}
	if us := users(t, a); len(us) != 1 || !hasRole(us[0], "auditor") {
		t.Fatalf("after b's mapping, a's login granted %+v, want auditor", us)
	}

	// The clock skew, raised by b: a's ACS accepts an assertion from an
	// IdP whose clock is 10 minutes ahead, which it refused as not yet
	// valid.
	idp.Set(func(s *samltest.Settings) { s.Mutate = shiftTimes(10 * time.Minute) })
	if status, _ := idp.login(t); status == http.StatusOK {
		t.Fatal("an assertion 10 minutes ahead accepted with the default skew")
	}
	if err := b.SetClockSkew(ctx, 30*time.Minute); err != nil {
		t.Fatal(err)
	}
	feedA.await(t, "of the clock skew", adminChange("", "clock skew"))
	if saml.MaxClockSkew != 30*time.Minute {
		t.Fatalf("a applies a clock skew of %s, want 30m0s", saml.MaxClockSkew)
	}
	if status, _ := idp.login(t); status != http.StatusOK {
		t.Fatalf("an assertion 10 minutes ahead refused with b's skew of 30 min: HTTP %d (%s)", status, lastRefusal(t, a).Message)
	}
	idp.Set(func(s *samltest.Settings) { s.Mutate = nil })

	// The demo IdP, switched off by b: a's listener stops serving it.
	if _, err := b.SetDemoIdPEnabled(ctx, false); err != nil {
		t.Fatal(err)
	}
	feedA.await(t, "of the demo switch", adminChange(core.DemoSlug, "Demo IdP switched off"))
	if a.DemoIdP(ctx).On {
		t.Fatal("a's demo IdP is on after b switched it off")
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(a.Endpoints(core.DemoSlug).LoginURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a's demo login after b switched it off: HTTP %d, want 403", resp.StatusCode)
	}

	// Each event once: after a's own change and b's last one, every event
	// written since a subscribed (by a or by b) has reached a's feed, and
	// none twice (a coalesced event comes again only with a higher count).
	if err := a.SaveRole(ctx, "local", "a's own"); err != nil {
		t.Fatal(err)
	}
	if err := b.SaveRole(ctx, "marker", "b's last"); err != nil {
		t.Fatal(err)
	}
	feedA.await(t, "of b's last change", func(e core.Event) bool { return strings.Contains(e.Message+e.Detail, "marker") })
	type delivery struct {
		id    int64
		count int
	}
	times, ids := map[delivery]int{}, map[int64]bool{}
	for _, e := range feedA.drain() {
		d := delivery{e.ID, e.Count}
		if times[d]++; times[d] > 1 {
			t.Errorf("event %d (%s: %s, count %d) reached a's subscriber %d times", e.ID, e.Kind, e.Message, e.Count, times[d])
		}
		ids[e.ID] = true
	}
	stored, err := a.RecentEvents(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	first := int64(math.MaxInt64) // the first event a's feed had
	for id := range ids {
		first = min(first, id)
	}
	missed := 0
	for _, e := range stored {
		if e.ID >= first && !ids[e.ID] {
			missed++
			t.Errorf("event %d (%s: %s) never reached a's subscriber", e.ID, e.Kind, e.Message)
		}
	}
	if len(ids) < 10 || missed > 0 {
		t.Fatalf("a's feed had %d events, %d missed", len(ids), missed)
	}
	_ = feedB.drain()
}

func hasRole(u core.User, role string) bool {
	for _, g := range u.Roles {
		if g.Role == role {
			return true
		}
	}
	return false
}
