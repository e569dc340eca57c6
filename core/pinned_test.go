package core_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// noonClock is the real clock read in a time zone where the test began at
// noon: instants are real (so the SAML times the demo IdP signs and the
// library checks agree), while "today" begins twelve hours before the
// test and ends twelve hours after it, so that counts of "today" do not
// change when a run crosses local midnight.
type noonClock struct{ loc *time.Location }

// newNoonClock returns a noonClock for a test starting now.
func newNoonClock() noonClock {
	now := time.Now().UTC()
	sinceMidnight := now.Sub(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC))
	offset := 12*time.Hour - sinceMidnight // in (-12 h, +12 h]
	return noonClock{loc: time.FixedZone("test-noon", int(offset/time.Second))}
}

// Now implements core.Clock.
func (c noonClock) Now() time.Time { return time.Now().In(c.loc) }

// eventOnPageRE finds the event an error page names.
var eventOnPageRE = regexp.MustCompile(`<strong id="event">#(\d+)</strong>`)

// refusalOnPage returns the refusal event that the error page names, so
// that a check reads the event of this very POST, not the newest refusal
// (which may be an earlier attack's).
func refusalOnPage(t *testing.T, tc *testConsole, page string) core.Event {
	t.Helper()
	m := eventOnPageRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the error page names no event:\n%s", page)
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := tc.RecentEvents(context.Background(), 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.ID == id {
			if e.Kind != core.EventLoginRefused {
				t.Fatalf("the error page names event %d, a %s, not a refusal", id, e.Kind)
			}
			return e
		}
	}
	t.Fatalf("the error page names event %d, which is not among the recent events", id)
	return core.Event{}
}
