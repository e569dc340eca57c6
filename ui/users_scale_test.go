package ui

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage/memstore"
)

// newHarnessSeeded is newHarness over a memstore holding n accounts
// (u0000…, alternately at okta and entra, the newest last) whose last
// sign-in is age ago, seeded through the store: fast, however many.
func newHarnessSeeded(t *testing.T, n int, age time.Duration) (*harness, *memstore.Store) {
	t.Helper()
	store := memstore.New(nil)
	at := time.Now().Add(-age)
	for i := range n {
		id := fmt.Sprintf("u%04d", i)
		_, err := store.ApplyLogin(context.Background(), core.Provision{At: at.Add(time.Duration(i) * time.Millisecond),
			IdPSlug: []string{"okta", "entra"}[i%2], NameID: id, Username: id, Email: id + "@example.com", DisplayName: "Person " + id})
		if err != nil {
			t.Fatal(err)
		}
	}
	con := openConsole(t, "127.0.0.1:0", true, nil, func(string) (core.Store, func(), error) {
		return store, func() {}, nil
	})
	return newHarnessFor(t, con, nil), store
}

func TestUsersPagesThroughEveryMatchWithTheTotal(t *testing.T) {
	h, _ := newHarnessSeeded(t, 250, time.Hour)
	h.showTab("Users")
	u := h.app.users
	h.waitFor("the first page", func() bool { return strings.HasPrefix(u.count.Text, "1–100 of 250 accounts") })
	if len(u.list) != 100 || u.list[0].Username != "u0249" || !u.prevPage.Disabled() || u.nextPage.Disabled() {
		t.Fatalf("first page: %d rows from %s, previous enabled %v, next enabled %v",
			len(u.list), u.list[0].Username, !u.prevPage.Disabled(), !u.nextPage.Disabled())
	}
	test.Tap(u.nextPage)
	h.waitFor("the second page", func() bool { return strings.HasPrefix(u.count.Text, "101–200 of 250") })
	test.Tap(u.nextPage)
	h.waitFor("the last page", func() bool { return strings.HasPrefix(u.count.Text, "201–250 of 250") })
	if len(u.list) != 50 || u.list[49].Username != "u0000" || !u.nextPage.Disabled() || u.prevPage.Disabled() {
		t.Fatalf("last page: %d rows, next enabled %v, previous enabled %v", len(u.list), !u.nextPage.Disabled(), !u.prevPage.Disabled())
	}
	if u.pageLabel.Text != "201–250 of 250" {
		t.Errorf("page label %q", u.pageLabel.Text)
	}
	test.Tap(u.prevPage)
	h.waitFor("the second page again", func() bool { return strings.HasPrefix(u.count.Text, "101–200 of 250") })

	// A new query starts on its first page, with its own total.
	u.setQuery(func(q *userQuery) { q.idp = "okta" })
	h.waitFor("the filter's first page", func() bool { return strings.HasPrefix(u.count.Text, "1–100 of 125 accounts match the filters") })
}

// fakeTimers schedules a debouncer's calls for the test to run: no wall
// clock.
type fakeTimers struct {
	mu     sync.Mutex
	timers []*fakeTimer
}

