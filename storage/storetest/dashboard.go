package storetest

import (
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

var dashboardCases = []testCase{
	{"the counters count accounts, today's, and the last day's logins and refusals", func(t *testing.T, s core.Store) {
		// Noon today: recent enough that no age-based purge touches the
		// logins, and hours from either midnight.
		y, mo, d := time.Now().Date()
		now := time.Date(y, mo, d, 12, 0, 0, 0, time.Local)
		apply(t, s, login("okta", "old", now.Add(-48*time.Hour)))
		apply(t, s, login("okta", "old", now.Add(-time.Hour)))
		apply(t, s, login("okta", "new", now.Add(-2*time.Hour)))
		_, _, err := s.RecordRefusal(ctx, core.Refusal{At: now.Add(-time.Minute), IdPSlug: "okta", Class: "audience", Reason: "x"})
		must(t, err)
		_, _, err = s.RecordRefusal(ctx, core.Refusal{At: now.Add(-30 * time.Hour), IdPSlug: "okta", Class: "audience", Reason: "x"})
		must(t, err)
		st, err := s.Stats(ctx, now)
		must(t, err)
		want := core.Stats{Users: 2, CreatedToday: 1, Logins24h: 2, Refusals24h: 1}
		if st != want {
			t.Errorf("Stats = %+v, want %+v", st, want)
		}
	}},
	{"logins per minute has every minute, zeros included", func(t *testing.T, s core.Store) {
		m := base.Truncate(time.Minute)
		apply(t, s, login("okta", "ann", m.Add(10*time.Second)))
		apply(t, s, login("okta", "bob", m.Add(20*time.Second)))
		apply(t, s, login("okta", "carl", m.Add(2*time.Minute)))
		apply(t, s, login("okta", "later", m.Add(5*time.Minute))) // after now
		got, err := s.LoginsPerMinute(ctx, m.Add(-time.Minute), m.Add(3*time.Minute))
		must(t, err)
		want := []int{0, 2, 0, 1, 0}
		if len(got) != len(want) {
			t.Fatalf("%d minutes, want %d: %+v", len(got), len(want), got)
		}
		for i, mc := range got {
			if !mc.Minute.Equal(m.Add(time.Duration(i-1)*time.Minute)) || mc.Count != want[i] {
				t.Errorf("minute %d = %v: %d, want %v: %d", i, mc.Minute, mc.Count, m.Add(time.Duration(i-1)*time.Minute), want[i])
			}
		}
		_, err = s.LoginsPerMinute(ctx, m.Add(-40*24*time.Hour), m)
		wantCode(t, err, core.EINVALID)
	}},
}
