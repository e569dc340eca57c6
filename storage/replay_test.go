package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// useAssertion is a login of a new person at the demo IdP whose
// assertion id goes into the replay cache until expires.
func useAssertion(ctx context.Context, db *DB, id string, at, expires time.Time) error {
	_, err := db.ApplyLogin(ctx, core.Provision{At: at, IdPSlug: "demo", NameID: "person-" + id,
		AssertionID: id, AssertionExpires: expires})
	return err
}

func TestLoginRecordsAssertion(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{now: t0}
	path := filepath.Join(t.TempDir(), DBFileName)
	db := openAt(t, path, clock)
	expires := t0.Add(5 * time.Minute)

	if err := useAssertion(ctx, db, "_id1", t0, expires); err != nil {
		t.Fatalf("first use: %v", err)
	}
	wantCode(t, useAssertion(ctx, db, "_id1", t0, expires), core.EREPLAYED)
	if err := useAssertion(ctx, db, "_id2", t0, expires); err != nil {
		t.Fatalf("another ID: %v", err)
	}
	// A refused replay wrote nothing: one account and one login per ID.
	if n := count(t, db, "users", ""); n != 2 {
		t.Errorf("%d accounts after two logins and a replay, want 2", n)
	}
	if n := count(t, db, "logins", ""); n != 2 {
		t.Errorf("%d login rows after two logins and a replay, want 2", n)
	}

	// The cache survives a restart.
	db.Close()
	db = openAt(t, path, clock)
	wantCode(t, useAssertion(ctx, db, "_id1", t0, expires), core.EREPLAYED)

	// One instant before expiry it is still a replay; at expiry the ID may
	// be used again, and is then recorded anew.
	wantCode(t, useAssertion(ctx, db, "_id1", expires.Add(-time.Nanosecond), expires.Add(time.Hour)), core.EREPLAYED)
	if err := useAssertion(ctx, db, "_id1", expires, expires.Add(time.Hour)); err != nil {
		t.Fatalf("expired ID reused: %v", err)
	}
	wantCode(t, useAssertion(ctx, db, "_id1", expires, expires.Add(time.Hour)), core.EREPLAYED)
}

// TestLoginFailureLeavesAssertionUnused: a login whose transaction fails
// after the replay entry leaves no entry: the IdP's next post is not
// refused as a replay of a login that never happened.
func TestLoginFailureLeavesAssertionUnused(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	db.testHook = func(step string) error {
		if step == "recording" {
			return errors.New("disk full (test)")
		}
		return nil
	}
	_, err := db.ApplyLogin(ctx, core.Provision{At: t0, IdPSlug: "demo", NameID: "bob", AssertionID: "_b",
		AssertionExpires: t0.Add(time.Minute), Record: &core.Recording{Raw: []byte("<Response/>")}})
	if err == nil {
		t.Fatal("the failing login was accepted")
	}
	db.testHook = nil
	if n := count(t, db, "replay_cache", ""); n != 0 {
		t.Errorf("%d replay-cache rows after a failed login, want 0", n)
	}
	if err := useAssertion(ctx, db, "_b", t0, t0.Add(time.Minute)); err != nil {
		t.Errorf("the assertion of the failed login: %v", err)
	}
}

func TestConcurrentLoginsOfOneAssertion(t *testing.T) {
	db, _ := openTest(t)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			err := useAssertion(context.Background(), db, "_same", t0, t0.Add(time.Minute))
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
	if n := count(t, db, "logins", ""); n != 1 {
		t.Errorf("%d login rows, want 1", n)
	}
}

