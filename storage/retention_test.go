package storage

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// refusal stores a refused login at at, with a recording of a raw
// response of rawSize bytes.
func refusal(t *testing.T, db *DB, at time.Time, rawSize int) core.Login {
	t.Helper()
	raw := samlResponse(rawSize)
	l, _, err := db.RecordRefusal(context.Background(), core.Refusal{At: at, IdPSlug: "demo", Class: core.ClassExpired,
		Record: &core.Recording{RemoteAddr: "192.0.2.1:4000", Raw: raw, RawSize: len(raw)}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestRetentionPurgesByAgeAndKeepsTheAuditLog(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	old, recent := t0.Add(-200*24*time.Hour), t0.Add(-time.Hour)
	for _, at := range []time.Time{old, recent} {
		refusal(t, db, at, 2<<10)
		login(t, db, dave("demo", "dave-"+at.Format("150405.000"), at))
		for _, kind := range []core.EventKind{core.EventAdminChange, core.EventIdPRegistered, core.EventIdPRemoved, core.EventListener} {
			if _, err := db.AppendEvent(ctx, core.Event{At: at, Kind: kind, Message: "m"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	cut := t0.Add(-180 * 24 * time.Hour)
	n, err := db.PurgeRecordings(ctx, cut)
	if err != nil || n != 1 {
		t.Fatalf("PurgeRecordings = %d, %v; want 1 (the old refusal's)", n, err)
	}
	if n, err := db.PurgeLogins(ctx, cut); err != nil || n != 2 {
		t.Fatalf("PurgeLogins = %d, %v; want 2", n, err)
	}
	// The old refusal's, the old login's, and the listener event; the
	// audit kinds stay.
	if n, err := db.PurgeEvents(ctx, cut); err != nil || n != 3 {
		t.Fatalf("PurgeEvents = %d, %v; want 3", n, err)
	}
	if got := count(t, db, "events", "at < ?", nanos(cut)); got != 3 {
		t.Errorf("%d old events left, want the 3 of the audit log", got)
	}
	if got := count(t, db, "events", "at < ? AND "+auditKindsSQL, nanos(cut)); got != 3 {
		t.Errorf("%d old audit events left, want 3", got)
	}
	for table, want := range map[string]int{"logins": 2, "recordings": 1, "recording_raw": 1, "events": 9} {
		if got := count(t, db, table, ""); got != want {
			t.Errorf("%s: %d rows, want %d", table, got, want)
		}
	}
	// Accounts stay, with their counts.
	if got := count(t, db, "users", ""); got != 2 {
		t.Errorf("%d accounts, want 2", got)
	}
	// A second run finds nothing.
	if n, _ := db.PurgeEvents(ctx, cut); n != 0 {
		t.Errorf("second PurgeEvents = %d", n)
	}
}

func TestRetentionPurgesInBatches(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	for i := range purgeBatch*2 + 7 {
		if _, err := db.AppendEvent(ctx, core.Event{At: t0.Add(-time.Duration(i+1) * time.Second), Kind: core.EventListener}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.PurgeEvents(ctx, t0); err != nil || n != purgeBatch*2+7 {
		t.Fatalf("PurgeEvents = %d, %v", n, err)
	}
}

func TestCapRecordingsDeletesOldestFirst(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	const size = 100 << 10
	var logins []core.Login
	for i := range 10 {
		logins = append(logins, refusal(t, db, t0.Add(time.Duration(i)*time.Minute), size))
	}
	u, err := db.StorageUsage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u.RecorderEntries != 10 || u.RecorderBytes < 10*(size-200) || u.RecorderBytes > 10*(size+100) {
		t.Fatalf("usage before the cap: %+v", u)
	}
	if u.DBBytes < u.RecorderBytes {
		t.Errorf("database %d bytes, smaller than its recordings", u.DBBytes)
	}
	capBytes := int64(3*size + 100)
	n, freed, err := db.CapRecordings(ctx, capBytes)
	if err != nil {
		t.Fatal(err)
	}
	if n != 7 || freed < 7*(size-200) {
		t.Errorf("CapRecordings deleted %d entries, %d bytes; want 7", n, freed)
	}
	after, err := db.StorageUsage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.RecorderBytes > capBytes || after.RecorderEntries != 3 {
		t.Errorf("after the cap: %+v, cap %d", after, capBytes)
	}
	if after.RecorderBytes != u.RecorderBytes-freed {
		t.Errorf("freed %d, but the recorder went from %d to %d", freed, u.RecorderBytes, after.RecorderBytes)
	}
	// The newest three stay, raw responses included.
	for i, l := range logins {
		rec, err := db.GetRecording(ctx, l.RecordingID)
		switch {
		case i < 7 && core.ErrorCode(err) != core.ENOTFOUND:
			t.Errorf("entry %d (old) is still there: %v", i, err)
		case i >= 7 && (err != nil || len(rec.Raw) == 0):
			t.Errorf("entry %d (new) is gone or empty: %v", i, err)
		}
	}
	if got := count(t, db, "recording_raw", ""); got != 3 {
		t.Errorf("%d raw responses left, want 3", got)
	}
	// Under the cap, nothing goes.
	if n, _, err := db.CapRecordings(ctx, capBytes); err != nil || n != 0 {
		t.Errorf("second cap: %d, %v", n, err)
	}
}

func TestCompactRefusalsShareARow(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	compact := func(at time.Time, class core.RefusalClass, slug, ip string) (core.Login, core.Event) {
		t.Helper()
		l, ev, err := db.RecordRefusal(ctx, core.Refusal{At: at, IdPSlug: slug, Class: class, Reason: "Nope.", Compact: true,
			Record: &core.Recording{RemoteAddr: ip, Raw: []byte(strings.Repeat("x", 50<<10)), RawSize: 50 << 10}})
		if err != nil {
			t.Fatal(err)
		}
		return l, ev
	}
	first, firstEv := compact(t0, core.ClassUnknownIdP, "nosuch", "192.0.2.9")
	if first.Count != 0 || firstEv.Count != 0 || first.RecordingID == 0 {
		t.Fatalf("first: %+v %+v", first, firstEv)
	}
	var l core.Login
	var ev core.Event
	for i := range 4 {
		l, ev = compact(t0.Add(time.Duration(i+1)*10*time.Second), core.ClassUnknownIdP, "nosuch", "192.0.2.9")
	}
	if l.ID != first.ID || ev.ID != firstEv.ID || l.RecordingID != first.RecordingID || l.Count != 5 || ev.Count != 5 {
		t.Errorf("repeat within a minute: login %+v event %+v, want login %d and event %d with count 5", l, ev, first.ID, firstEv.ID)
	}
	if !ev.At.Equal(t0) || ev.Message != "Nope." || ev.Class != core.ClassUnknownIdP {
		t.Errorf("bumped event: %+v", ev)
	}
	rec, err := db.GetRecording(ctx, first.RecordingID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Count != 5 || len(rec.Raw) != 0 || rec.RawSize != 0 {
		t.Errorf("recording: count %d, %d raw bytes (size %d); want 5 and no raw", rec.Count, len(rec.Raw), rec.RawSize)
	}
	evs, err := db.RecentEvents(ctx, 10)
	if err != nil || len(evs) != 1 || evs[0].Count != 5 {
		t.Errorf("events: %+v, %v", evs, err)
	}
	// The dashboard counts the requests a shared row stands for.
	if st, err := db.Stats(ctx, t0.Add(time.Minute)); err != nil || st.Refusals24h != 5 {
		t.Errorf("Stats: %d refusals in 24 h, %v; want 5", st.Refusals24h, err)
	}

	// Each differing key, or the minute over, starts a new row.
	for name, k := range map[string]struct {
		at       time.Time
		class    core.RefusalClass
		slug, ip string
	}{
		"other IP":     {t0.Add(time.Second), core.ClassUnknownIdP, "nosuch", "192.0.2.10"},
		"other slug":   {t0.Add(time.Second), core.ClassUnknownIdP, "other", "192.0.2.9"},
		"other class":  {t0.Add(time.Second), core.ClassMalformed, "nosuch", "192.0.2.9"},
		"minute later": {t0.Add(time.Minute), core.ClassUnknownIdP, "nosuch", "192.0.2.9"},
	} {
		if l, _ := compact(k.at, k.class, k.slug, k.ip); l.ID == first.ID || l.Count != 0 {
			t.Errorf("%s: login %+v shares the first row", name, l)
		}
	}
	// A refusal that is not compact is never merged.
	l2, _, err := db.RecordRefusal(ctx, core.Refusal{At: t0.Add(2 * time.Second), IdPSlug: "nosuch", Class: core.ClassUnknownIdP,
		Record: &core.Recording{RemoteAddr: "192.0.2.9"}})
	if err != nil || l2.ID == first.ID || l2.Count != 0 {
		t.Errorf("full refusal: %+v, %v", l2, err)
	}
	if got := count(t, db, "recording_raw", ""); got != 0 {
		t.Errorf("%d raw responses kept for compact refusals", got)
	}
}

func TestMigrateFromVersion4CountsStoredSizes(t *testing.T) {
	path := filepath.Join(t.TempDir(), DBFileName)
	old := createAtVersion(t, path, 4)
	for _, q := range []string{
		`INSERT INTO events (at, kind) VALUES (1000, 'login.refused')`,
		`INSERT INTO logins (at, outcome, event_id) VALUES (1000, 'refused', 1)`,
		`INSERT INTO recordings (at, outcome, login_id, event_id, raw_size) VALUES (1000, 'refused', 1, 1, 3000), (2000, 'refused', 1, 1, 0)`,
		`INSERT INTO recording_raw (id, raw) VALUES (1, zeroblob(3000))`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()
	db := openAt(t, path, &testClock{now: t0})
	u, err := db.StorageUsage(context.Background())
	if err != nil || u.RecorderBytes != 3000 || u.RecorderEntries != 2 {
		t.Fatalf("usage after the migration: %+v, %v", u, err)
	}
	evs, err := db.RecentEvents(context.Background(), 1)
	if err != nil || len(evs) != 1 || evs[0].Count != 0 {
		t.Errorf("old event: %+v, %v", evs, err)
	}
}
