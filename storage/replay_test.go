package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

func TestConsumeAssertion(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: t0}
	path := filepath.Join(t.TempDir(), DBFileName)
	db := openAt(t, path, clock)
	expires := t0.Add(5 * time.Minute)

	if err := db.ConsumeAssertion(ctx, "_id1", expires); err != nil {
		t.Fatalf("first use: %v", err)
	}
	err := db.ConsumeAssertion(ctx, "_id1", expires)
	wantCode(t, err, core.EREPLAYED)
	if err := db.ConsumeAssertion(ctx, "_id2", expires); err != nil {
		t.Fatalf("another ID: %v", err)
	}
	wantCode(t, db.ConsumeAssertion(ctx, "", expires), core.EINVALID)

	// The cache survives a restart.
	db.Close()
	db = openAt(t, path, clock)
	wantCode(t, db.ConsumeAssertion(ctx, "_id1", expires), core.EREPLAYED)

	// One instant before expiry it is still a replay; at expiry the ID may
	// be used again, and is then recorded anew.
	clock.Set(expires.Add(-time.Nanosecond))
	wantCode(t, db.ConsumeAssertion(ctx, "_id1", expires.Add(time.Hour)), core.EREPLAYED)
	clock.Set(expires)
	if err := db.ConsumeAssertion(ctx, "_id1", expires.Add(time.Hour)); err != nil {
		t.Fatalf("expired ID reused: %v", err)
	}
	wantCode(t, db.ConsumeAssertion(ctx, "_id1", expires.Add(time.Hour)), core.EREPLAYED)
}

func TestConsumeAssertionConcurrent(t *testing.T) {
	db, _ := openTest(t)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			err := db.ConsumeAssertion(context.Background(), "_same", t0.Add(time.Minute))
			switch core.ErrorCode(err) {
			case "":
				ok.Add(1)
			case core.EREPLAYED:
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Errorf("%d of 20 concurrent uses of one assertion were accepted, want 1", ok.Load())
	}
}

func TestExpiredRowsArePurged(t *testing.T) {
	db, clock := openTest(t)
	ctx := context.Background()
	for i := range 10 {
		if err := db.ConsumeAssertion(ctx, fmt.Sprint("_old", i), t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := db.TrackRequest(ctx, fmt.Sprint("tok", i), "id", "demo", "", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Set(t0.Add(time.Hour))
	// Not on every call …
	if err := db.ConsumeAssertion(ctx, "_new0", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "replay_cache", ""); n != 11 {
		t.Errorf("%d cache rows after one call, want 11 (no purge yet)", n)
	}
	// … but now and then.
	for i := 1; i < purgeEvery; i++ {
		if err := db.ConsumeAssertion(ctx, fmt.Sprint("_new", i), t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, "replay_cache", "expires_at <= ?", clock.Now().UnixNano()); n != 0 {
		t.Errorf("%d expired cache rows left after %d calls", n, purgeEvery+20)
	}
	if n := count(t, db, "request_tracker", ""); n != 0 {
		t.Errorf("%d expired tracked requests left", n)
	}
	if n := count(t, db, "replay_cache", ""); n != purgeEvery {
		t.Errorf("%d live cache rows, want %d", n, purgeEvery)
	}
}

func TestRequestTracking(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	expires := t0.Add(10 * time.Minute)
	bindings := map[string]string{"tok-a": "", "tok-b": "", "tok-c": "", "tok-d": "hash-of-browser-1"}
	for _, tok := range []string{"tok-a", "tok-b", "tok-c", "tok-d"} {
		if err := db.TrackRequest(ctx, tok, "req-"+tok, "demo", bindings[tok], expires); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, db.TrackRequest(ctx, "", "req", "demo", "", expires), core.EINVALID)
	if err := db.TrackRequest(ctx, "tok-a", "other", "demo", "", expires); err == nil {
		t.Error("a token was tracked twice")
	}

	tests := []struct {
		name, token, idp, binding string
		now                       time.Time
		wantID                    string
		wantUsed                  bool
		wantCode                  string
	}{
		{"unknown token", "nope", "demo", "", t0, "", false, core.ENOTFOUND},
		{"first use", "tok-a", "demo", "", t0, "req-tok-a", false, ""},
		{"second use", "tok-a", "demo", "", t0.Add(time.Minute), "req-tok-a", true, ""},
		{"third use", "tok-a", "demo", "", t0.Add(time.Minute), "req-tok-a", true, ""},
		{"another IdP", "tok-b", "okta", "", t0, "", false, core.ENOTFOUND},
		{"the right IdP after a wrong one", "tok-b", "demo", "", t0, "req-tok-b", false, ""},
		{"expired", "tok-c", "demo", "", expires, "", false, core.ENOTFOUND},
		{"used and expired", "tok-a", "demo", "", expires.Add(time.Second), "", false, core.ENOTFOUND},
		{"bound, no cookie", "tok-d", "demo", "", t0, "", false, core.EFORBIDDEN},
		{"bound, another browser", "tok-d", "demo", "hash-of-browser-2", t0, "", false, core.EFORBIDDEN},
		{"bound, another IdP", "tok-d", "okta", "hash-of-browser-1", t0, "", false, core.ENOTFOUND},
		{"bound, its browser after other tries", "tok-d", "demo", "hash-of-browser-1", t0, "req-tok-d", false, ""},
		{"bound, expired", "tok-d", "demo", "hash-of-browser-2", expires, "", false, core.ENOTFOUND},
	}
	for _, tt := range tests {
		id, used, err := db.ConsumeRequest(ctx, tt.token, tt.idp, tt.binding, tt.now)
		if core.ErrorCode(err) != tt.wantCode || id != tt.wantID || used != tt.wantUsed {
			t.Errorf("%s: ConsumeRequest(%q, %q, %q) = %q, %v, %v; want %q, %v, code %q",
				tt.name, tt.token, tt.idp, tt.binding, id, used, err, tt.wantID, tt.wantUsed, tt.wantCode)
		}
	}
}

// TestPendingRequestsAreBounded: however many logins start, the tracker
// keeps at most the cap (plus one trim interval), and what it drops is the
// oldest.
func TestPendingRequestsAreBounded(t *testing.T) {
	db, _ := openTest(t)
	db.maxPending = 10
	ctx := context.Background()
	n := 3*trimEvery + 5
	for i := range n {
		tok := fmt.Sprintf("tok%04d", i)
		if err := db.TrackRequest(ctx, tok, "req", "demo", "", t0.Add(time.Hour+time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
		if got := count(t, db, "request_tracker", ""); got > db.maxPending+trimEvery {
			t.Fatalf("%d tracked requests after %d logins, cap %d+%d", got, i+1, db.maxPending, trimEvery)
		}
	}
	if _, _, err := db.ConsumeRequest(ctx, "tok0000", "demo", "", t0); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("the oldest request is still tracked: %v", err)
	}
	if _, _, err := db.ConsumeRequest(ctx, fmt.Sprintf("tok%04d", n-1), "demo", "", t0); err != nil {
		t.Errorf("the newest request was dropped: %v", err)
	}
}

func TestConsumeRequestConcurrent(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if err := db.TrackRequest(ctx, "tok", "req", "demo", "", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var first atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			id, used, err := db.ConsumeRequest(ctx, "tok", "demo", "", t0)
			if err != nil || id != "req" {
				t.Errorf("ConsumeRequest = %q, %v", id, err)
			}
			if !used {
				first.Add(1)
			}
		})
	}
	wg.Wait()
	if first.Load() != 1 {
		t.Errorf("%d of 20 concurrent uses were first uses, want 1", first.Load())
	}
}
