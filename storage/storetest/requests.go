package storetest

import (
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

var requestCases = []testCase{
	{"a tracked request is found by its token, IdP and browser until it expires", func(t *testing.T, s core.Store) {
		expires := base.Add(10 * time.Minute)
		must(t, s.TrackRequest(ctx, "tok1", "_req1", "okta", "browser-a", expires))
		id, answered, err := s.LookupRequest(ctx, "tok1", "okta", "browser-a", base)
		must(t, err)
		if id != "_req1" || answered {
			t.Errorf("lookup = %q, answered %v; want _req1, not answered", id, answered)
		}
		cases := []struct {
			what, token, idp, binding string
			at                        time.Time
			code                      string
		}{
			{"unknown token", "tok2", "okta", "browser-a", base, core.ENOTFOUND},
			{"another IdP", "tok1", "entra", "browser-a", base, core.ENOTFOUND},
			{"expired", "tok1", "okta", "browser-a", expires, core.ENOTFOUND},
			{"another browser", "tok1", "okta", "browser-b", base, core.EFORBIDDEN},
		}
		for _, c := range cases {
			_, _, err := s.LookupRequest(ctx, c.token, c.idp, c.binding, c.at)
			if core.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want code %q", c.what, err, c.code)
			}
		}
		// A lookup writes nothing: it can be repeated.
		if _, _, err := s.LookupRequest(ctx, "tok1", "okta", "browser-a", base); err != nil {
			t.Errorf("a second lookup: %v", err)
		}
	}},
	{"an unbound request is found from any browser", func(t *testing.T, s core.Store) {
		must(t, s.TrackRequest(ctx, "tok1", "_req1", "okta", "", base.Add(time.Minute)))
		if _, _, err := s.LookupRequest(ctx, "tok1", "okta", "", base); err != nil {
			t.Errorf("lookup: %v", err)
		}
	}},
	{"a tracked request needs a token, a request ID and an IdP", func(t *testing.T, s core.Store) {
		for _, args := range [][3]string{{"", "_r", "okta"}, {"tok", "", "okta"}, {"tok", "_r", ""}} {
			wantCode(t, s.TrackRequest(ctx, args[0], args[1], args[2], "", base.Add(time.Minute)), core.EINVALID)
		}
	}},
	{"the login that answers a request uses it up", func(t *testing.T, s core.Store) {
		must(t, s.TrackRequest(ctx, "tok1", "_req1", "okta", "b", base.Add(10*time.Minute)))
		found, answered, err := s.PendingRequest(ctx, "_req1", "okta", base)
		must(t, err)
		if !found || answered {
			t.Errorf("pending before the login: found %v answered %v", found, answered)
		}
		p := login("okta", "ann", base)
		p.RequestToken = "tok1"
		apply(t, s, p)
		id, answered, err := s.LookupRequest(ctx, "tok1", "okta", "b", base.Add(time.Second))
		must(t, err)
		if id != "_req1" || !answered {
			t.Errorf("after the login: %q answered %v; want _req1 answered", id, answered)
		}
		found, answered, err = s.PendingRequest(ctx, "_req1", "okta", base.Add(time.Second))
		must(t, err)
		if !found || !answered {
			t.Errorf("pending after the login: found %v answered %v", found, answered)
		}
		u0, e0, _ := counts(t, s)
		q := login("okta", "bob", base.Add(2*time.Second))
		q.RequestToken = "tok1"
		_, err = s.ApplyLogin(ctx, q)
		wantCode(t, err, core.EANSWERED)
		if u, e, _ := counts(t, s); u != u0 || e != e0 {
			t.Errorf("a second answer wrote: %d accounts, %d events (before %d, %d)", u, e, u0, e0)
		}
	}},
	{"pending is per IdP and ends at expiry", func(t *testing.T, s core.Store) {
		must(t, s.TrackRequest(ctx, "tok1", "_req1", "okta", "", base.Add(time.Minute)))
		for _, c := range []struct {
			id, idp string
			at      time.Time
		}{{"_req1", "entra", base}, {"_req1", "okta", base.Add(time.Minute)}, {"_other", "okta", base}} {
			found, _, err := s.PendingRequest(ctx, c.id, c.idp, c.at)
			must(t, err)
			if found {
				t.Errorf("PendingRequest(%s, %s, %v) found a request", c.id, c.idp, c.at)
			}
		}
	}},
}