func TestExpiredRowsArePurged(t *testing.T) {
	db, clock := openTest(t)
	ctx := context.Background()
	for i := range 10 {
		if err := useAssertion(ctx, db, fmt.Sprint("_old", i), t0, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := db.TrackRequest(ctx, fmt.Sprint("tok", i), "id", "demo", "", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Set(t0.Add(time.Hour))
	// Not on every call …
	if err := useAssertion(ctx, db, "_new0", clock.Now(), t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "replay_cache", ""); n != 11 {
		t.Errorf("%d cache rows after one call, want 11 (no purge yet)", n)
	}
	// … but now and then.
	for i := 1; i < purgeEvery; i++ {
		if err := useAssertion(ctx, db, fmt.Sprint("_new", i), clock.Now(), t0.Add(2*time.Hour)); err != nil {
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

	// answer is an accepted login answering the request of token.
	answer := func(token, idp string, at time.Time) error {
		_, err := db.ApplyLogin(ctx, core.Provision{At: at, IdPSlug: idp, NameID: "answer-" + token, RequestToken: token})
		return err
	}
	type lookup struct {
		name, token, idp, binding string
		now                       time.Time
		wantID                    string
		wantAnswered              bool
		wantCode                  string
	}
	check := func(tt lookup) {
		t.Helper()
		id, answered, err := db.LookupRequest(ctx, tt.token, tt.idp, tt.binding, tt.now)
		if core.ErrorCode(err) != tt.wantCode || id != tt.wantID || answered != tt.wantAnswered {
			t.Errorf("%s: LookupRequest(%q, %q, %q) = %q, %v, %v; want %q, %v, code %q",
				tt.name, tt.token, tt.idp, tt.binding, id, answered, err, tt.wantID, tt.wantAnswered, tt.wantCode)
		}
	}
	for _, tt := range []lookup{
		{"unknown token", "nope", "demo", "", t0, "", false, core.ENOTFOUND},
		{"open", "tok-a", "demo", "", t0, "req-tok-a", false, ""},
		{"looked up again (a look-up uses nothing)", "tok-a", "demo", "", t0, "req-tok-a", false, ""},
		{"another IdP", "tok-b", "okta", "", t0, "", false, core.ENOTFOUND},
		{"the right IdP after a wrong one", "tok-b", "demo", "", t0, "req-tok-b", false, ""},
		{"expired", "tok-c", "demo", "", expires, "", false, core.ENOTFOUND},
		{"bound, no cookie", "tok-d", "demo", "", t0, "", false, core.EFORBIDDEN},
		{"bound, another browser", "tok-d", "demo", "hash-of-browser-2", t0, "", false, core.EFORBIDDEN},
		{"bound, another IdP", "tok-d", "okta", "hash-of-browser-1", t0, "", false, core.ENOTFOUND},
		{"bound, its browser after other tries", "tok-d", "demo", "hash-of-browser-1", t0, "req-tok-d", false, ""},
		{"bound, expired", "tok-d", "demo", "hash-of-browser-2", expires, "", false, core.ENOTFOUND},
	} {
		check(tt)
	}

	// A login answers the request once; a second answer is refused and
	// writes nothing.
	if err := answer("tok-a", "demo", t0.Add(time.Minute)); err != nil {
		t.Fatalf("first answer: %v", err)
	}
	check(lookup{"answered", "tok-a", "demo", "", t0.Add(time.Minute), "req-tok-a", true, ""})
	wantCode(t, answer("tok-a", "demo", t0.Add(time.Minute)), core.EANSWERED)
	if n := count(t, db, "logins", ""); n != 1 {
		t.Errorf("%d login rows after one answer and a refused second one, want 1", n)
	}
	check(lookup{"answered and expired", "tok-a", "demo", "", expires.Add(time.Second), "", false, core.ENOTFOUND})
	wantCode(t, answer("tok-c", "demo", expires), core.EANSWERED) // expired: nothing to answer
	wantCode(t, answer("tok-b", "okta", t0), core.EANSWERED)      // another IdP's login
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
	if _, _, err := db.LookupRequest(ctx, "tok0000", "demo", "", t0); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("the oldest request is still tracked: %v", err)
	}
	if _, _, err := db.LookupRequest(ctx, fmt.Sprintf("tok%04d", n-1), "demo", "", t0); err != nil {
		t.Errorf("the newest request was dropped: %v", err)
	}
}

// TestConcurrentAnswersOfOneRequest: of many logins answering one
// request at once (different assertions), exactly one is accepted; the
// others are refused with EANSWERED and write nothing.
func TestConcurrentAnswersOfOneRequest(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if err := db.TrackRequest(ctx, "tok", "req", "demo", "", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, err := db.ApplyLogin(ctx, core.Provision{At: t0, IdPSlug: "demo", NameID: fmt.Sprint("p", i),
				AssertionID: fmt.Sprint("_a", i), AssertionExpires: t0.Add(time.Minute), RequestToken: "tok"})
			switch core.ErrorCode(err) {
			case "":
				ok.Add(1)
			case core.EANSWERED:
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Errorf("%d of 20 concurrent answers of one request were accepted, want 1", ok.Load())
	}
	if n := count(t, db, "users", ""); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
	if n := count(t, db, "replay_cache", ""); n != 1 {
		t.Errorf("%d replay-cache rows, want 1 (the refused logins' rolled back)", n)
	}
}
