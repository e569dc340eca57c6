package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// eventsAfter is the part of core.SharedEventLog every store keeps.
type eventsAfter interface {
	EventsAfter(ctx context.Context, afterID int64, limit int) ([]core.Event, error)
}

var eventsAfterCases = []testCase{
	{"events after an ID come in ID order, at most limit of them", func(t *testing.T, s core.Store) {
		log, ok := s.(eventsAfter)
		if !ok {
			t.Fatalf("%T has no EventsAfter", s)
		}
		var ids []int64
		// Out of time order: EventsAfter follows the IDs (commit order).
		for _, at := range []time.Duration{3, 1, 2, 0} {
			ev, err := s.AppendEvent(ctx, event(core.EventAdminChange, "okta", base.Add(at*time.Minute)))
			must(t, err)
			ids = append(ids, ev.ID)
		}
		cases := []struct {
			after int64
			limit int
			want  []int64
		}{
			{0, 10, ids},
			{ids[0], 10, ids[1:]},
			{ids[0], 2, ids[1:3]},
			{ids[3], 10, nil},
			{0, 0, nil},
		}
		for _, c := range cases {
			got, err := log.EventsAfter(ctx, c.after, c.limit)
			must(t, err)
			if ids := eventIDs(got); !reflect.DeepEqual(ids, c.want) {
				t.Errorf("EventsAfter(%d, %d) = %v, want %v", c.after, c.limit, ids, c.want)
			}
		}
		got, err := log.EventsAfter(ctx, ids[2], 1)
		must(t, err)
		if len(got) != 1 || got[0].Kind != core.EventAdminChange || got[0].IdPSlug != "okta" || !got[0].At.Equal(base) {
			t.Errorf("EventsAfter read %+v", got)
		}
	}},
	{"a coalesced event's count shows in EventsAfter", func(t *testing.T, s core.Store) {
		log := s.(eventsAfter)
		e := event(core.EventLoginRefused, "okta", base)
		first, _, err := s.AppendCoalescedEvent(ctx, e, base.Add(-time.Minute))
		must(t, err)
		_, bumped, err := s.AppendCoalescedEvent(ctx, e, base.Add(-time.Minute))
		must(t, err)
		if !bumped {
			t.Fatal("the second event was not coalesced")
		}
		got, err := log.EventsAfter(ctx, first.ID-1, 10)
		must(t, err)
		if len(got) != 1 || got[0].ID != first.ID || got[0].Count != 2 {
			t.Errorf("EventsAfter = %+v, want one event counted twice", got)
		}
	}},
}