type fakeTimer struct {
	fn      func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { t.stopped = true; return true }

func (f *fakeTimers) after(_ time.Duration, fn func()) stopper {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &fakeTimer{fn: fn}
	f.timers = append(f.timers, t)
	return t
}

// fire runs the calls not stopped and returns how many ran.
func (f *fakeTimers) fire() int {
	f.mu.Lock()
	timers := f.timers
	f.timers = nil
	f.mu.Unlock()
	n := 0
	for _, t := range timers {
		if !t.stopped {
			t.fn()
			n++
		}
	}
	return n
}

func TestUsersTypingIsDebounced(t *testing.T) {
	h, _ := newHarnessSeeded(t, 3, 200*24*time.Hour)
	h.showTab("Users")
	u := h.app.users
	timers := &fakeTimers{}
	u.typing.after, u.daysTyping.after = timers.after, timers.after
	h.waitFor("the accounts", func() bool { return len(u.list) == 3 })

	test.Tap(u.stale)
	h.waitFor("the stale view", func() bool { return strings.Contains(u.count.Text, "for 90 days") })
	for _, text := range []string{"3", "36", "365"} {
		u.staleDays.SetText(text)
	}
	if q := u.currentQuery(); q.staleDays != defaultStaleDays {
		t.Errorf("the days changed to %d while typing", q.staleDays)
	}
	if n := timers.fire(); n != 1 {
		t.Fatalf("%d reads after typing 365, want 1", n)
	}
	h.waitFor("the 365-day view", func() bool { return strings.Contains(u.count.Text, "365 days") })
	// A bad number drops what was pending.
	u.staleDays.SetText("400")
	u.staleDays.SetText("40x")
	if n := timers.fire(); n != 0 || u.currentQuery().staleDays != 365 {
		t.Errorf("a bad number still read: %d reads, %d days", n, u.currentQuery().staleDays)
	}

	test.Tap(u.stale)
	for _, text := range []string{"u", "u0", "u00", "u000", "u0001"} {
		u.search.SetText(text)
	}
	if q := u.currentQuery(); q.search != "" {
		t.Errorf("the search changed to %q while typing", q.search)
	}
	if n := timers.fire(); n != 1 {
		t.Fatalf("%d searches after typing, want 1", n)
	}
	h.waitFor("the search", func() bool { return len(u.list) == 1 && u.list[0].Username == "u0001" })
}

func TestUsersSelectAllDisablesEveryMatchingAccount(t *testing.T) {
	const stale = 2500
	h, store := newHarnessSeeded(t, stale, 200*24*time.Hour)
	ctx := context.Background()
	for _, id := range []string{"fresh1", "fresh2"} {
		if _, err := store.ApplyLogin(ctx, core.Provision{At: time.Now(), IdPSlug: "okta", NameID: id, Username: id}); err != nil {
			t.Fatal(err)
		}
	}
	h.showTab("Users")
	u := h.app.users
	test.Tap(u.stale)
	h.waitFor("the stale view", func() bool { return strings.HasPrefix(u.count.Text, "1–100 of 2,500 accounts without a sign-in") })
	test.Tap(u.selectAll)
	if u.disableSel.Text != "Disable 2,500 accounts" {
		t.Fatalf("bulk button %q", u.disableSel.Text)
	}
	test.Tap(u.disableSel)
	h.waitFor("the confirmation", func() bool { return u.bulkConfirm != nil })
	if u.bulkAsk != "Disable 2,500 accounts?" {
		t.Errorf("the confirmation asks %q", u.bulkAsk)
	}
	u.bulkConfirm.Confirm()
	h.waitFor("the accounts disabled", func() bool { return u.notice.Text == "Disabled 2,500 accounts." })

	disabled, err := store.CountUsers(ctx, core.UserFilter{Status: core.UserDisabled})
	if err != nil || disabled != stale {
		t.Errorf("%d accounts disabled (%v), want %d", disabled, err, stale)
	}
	fresh, err := store.CountUsers(ctx, core.UserFilter{Status: core.UserActive})
	if err != nil || fresh != 2 {
		t.Errorf("%d accounts active (%v), want the 2 fresh ones", fresh, err)
	}
	events, err := store.ListEvents(ctx, core.EventFilter{Kinds: []core.EventKind{core.EventAdminChange}})
	if err != nil || len(events) != 1 || !strings.HasPrefix(events[0].Message, "2500 accounts disabled") {
		t.Errorf("audit log %+v (%v), want one event for the 2500", events, err)
	}
	if u.selectAll.Checked || u.allMatching {
		t.Error("the selection outlived the bulk action")
	}
}

func TestUsersExportStreamsEveryMatchingRow(t *testing.T) {
	const n = 1234
	h, _ := newHarnessSeeded(t, n, time.Hour)
	h.showTab("Users")
	u := h.app.users
	h.waitFor("the first page", func() bool { return strings.HasPrefix(u.count.Text, "1–100 of 1,234") })

	path := filepath.Join(t.TempDir(), "users.csv")
	w, err := fynestorage.Writer(fynestorage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	u.exportTo(w)
	h.waitFor("the export", func() bool { return strings.HasPrefix(u.notice.Text, "Exported") })
	if !strings.HasPrefix(u.notice.Text, "Exported 1,234 accounts") {
		t.Errorf("notice %q", u.notice.Text)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n+1 {
		t.Fatalf("%d rows, want a header and %d accounts", len(rows), n)
	}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		seen[r[0]] = true
	}
	for i := range n {
		if id := fmt.Sprintf("u%04d", i); !seen[id] {
			t.Fatalf("the export lacks %s", id)
		}
	}
}
