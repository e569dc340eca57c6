package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// event is an info event of kind at at.
func event(kind core.EventKind, idpSlug string, at time.Time) core.Event {
	return core.Event{At: at, Kind: kind, Outcome: core.OutcomeInfo, IdPSlug: idpSlug, Message: string(kind) + " at " + idpSlug}
}

var eventCases = []testCase{
	{"appended events get increasing IDs and come back newest first", func(t *testing.T, s core.Store) {
		var ids []int64
		for i := range 5 {
			ev, err := s.AppendEvent(ctx, event(core.EventListener, "", base.Add(time.Duration(i)*time.Second)))
			must(t, err)
			if len(ids) > 0 && ev.ID <= ids[len(ids)-1] {
				t.Errorf("event ID %d after %d", ev.ID, ids[len(ids)-1])
			}
			ids = append(ids, ev.ID)
		}
		recent, err := s.RecentEvents(ctx, 3)
		must(t, err)
		if got := eventIDs(recent); !reflect.DeepEqual(got, []int64{ids[4], ids[3], ids[2]}) {
			t.Errorf("RecentEvents(3) = %v, want the newest three, newest first (%v)", got, ids)
		}
		stored := recent[0]
		if stored.Kind != core.EventListener || stored.Outcome != core.OutcomeInfo || !stored.At.Equal(base.Add(4*time.Second)) {
			t.Errorf("stored event %+v", stored)
		}
		_, err = s.AppendEvent(ctx, core.Event{Message: "no kind"})
		wantCode(t, err, core.EINVALID)
	}},
	{"events are listed by kind, IdP and time", func(t *testing.T, s core.Store) {
		in := []core.Event{
			event(core.EventIdPRegistered, "okta", base),
			event(core.EventAdminChange, "okta", base.Add(time.Minute)),
			event(core.EventIdPRegistered, "entra", base.Add(2*time.Minute)),
			event(core.EventAdminChange, "", base.Add(3*time.Minute)),
		}
		var ids []int64
		for _, e := range in {
			ev, err := s.AppendEvent(ctx, e)
			must(t, err)
			ids = append(ids, ev.ID)
		}
		cases := []struct {
			f    core.EventFilter
			want []int64
		}{
			{core.EventFilter{}, []int64{ids[3], ids[2], ids[1], ids[0]}},
			{core.EventFilter{Kinds: []core.EventKind{core.EventAdminChange}}, []int64{ids[3], ids[1]}},
			{core.EventFilter{Kinds: []core.EventKind{core.EventAdminChange, core.EventIdPRegistered}, IdPSlug: "okta"}, []int64{ids[1], ids[0]}},
			{core.EventFilter{Since: base.Add(2 * time.Minute)}, []int64{ids[3], ids[2]}},
			{core.EventFilter{Limit: 1}, []int64{ids[3]}},
		}
		for _, c := range cases {
			got, err := s.ListEvents(ctx, c.f)
			must(t, err)
			if !reflect.DeepEqual(eventIDs(got), c.want) {
				t.Errorf("ListEvents(%+v) = %v, want %v", c.f, eventIDs(got), c.want)
			}
		}
	}},
	{"a coalesced event counts repeats since a time", func(t *testing.T, s core.Store) {
		e := core.Event{At: base, Kind: core.EventLoginRefused, Outcome: core.OutcomeRefused, IdPSlug: "okta",
			Subject: "ann", Message: "refused"}
		first, bumped, err := s.AppendCoalescedEvent(ctx, e, base.Add(-time.Minute))
		must(t, err)
		if bumped || first.ID == 0 {
			t.Fatalf("first: %+v bumped %v", first, bumped)
		}
		e.At = base.Add(10 * time.Second)
		second, bumped, err := s.AppendCoalescedEvent(ctx, e, base.Add(-time.Minute))
		must(t, err)
		if !bumped || second.ID != first.ID || second.Count != 2 {
			t.Errorf("repeat: %+v bumped %v; want event %d with count 2", second, bumped, first.ID)
		}
		other := e
		other.Subject = "bob"
		if ev, bumped, err := s.AppendCoalescedEvent(ctx, other, base.Add(-time.Minute)); err != nil || bumped || ev.ID == first.ID {
			t.Errorf("another subject: %+v bumped %v err %v; want a new event", ev, bumped, err)
		}
		e.At = base.Add(time.Hour)
		if ev, bumped, err := s.AppendCoalescedEvent(ctx, e, base.Add(30*time.Minute)); err != nil || bumped || ev.ID == first.ID {
			t.Errorf("after the window: %+v bumped %v err %v; want a new event", ev, bumped, err)
		}
		_, _, err = s.AppendCoalescedEvent(ctx, core.Event{Message: "no kind"}, base)
		wantCode(t, err, core.EINVALID)
	}},
}
