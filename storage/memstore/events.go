package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// AppendEvent writes an event that belongs to no login.
func (s *Store) AppendEvent(ctx context.Context, e core.Event) (core.Event, error) {
	if e.Kind == "" {
		return core.Event{}, core.Errorf(core.EINVALID, "An event needs a kind.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.Count = 0
	return s.addEvent(e), nil
}

// AppendCoalescedEvent writes e, or counts one more on the newest event of
// its kind, IdP and subject written at or after since.
func (s *Store) AppendCoalescedEvent(ctx context.Context, e core.Event, since time.Time) (core.Event, bool, error) {
	if e.Kind == "" {
		return core.Event{}, false, core.Errorf(core.EINVALID, "An event needs a kind.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.At.IsZero() {
		e.At = s.now()
	}
	e.At = e.At.UTC()
	var prev *core.Event
	for _, x := range s.events {
		if x.Kind == e.Kind && x.IdPSlug == e.IdPSlug && x.Subject == e.Subject && !x.At.Before(since) &&
			(prev == nil || !x.At.Before(prev.At)) {
			prev = x
		}
	}
	if prev == nil {
		e.Count = 0
		return s.addEvent(e), false, nil
	}
	prev.Count++
	e.ID, e.Count = prev.ID, prev.Count
	return e, true, nil
}

// sortedEvents are the events keep selects, newest first.
func (s *Store) sortedEvents(keep func(*core.Event) bool) []core.Event {
	var out []core.Event
	for _, e := range s.events {
		if keep(e) {
			ev := *e
			ev.Count = repeated(e.Count)
			out = append(out, ev)
		}
	}
	slices.SortFunc(out, func(a, b core.Event) int { return cmp.Or(b.At.Compare(a.At), cmp.Compare(b.ID, a.ID)) })
	return out
}

// RecentEvents returns up to limit events, newest first.
func (s *Store) RecentEvents(ctx context.Context, limit int) ([]core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sortedEvents(func(*core.Event) bool { return true })
	return out[:min(max(limit, 0), len(out))], nil
}

// ListEvents returns the events f selects, newest first.
func (s *Store) ListEvents(ctx context.Context, f core.EventFilter) ([]core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sortedEvents(func(e *core.Event) bool {
		return (len(f.Kinds) == 0 || slices.Contains(f.Kinds, e.Kind)) &&
			(f.IdPSlug == "" || e.IdPSlug == f.IdPSlug) && !e.At.Before(f.Since)
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// ListRecordings returns flight recorder entries f selects, newest first,
// without their raw responses.
func (s *Store) ListRecordings(ctx context.Context, f core.RecordingFilter) ([]core.Recording, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	search := strings.ToLower(strings.TrimSpace(f.Search))
	var out []core.Recording
	for _, r := range s.records {
		text := strings.ToLower(strings.Join([]string{r.NameID, string(r.Class), r.Reason}, "\n"))
		if (f.IdPSlug != "" && r.IdPSlug != f.IdPSlug) || (f.Outcome != "" && r.Outcome != f.Outcome) ||
			(search != "" && !strings.Contains(text, search)) ||
			(!f.Since.IsZero() && r.At.Before(f.Since)) || (!f.Until.IsZero() && !r.At.Before(f.Until)) {
			continue
		}
		rec := *r
		rec.Raw, rec.Count = nil, repeated(r.Count)
		out = append(out, rec)
	}
	slices.SortFunc(out, func(a, b core.Recording) int { return cmp.Or(b.At.Compare(a.At), cmp.Compare(b.ID, a.ID)) })
	out = out[min(max(f.Offset, 0), len(out)):]
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// GetRecording returns one entry with its raw response.
func (s *Store) GetRecording(ctx context.Context, id int64) (core.Recording, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.records {
		if r.ID == id {
			rec := *r
			rec.Raw, rec.Count = slices.Clone(r.Raw), repeated(r.Count)
			return rec, nil
		}
	}
	return core.Recording{}, core.Errorf(core.ENOTFOUND, "There is no flight recorder entry %d.", id)
}

// PurgeRecordings deletes entries older than before.
func (s *Store) PurgeRecordings(ctx context.Context, before time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.records)
	s.records = slices.DeleteFunc(s.records, func(r *core.Recording) bool { return r.At.Before(before) })
	return n - len(s.records), nil
}

// PurgeEvents deletes events older than before, except the audit log's.
func (s *Store) PurgeEvents(ctx context.Context, before time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.events)
	s.events = slices.DeleteFunc(s.events, func(e *core.Event) bool {
		return e.At.Before(before) && !slices.Contains(core.AuditKinds, e.Kind)
	})
	return n - len(s.events), nil
}

// PurgeLogins deletes login rows older than before.
func (s *Store) PurgeLogins(ctx context.Context, before time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.logins)
	s.logins = slices.DeleteFunc(s.logins, func(l *loginRow) bool { return l.At.Before(before) })
	return n - len(s.logins), nil
}

// CapRecordings deletes the oldest entries until the raw responses kept
// add up to at most maxBytes.
func (s *Store) CapRecordings(ctx context.Context, maxBytes int64) (int, int64, error) {
	if maxBytes < 0 {
		return 0, 0, core.Errorf(core.EINVALID, "The flight recorder's size cap cannot be negative.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	slices.SortStableFunc(s.records, func(a, b *core.Recording) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID)) })
	var total int64
	for _, r := range s.records {
		total += int64(len(r.Raw))
	}
	n, freed := 0, int64(0)
	for n < len(s.records) && total-freed > maxBytes {
		freed += int64(len(s.records[n].Raw))
		n++
	}
	s.records = slices.Delete(s.records, 0, n)
	return n, freed, nil
}

// StorageUsage measures the store: DBBytes is an estimate of what its
// rows hold; there is no free space and no WAL.
func (s *Store) StorageUsage(ctx context.Context) (core.StorageUsage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	const rowBytes = 256 // a rough size of a row without its raw response
	var u core.StorageUsage
	for _, r := range s.records {
		u.RecorderBytes += int64(len(r.Raw))
	}
	u.RecorderEntries = len(s.records)
	rows := len(s.idps) + len(s.users) + len(s.roles) + len(s.logins) + len(s.events) + len(s.records) +
		len(s.replay) + len(s.requests) + len(s.personas) + len(s.settings)
	u.DBBytes = int64(rows+1)*rowBytes + u.RecorderBytes
	return u, nil
}

// Stats are the dashboard counters at now.
func (s *Store) Stats(ctx context.Context, now time.Time) (core.Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	dayAgo := now.Add(-24 * time.Hour)
	st := core.Stats{Users: len(s.users)}
	for _, a := range s.users {
		if !a.CreatedAt.Before(midnight) && !a.CreatedAt.After(now) {
			st.CreatedToday++
		}
	}
	for _, l := range s.logins {
		if !l.At.After(dayAgo) || l.At.After(now) {
			continue
		}
		switch l.Outcome {
		case core.OutcomeAccepted:
			st.Logins24h++
		case core.OutcomeRefused:
			st.Refusals24h += l.count
		}
	}
	return st, nil
}

// maxMinutes bounds the span of LoginsPerMinute: 31 days.
const maxMinutes = 31 * 24 * 60

// LoginsPerMinute counts accepted logins per minute (in UTC) from the
// minute of since to that of now, every minute present.
func (s *Store) LoginsPerMinute(ctx context.Context, since, now time.Time) ([]core.MinuteCount, error) {
	first, last := since.UTC().Truncate(time.Minute), now.UTC().Truncate(time.Minute)
	if last.Before(first) {
		return nil, nil
	}
	span := int(last.Sub(first) / time.Minute)
	if span >= maxMinutes {
		return nil, core.Errorf(core.EINVALID, "Logins per minute are counted over at most %d days.", maxMinutes/(24*60))
	}
	counts := make([]core.MinuteCount, span+1)
	for i := range counts {
		counts[i].Minute = first.Add(time.Duration(i) * time.Minute)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.logins {
		if l.Outcome != core.OutcomeAccepted || l.At.Before(first) || l.At.After(now) {
			continue
		}
		if i := int(l.At.Sub(first) / time.Minute); i < len(counts) {
			counts[i].Count++
		}
	}
	return counts, nil
}
