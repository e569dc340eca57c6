package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// counts are how many accounts, events and recordings a store holds.
func counts(t *testing.T, s core.Store) (users, events, recordings int) {
	t.Helper()
	u, err := s.ListUsers(ctx, core.UserFilter{})
	must(t, err)
	e, err := s.ListEvents(ctx, core.EventFilter{})
	must(t, err)
	r, err := s.ListRecordings(ctx, core.RecordingFilter{})
	must(t, err)
	return len(u), len(e), len(r)
}

var loginCases = []testCase{
	{"an assertion ID is used once until it expires", func(t *testing.T, s core.Store) {
		p := login("okta", "ann", base)
		p.AssertionID, p.AssertionExpires = "_a1", base.Add(5*time.Minute)
		apply(t, s, p)
		u0, e0, r0 := counts(t, s)
		q := login("okta", "bob", base.Add(time.Second))
		q.AssertionID, q.AssertionExpires = "_a1", base.Add(5*time.Minute)
		q.Record = &core.Recording{Raw: []byte("<Response/>")}
		_, err := s.ApplyLogin(ctx, q)
		wantCode(t, err, core.EREPLAYED)
		if u, e, r := counts(t, s); u != u0 || e != e0 || r != r0 {
			t.Errorf("a replay wrote: %d/%d/%d accounts/events/recordings, %d/%d/%d before", u, e, r, u0, e0, r0)
		}
		seen, err := s.AssertionSeen(ctx, "_a1", base.Add(time.Minute))
		must(t, err)
		if !seen {
			t.Errorf("AssertionSeen is false for a used ID")
		}
		seen, err = s.AssertionSeen(ctx, "_a1", base.Add(5*time.Minute))
		must(t, err)
		if seen {
			t.Errorf("AssertionSeen is true at the ID's expiry")
		}
		seen, err = s.AssertionSeen(ctx, "_never", base)
		must(t, err)
		if seen {
			t.Errorf("AssertionSeen is true for an unused ID")
		}
		// Once expired, the ID is taken again.
		q.At = base.Add(5 * time.Minute)
		q.AssertionExpires = base.Add(10 * time.Minute)
		apply(t, s, q)
	}},
	{"of concurrent logins with one assertion ID exactly one wins", func(t *testing.T, s core.Store) {
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := login("okta", "person"+string(rune('a'+i)), base)
				p.AssertionID, p.AssertionExpires = "_same", base.Add(time.Hour)
				_, errs[i] = s.ApplyLogin(ctx, p)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case core.ErrorCode(err) != core.EREPLAYED:
				t.Errorf("a losing login failed with %v, want code replayed", err)
			}
		}
		if won != 1 {
			t.Errorf("%d logins with one assertion ID were accepted, want 1", won)
		}
	}},
	{"a login stores its recording with the IDs it made", func(t *testing.T, s core.Store) {
		p := login("okta", "ann", base)
		p.Record = &core.Recording{Raw: []byte("<Response>ann</Response>"), RawSize: 24, RemoteAddr: "127.0.0.1",
			Outcome: core.OutcomeAccepted, Action: "created"}
		res := apply(t, s, p)
		if res.Login.RecordingID == 0 {
			t.Fatalf("the login names no recording")
		}
		rec, err := s.GetRecording(ctx, res.Login.RecordingID)
		must(t, err)
		if rec.LoginID != res.Login.ID || rec.EventID != res.Event.ID || rec.UserID != res.User.ID ||
			string(rec.Raw) != "<Response>ann</Response>" || rec.IdPSlug != "okta" {
			t.Errorf("recording %+v; login %d, event %d, user %d", rec, res.Login.ID, res.Event.ID, res.User.ID)
		}
	}},
	{"a refusal is a login row and an event, and changes no account", func(t *testing.T, s core.Store) {
		ann := apply(t, s, login("okta", "ann", base, "admin"))
		l, ev, err := s.RecordRefusal(ctx, core.Refusal{At: base.Add(time.Minute), IdPSlug: "okta", NameID: "ann",
			Class: "audience", Reason: "The assertion is for another SP.", Hint: "Check the audience.",
			Record: &core.Recording{Raw: []byte("<Response/>"), RemoteAddr: "127.0.0.1"}})
		must(t, err)
		if l.ID == 0 || ev.ID == 0 || l.EventID != ev.ID || l.Outcome != core.OutcomeRefused || l.Class != "audience" {
			t.Errorf("refusal's login %+v, event %+v", l, ev)
		}
		if ev.Kind != core.EventLoginRefused || ev.Outcome != core.OutcomeRefused || ev.Detail != "Check the audience." {
			t.Errorf("refusal's event %+v", ev)
		}
		u, err := s.GetUser(ctx, ann.User.ID)
		must(t, err)
		if u.LoginCount != 1 || len(u.Roles) != 1 {
			t.Errorf("a refusal changed the account: %+v", u.User)
		}
		recs, err := s.ListRecordings(ctx, core.RecordingFilter{Outcome: core.OutcomeRefused})
		must(t, err)
		if len(recs) != 1 || recs[0].EventID != ev.ID {
			t.Errorf("refused recordings %+v, want the refusal's", recs)
		}
	}},
	{"compact refusals from one address share a row, with a count", func(t *testing.T, s core.Store) {
		junk := func(at time.Time, ip string) (core.Login, core.Event) {
			l, ev, err := s.RecordRefusal(ctx, core.Refusal{At: at, IdPSlug: "okta", Class: "malformed",
				Reason: "Not a SAML response.", Compact: true,
				Record: &core.Recording{Raw: []byte("junk"), RemoteAddr: ip}})
			must(t, err)
			return l, ev
		}
		l1, e1 := junk(base, "127.0.0.9")
		for i := 1; i < 5; i++ {
			l, e := junk(base.Add(time.Duration(i)*time.Second), "127.0.0.9")
			if l.ID != l1.ID || e.ID != e1.ID {
				t.Fatalf("repeat %d got a row of its own (login %d, event %d; first %d, %d)", i, l.ID, e.ID, l1.ID, e1.ID)
			}
		}
		events, err := s.ListEvents(ctx, core.EventFilter{})
		must(t, err)
		if len(events) != 1 || events[0].Count != 5 {
			t.Errorf("events %+v, want one with count 5", events)
		}
		recs, err := s.ListRecordings(ctx, core.RecordingFilter{})
		must(t, err)
		if len(recs) != 1 || recs[0].Count != 5 {
			t.Errorf("recordings %+v, want one with count 5", recs)
		}
		rec, err := s.GetRecording(ctx, recs[0].ID)
		must(t, err)
		if len(rec.Raw) != 0 {
			t.Errorf("a compact refusal kept %d raw bytes", len(rec.Raw))
		}
		// Another address, or after the window: a row of its own.
		if l, _ := junk(base.Add(5*time.Second), "127.0.0.10"); l.ID == l1.ID {
			t.Errorf("another address shared the row")
		}
		if l, _ := junk(base.Add(4*time.Second+core.CompactWindow+time.Second), "127.0.0.9"); l.ID == l1.ID {
			t.Errorf("a refusal after the window shared the row")
		}
	}},
}
