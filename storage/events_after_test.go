package storage

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// TestOwnEventsAcrossHandles: two handles on one file, as a running
// console and a command beside it: each tells its own events from the
// other's, and an event rolled back is not its writer's any more, even
// when the other handle's next event takes its ID.
func TestOwnEventsAcrossHandles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), DBFileName)
	clock := &testClock{now: t0}
	a, b := openAt(t, path, clock), openAt(t, path, clock)
	start, err := a.TrackOwnEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info := func(msg string) core.Event {
		return core.Event{Kind: core.EventAdminChange, Outcome: core.OutcomeInfo, Message: msg}
	}
	mine, err := a.AppendEvent(ctx, info("a's"))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := b.AppendEvent(ctx, info("b's"))
	if err != nil {
		t.Fatal(err)
	}
	// a's refusal fails after its event row: rolled back, ID freed.
	errDisk := errors.New("disk I/O error (simulated)")
	a.testHook = func(step string) error {
		if step == "login" {
			return errDisk
		}
		return nil
	}
	if _, _, err := a.RecordRefusal(ctx, core.Refusal{At: t0, IdPSlug: "demo", NameID: "x", Class: "expired"}); !errors.Is(err, errDisk) {
		t.Fatalf("RecordRefusal = %v, want the simulated failure", err)
	}
	a.testHook = nil
	reused, err := b.AppendEvent(ctx, info("b's, on the freed ID"))
	if err != nil {
		t.Fatal(err)
	}
	if reused.ID != theirs.ID+1 {
		t.Logf("b's second event took ID %d, not the freed %d: the test shows less", reused.ID, theirs.ID+1)
	}
	evs, err := a.EventsAfter(ctx, start, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(evs); got != 3 {
		t.Fatalf("EventsAfter(%d) = %d events, want 3", start, got)
	}
	own := a.OwnEventsThrough(evs[len(evs)-1].ID)
	want := map[int64]bool{mine.ID: true}
	if len(own) != len(want) || !own[mine.ID] {
		t.Errorf("own events %v, want %v (a's %d; b's %d and %d)", own, want, mine.ID, theirs.ID, reused.ID)
	}
	if again := a.OwnEventsThrough(reused.ID); len(again) != 0 {
		t.Errorf("own events again %v, want none: they were taken", again)
	}
	if none := b.OwnEventsThrough(reused.ID); len(none) != 0 {
		t.Errorf("b, which tracks nothing, has own events %v", none)
	}
}

// TestOwnEventsOfABatch: concurrent logins (committed in batches, see
// loginBatcher) are all noted as the writer's own.
func TestOwnEventsOfABatch(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	start, err := db.TrackOwnEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			p := alice(t0.Add(time.Duration(i) * time.Second))
			p.NameID = p.NameID + string(rune('a'+i))
			_, err := db.ApplyLogin(ctx, p)
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	evs, err := db.EventsAfter(ctx, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	own := db.OwnEventsThrough(evs[len(evs)-1].ID)
	for _, e := range evs {
		if !own[e.ID] {
			t.Errorf("event %d (%s) not noted as the handle's own", e.ID, e.Kind)
		}
	}
	if len(own) != len(evs) {
		t.Errorf("%d own events noted, %d written", len(own), len(evs))
	}
}

// BenchmarkEventsAfterNothingNew is the watch's poll when nothing is new,
// over 100k events.
func BenchmarkEventsAfterNothingNew(b *testing.B) {
	db, _ := openTest(b)
	ctx := context.Background()
	if _, err := db.write.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 100000)
		INSERT INTO events (at, kind, message) SELECT i, 'login.accepted', 'x' FROM n`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	last, err := db.TrackOwnEvents(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if evs, err := db.EventsAfter(ctx, last, 500); err != nil || len(evs) != 0 {
			b.Fatal(evs, err)
		}
	}
}

// BenchmarkDataVersion is the other trigger considered: PRAGMA
// data_version on a held connection.
func BenchmarkDataVersion(b *testing.B) {
	db, _ := openTest(b)
	ctx := context.Background()
	conn, err := db.read.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var v int64
	for b.Loop() {
		if err := conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNoteOwnEvent is what the watch adds to each event a login
// writes: noting its ID (taken once a second by the watch).
func BenchmarkNoteOwnEvent(b *testing.B) {
	var o ownEvents
	o.on.Store(true)
	var id int64
	for b.Loop() {
		id++
		o.note(id)
		if id%1000 == 0 {
			o.take(id)
		}
	}
}
