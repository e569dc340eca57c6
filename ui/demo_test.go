package ui

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/jitconsole/jitconsole/core"
)

// countingService counts the dashboard's reads of the counters.
type countingService struct {
	Service
	stats atomic.Int64
}

func (c *countingService) Stats(ctx context.Context) (core.Stats, error) {
	c.stats.Add(1)
	return c.Service.Stats(ctx)
}

func TestDemoSimulateDrivesProgress(t *testing.T) {
	began := time.Now()
	var counting *countingService
	// The console's own refresh interval, not the tests' shorter one:
	// the read rate is the point here.
	h := newHarnessRefreshing(t, newConsole(t, "127.0.0.1:0", true), func(s Service) Service {
		counting = &countingService{Service: s}
		return counting
	}, refreshInterval)
	h.showTab("Demo")
	d := h.app.demo
	if d.hires.Text != "50" || d.concurrency.Text != "4" {
		t.Errorf("defaults: %s hires, %s at a time; want 50 and 4", d.hires.Text, d.concurrency.Text)
	}

	const n = 30
	d.hires.SetText("30")
	test.Tap(d.start)
	if !d.start.Disabled() {
		t.Error("Start is enabled while the simulation runs")
	}
	h.waitFor("the simulation to finish", func() bool { return !d.start.Disabled() })
	if d.progress.Value != 1 {
		t.Errorf("progress = %v, want 1", d.progress.Value)
	}
	if want := "30 of 30 signed in, 0 failed"; !strings.HasPrefix(d.status.Text, want) {
		t.Errorf("status = %q, want it to start with %q", d.status.Text, want)
	}
	if d.failures.Visible() {
		t.Errorf("failures shown: %q", d.failures.Text)
	}

	// The other screens fill up live while it runs.
	h.waitFor("the accounts on the Users screen", func() bool { return len(h.app.users.list) == n })
	h.waitFor("the counter on the Dashboard", func() bool { return h.app.dashboard.counters[0].value.Text == "30" })

	// More than 60 events arrived; the dashboard read the store at most
	// twice a second (plus the first read and the ticker).
	reads, elapsed := counting.stats.Load(), time.Since(began)
	if limit := int64(2*elapsed.Seconds()) + 3; reads > limit {
		t.Errorf("the dashboard read the counters %d times in %s, more than %d", reads, elapsed, limit)
	}
}

func TestDemoRejectsBadNumbers(t *testing.T) {
	h := newHarness(t, nil)
	d := h.app.demo
	d.hires.SetText("fifty")
	test.Tap(d.start)
	if d.start.Disabled() || d.status.Text != "Not started." {
		t.Errorf("a bad number started the simulation: %q", d.status.Text)
	}
}

// recordingService records the persona login URLs the UI asks for.
type recordingService struct {
	Service
	mu  sync.Mutex
	ids []string
}

func (r *recordingService) MintPersonaSignIn(ctx context.Context, id string) (string, error) {
	r.mu.Lock()
	r.ids = append(r.ids, id)
	r.mu.Unlock()
	return r.Service.MintPersonaSignIn(ctx, id)
}

func (r *recordingService) minted() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

func TestDemoPersonasSignInAndEdit(t *testing.T) {
	var rec *recordingService
	h := newHarness(t, func(s Service) Service {
		rec = &recordingService{Service: s}
		return rec
	})
	h.showTab("Demo")
	d := h.app.demo
	ctx := context.Background()
	personas, err := h.con.Personas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h.waitFor("the personas", func() bool { return len(d.rows) == len(personas) })
	for _, p := range personas {
		if !shows(d.personaBox, p.DisplayName) {
			t.Errorf("persona %s is not shown", p.DisplayName)
		}
	}

	h.app.findBrowser = func() error { return nil }
	test.Tap(d.rows[1].signIn)
	h.waitFor("the one-time link", func() bool { return strings.Contains(d.rows[1].url.Text, "signin=") })
	if ids := rec.minted(); len(ids) != 1 || ids[0] != personas[1].ID {
		t.Errorf("Sign in as asked for the login URL of %q, want %q", ids, personas[1].ID)
	}

	test.Tap(d.rows[0].edit)
	e := d.editor
	if e == nil {
		t.Fatal("Edit opened no editor")
	}
	if e.displayName.Text != personas[0].DisplayName || e.groups.Text != strings.Join(personas[0].Groups, ", ") {
		t.Errorf("the editor shows %q, %q", e.displayName.Text, e.groups.Text)
	}

	// An empty display name is refused and the editor stays open.
	e.displayName.SetText("")
	test.Tap(e.save)
	if !e.errLabel.Visible() || d.editor != e {
		t.Error("an empty display name was not refused in the editor")
	}

	e.displayName.SetText("Alice Renamed")
	e.groups.SetText("Admins, Engineering , , Demo")
	test.Tap(e.save)
	h.waitFor("the renamed persona", func() bool { return len(d.personas) > 0 && d.personas[0].DisplayName == "Alice Renamed" })
	if d.editor != nil {
		t.Error("the editor is still open after saving")
	}
	if got := strings.Join(d.personas[0].Groups, "|"); got != "Admins|Engineering|Demo" {
		t.Errorf("groups = %q", got)
	}
	// The save is an event core publishes; the dashboard's feed shows it.
	h.waitFor("the persona event in the feed", func() bool {
		ev := h.app.dashboard.events
		return len(ev) > 0 && ev[0].Kind == core.EventPersonaChanged && strings.Contains(ev[0].Message, "Alice Renamed")
	})
}
