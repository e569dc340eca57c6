package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/jitconsole/jitconsole/core"
)

// EventsAfter returns up to limit events with an ID above afterID, in ID
// order. (The store is one process's: it does not implement the rest of
// core.SharedEventLog, so a console over it runs no watch.)
func (s *Store) EventsAfter(ctx context.Context, afterID int64, limit int) ([]core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sortedEvents(func(e *core.Event) bool { return e.ID > afterID })
	slices.SortFunc(out, func(a, b core.Event) int { return cmp.Compare(a.ID, b.ID) })
	return out[:min(max(limit, 0), len(out))], nil
}
