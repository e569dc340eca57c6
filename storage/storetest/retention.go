package storetest

import (
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

var retentionCases = []testCase{
	{"purges go by age, and the audit log stays", func(t *testing.T, s core.Store) {
		old, cut := base.Add(-72*time.Hour), base.Add(-24*time.Hour)
		refuseWithRecording(t, s, "okta", "old", old, "<old/>")
		_, err := s.AppendEvent(ctx, core.Event{At: old, Kind: core.EventAdminChange, Outcome: core.OutcomeInfo, Message: "old audit"})
		must(t, err)
		refuseWithRecording(t, s, "okta", "new", base, "<new/>")

		n, err := s.PurgeRecordings(ctx, cut)
		must(t, err)
		if n != 1 {
			t.Errorf("PurgeRecordings removed %d, want 1", n)
		}
		n, err = s.PurgeEvents(ctx, cut)
		must(t, err)
		if n != 1 {
			t.Errorf("PurgeEvents removed %d, want the old refusal's event only", n)
		}
		n, err = s.PurgeLogins(ctx, cut)
		must(t, err)
		if n != 1 {
			t.Errorf("PurgeLogins removed %d, want 1", n)
		}
		recs, err := s.ListRecordings(ctx, core.RecordingFilter{})
		must(t, err)
		if len(recs) != 1 || recs[0].NameID != "new" {
			t.Errorf("recordings left %+v, want the new one", recs)
		}
		audit, err := s.ListEvents(ctx, core.EventFilter{Kinds: []core.EventKind{core.EventAdminChange}})
		must(t, err)
		if len(audit) != 1 {
			t.Errorf("the audit log has %d entries after a purge, want its old one kept", len(audit))
		}
		for _, purge := range []func(time.Time) (int, error){
			func(b time.Time) (int, error) { return s.PurgeRecordings(ctx, b) },
			func(b time.Time) (int, error) { return s.PurgeEvents(ctx, b) },
			func(b time.Time) (int, error) { return s.PurgeLogins(ctx, b) },
		} {
			if n, err := purge(cut); err != nil || n != 0 {
				t.Errorf("a second purge removed %d (%v), want 0", n, err)
			}
		}
	}},
	{"the recorder's cap drops the oldest entries first", func(t *testing.T, s core.Store) {
		raw := string(make([]byte, 1000))
		for i := range 4 {
			refuseWithRecording(t, s, "okta", "p", base.Add(time.Duration(i)*time.Minute), raw)
		}
		before, err := s.StorageUsage(ctx)
		must(t, err)
		if before.RecorderEntries != 4 || before.RecorderBytes < 4000 || before.DBBytes <= 0 {
			t.Errorf("usage %+v, want 4 entries of at least 4000 bytes in a non-empty database", before)
		}
		n, freed, err := s.CapRecordings(ctx, 2500)
		must(t, err)
		if n != 2 || freed < 2000 {
			t.Errorf("CapRecordings(2500) removed %d entries, %d bytes; want 2, at least 2000", n, freed)
		}
		recs, err := s.ListRecordings(ctx, core.RecordingFilter{})
		must(t, err)
		if len(recs) != 2 || !recs[1].At.Equal(base.Add(2*time.Minute)) {
			t.Errorf("entries left %+v, want the newest two", recs)
		}
		after, err := s.StorageUsage(ctx)
		must(t, err)
		if after.RecorderEntries != 2 || after.RecorderBytes > 2500 {
			t.Errorf("usage after the cap %+v", after)
		}
		_, _, err = s.CapRecordings(ctx, -1)
		wantCode(t, err, core.EINVALID)
	}},
}
