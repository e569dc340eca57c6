package core_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// waitUntil polls cond until it holds, failing the test after 30 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mainFileSize is the size of the database's main file once the WAL is
// checkpointed into it and truncated.
func mainFileSize(t *testing.T, path string) int64 {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var busy, logged, moved int
	if err := conn.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &moved); err != nil || busy != 0 {
		t.Fatalf("checkpoint: busy %d, %v", busy, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// TestOversizedPostsToAnUnknownSlugStayCompact: 200 posts of 250 KiB to
// an unknown slug with a long name, and GETs besides, over real HTTP,
// grow the main database file by less than 1 MiB and share few rows.
func TestOversizedPostsToAnUnknownSlugStayCompact(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	path := storage.DBPath(tc.Dir)
	before := mainFileSize(t, path)

	slug := strings.Repeat("é", 3000) // 6,000 bytes of path
	acs := tc.addr() + "/saml/" + url.PathEscape(slug) + "/acs"
	body := "SAMLResponse=" + strings.Repeat("A", 250<<10)
	client := &http.Client{Timeout: 30 * time.Second}
	for i := range 200 {
		// Each to another unknown path: a sender varies it at will.
		to := tc.addr() + "/saml/" + url.PathEscape(slug) + strconv.Itoa(i) + "/acs"
		resp, err := client.Post(to, "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("post %d: HTTP %d, want 404", i, resp.StatusCode)
		}
	}
	for range 20 {
		resp, err := client.Get(acs)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	grew := mainFileSize(t, path) - before
	if grew >= 1<<20 {
		t.Errorf("the database grew by %d bytes for 220 refused requests, want < 1 MiB", grew)
	}

	evs, err := tc.RecentEvents(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[core.RefusalClass]int{}
	rows := 0
	for _, e := range evs {
		if e.Kind != core.EventLoginRefused {
			continue
		}
		rows++
		if n := utf8.RuneCountInString(e.IdPSlug); n > core.MaxCompactSlug {
			t.Errorf("event %d keeps a slug of %d characters", e.ID, n)
		}
		if len(e.Message)+len(e.Detail)+len(e.Subject) > 2000 {
			t.Errorf("event %d is %d bytes long", e.ID, len(e.Message)+len(e.Detail))
		}
		counts[e.Class] += max(e.Count, 1)
	}
	// One row per class and minute: a run that crosses a minute may take
	// one more.
	if rows > 4 || counts[core.ClassUnknownIdP] != 200 || counts[core.ClassMalformed] != 20 {
		t.Errorf("%d refusal events with counts %v; want at most 4, counting 200 unknown-IdP posts and 20 GETs", rows, counts)
	}
	recs, err := tc.Recordings(context.Background(), core.RecordingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.RawSize != 0 || len(r.IdPSlug) > 4*core.MaxCompactSlug || len(r.Detail) > 1024 || strings.Contains(r.RemoteAddr, ":") {
			t.Errorf("recording %d is not compact: slug %d bytes, raw %d bytes, detail %d bytes, remote %q",
				r.ID, len(r.IdPSlug), r.RawSize, len(r.Detail), r.RemoteAddr)
		}
	}
}

// seedOld writes, at, a refused login with a 4 KiB recording and a
// listener event and an audit event.
func seedOld(t *testing.T, db *storage.DB, at time.Time) {
	t.Helper()
	ctx := context.Background()
	raw := []byte("<Response>" + strings.Repeat("x", 4<<10) + "</Response>")
	if _, _, err := db.RecordRefusal(ctx, core.Refusal{At: at, IdPSlug: "demo", Class: core.ClassExpired,
		Record: &core.Recording{Raw: raw, RawSize: len(raw)}}); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []core.EventKind{core.EventListener, core.EventAdminChange} {
		if _, err := db.AppendEvent(ctx, core.Event{At: at, Kind: kind, Message: "old " + string(kind)}); err != nil {
			t.Fatal(err)
		}
	}
}

// openConsoleAt opens a console over the database in dir with clock and
// retention overrides, and starts it.
func openConsoleAt(t *testing.T, dir string, clock core.Clock, override core.RetentionPolicy) (*core.Console, *storage.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.DBPath(dir), storage.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	c, err := core.New(ctx, core.Options{Store: db, Keys: storage.NewFileKeyStore(dir), Clock: clock,
		ListenAddr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Retention: override})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		db.Close()
	})
	return c, db
}

// TestRetentionRunsAtStart: a console started with old data and no
// retention run in the last day deletes, by itself, the recordings and
// events past their age, keeps the audit log, and reports the run.
func TestRetentionRunsAtStart(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	clock := fixedClock{t: now}
	c, db := openConsoleAt(t, dir, clock, core.RetentionPolicy{})
	ctx := context.Background()
	seedOld(t, db, now.Add(-200*24*time.Hour)) // past both limits
	seedOld(t, db, now.Add(-40*24*time.Hour))  // past the recorder's only
	seedOld(t, db, now.Add(-time.Hour))

	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	var st core.StorageStatus
	waitUntil(t, "the retention run at start", func() bool {
		var err error
		st, err = c.StorageStatus(ctx)
		return err == nil && !st.LastRun.At.IsZero()
	})
	r := st.LastRun
	if r.Recordings != 2 || r.Logins != 1 || r.Events != 2 || r.RecorderFreed < 8<<10 || r.Err != "" {
		t.Errorf("report %+v; want 2 recordings (%d+ bytes), 1 sign-in and 2 events deleted", r, 8<<10)
	}
	recs, _ := c.Recordings(ctx, core.RecordingFilter{})
	if len(recs) != 1 {
		t.Errorf("%d recordings left, want the recent one", len(recs))
	}
	evs, err := db.ListEvents(ctx, core.EventFilter{Kinds: []core.EventKind{core.EventAdminChange}})
	if err != nil || len(evs) != 3 {
		t.Errorf("audit log: %d events, %v; want all 3 kept", len(evs), err)
	}
	if st.Usage.DBBytes == 0 || st.Usage.RecorderEntries != 1 {
		t.Errorf("usage %+v", st.Usage)
	}
	// The run is an event too.
	waitUntil(t, "the retention event", func() bool {
		evs, _ := c.RecentEvents(ctx, 20)
		for _, e := range evs {
			if e.Kind == core.EventRetention && strings.Contains(e.Message, "2 flight recorder entries") {
				return true
			}
		}
		return false
	})
}

// TestRetentionMissedDayRunsAtStart: a last run two days ago is a missed
// day; the console runs retention at start and stores the new run.
func TestRetentionMissedDayRunsAtStart(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	past := fixedClock{t: now.Add(-2 * 24 * time.Hour)}
	c, _ := openConsoleAt(t, dir, past, core.RetentionPolicy{})
	if _, err := c.RunRetention(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Close()

	c2, db := openConsoleAt(t, dir, fixedClock{t: now}, core.RetentionPolicy{KeepRecordings: 24 * time.Hour})
	seedOld(t, db, now.Add(-3*24*time.Hour))
	if err := c2.Start(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the run after a missed day", func() bool {
		st, err := c2.StorageStatus(context.Background())
		return err == nil && st.LastRun.At.Equal(now) && st.LastRun.Recordings == 1
	})
}

// TestRetentionSettings: stored settings, their validation, and a
// command-line override that wins for its process only.
func TestRetentionSettings(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	clock := fixedClock{t: time.Now()}
	c, _ := openConsoleAt(t, dir, clock, core.RetentionPolicy{})
	rs, err := c.Retention(ctx)
	if err != nil || rs.Policy != core.DefaultRetention() || len(rs.Overridden) != 0 {
		t.Fatalf("defaults: %+v, %v", rs, err)
	}
	day := 24 * time.Hour
	bad := []core.RetentionPolicy{
		{KeepRecordings: 0, KeepEvents: 180 * day, RecorderCap: 1 << 20},
		{KeepRecordings: 30 * day, KeepEvents: 12 * time.Hour, RecorderCap: 1 << 20},
		{KeepRecordings: 30 * day, KeepEvents: 4000 * day, RecorderCap: 1 << 20},
		{KeepRecordings: 30 * day, KeepEvents: 180 * day, RecorderCap: 1000},
	}
	for _, p := range bad {
		if err := c.SetRetention(ctx, p); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("SetRetention(%+v) = %v, want EINVALID", p, err)
		}
	}
	want := core.RetentionPolicy{KeepRecordings: 7 * day, KeepEvents: 90 * day, RecorderCap: 64 << 20}
	if err := c.SetRetention(ctx, want); err != nil {
		t.Fatal(err)
	}
	if rs, _ := c.Retention(ctx); rs.Policy != want || rs.Saved != want {
		t.Errorf("after saving: %+v", rs)
	}
	audit, _ := c.AuditLog(ctx, 5)
	if len(audit) == 0 || !strings.Contains(audit[0].Message, "Retention set") {
		t.Errorf("no audit event for the change: %+v", audit)
	}
	c.Close()

	c2, _ := openConsoleAt(t, dir, clock, core.RetentionPolicy{KeepEvents: 10 * day})
	rs, err = c2.Retention(ctx)
	wantNow := want
	wantNow.KeepEvents = 10 * day
	if err != nil || rs.Policy != wantNow || rs.Saved != want || fmt.Sprint(rs.Overridden) != "[events]" {
		t.Errorf("with a flag: %+v, %v", rs, err)
	}
}

// TestRecorderCapHoldsUnderAFlood: large refused responses to a real
// IdP's ACS trigger the size cap without waiting for the daily run.
func TestRecorderCapHoldsUnderAFlood(t *testing.T) {
	dir := t.TempDir()
	c, _ := openConsoleAt(t, dir, core.SystemClock{}, core.RetentionPolicy{RecorderCap: 1 << 20})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	tc := &testConsole{Console: c, Base: c.BaseURL()}
	cap := capture(t, tc, "alice")
	if !strings.Contains(cap.xml(t), "</saml:Issuer>") {
		t.Fatal("the demo response has no Issuer to pad")
	}
	big := strings.Replace(cap.xml(t), "</saml:Issuer>", "</saml:Issuer>"+strings.Repeat(" ", 120<<10), 1)
	forged := cap.withXML(big)
	for range 30 {
		forged.post(t, "")
	}
	ctx := context.Background()
	waitUntil(t, "the recorder under its cap", func() bool {
		u, err := c.StorageStatus(ctx)
		return err == nil && u.Usage.RecorderBytes <= 1<<20 && u.Usage.RecorderEntries > 0
	})
	recs, err := c.Recordings(ctx, core.RecordingFilter{Limit: 1})
	if err != nil || len(recs) != 1 || recs[0].RawSize < 120<<10 {
		t.Errorf("newest recording: %+v, %v; want a kept response over 120 KiB", recs, err)
	}
}
