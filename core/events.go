// The event log: publishing events (stored first, then fanned out to
// subscribers), the live feed and the audit log.

package core

import (
	"context"
	"time"
)

// Subscribe returns a channel of events published from now on, and a
// function that ends the subscription. The channel has room for buffer
// events; a subscriber that falls behind misses live events (they are
// still in the store: use RecentEvents) but never slows a login.
func (c *Console) Subscribe(buffer int) (<-chan Event, func()) {
	return c.broker.Subscribe(buffer)
}

// RecentEvents returns up to n events, newest first.
func (c *Console) RecentEvents(ctx context.Context, n int) ([]Event, error) {
	return c.store.RecentEvents(ctx, n)
}

// AuditLog returns admin changes, newest first.
func (c *Console) AuditLog(ctx context.Context, limit int) ([]Event, error) {
	return c.store.ListEvents(ctx, EventFilter{Kinds: AuditKinds, Limit: limit})
}

// publish stores e and fans it out. A failure to store is logged; the
// event is not published then, so the feed never shows what the log lacks.
func (c *Console) publish(ctx context.Context, e Event) Event {
	if e.At.IsZero() {
		e.At = c.clock.Now()
	}
	saved, err := c.store.AppendEvent(ctx, e)
	if err != nil {
		c.log.Error("store event", "kind", e.Kind, "err", err)
		return e
	}
	c.broker.Publish(saved)
	return saved
}

// publishCoalesced stores e as one more of the same event (kind, IdP and
// subject) within the last minute when there is one, else as a new event,
// and fans it out as feedWorthy says. For what anyone can make the
// listener do over and over: it leaves one row a minute, not one per
// request.
func (c *Console) publishCoalesced(ctx context.Context, e Event) {
	if e.At.IsZero() {
		e.At = c.clock.Now()
	}
	saved, _, err := c.store.AppendCoalescedEvent(ctx, e, e.At.Add(-time.Minute))
	if err != nil {
		c.log.Error("store event", "kind", e.Kind, "err", err)
		return
	}
	if feedWorthy(saved.Count) {
		c.broker.Publish(saved)
	}
}

// publishStored fans out an event the store already wrote; a change that
// changed nothing comes back with no event (ID 0) and is not published.
func (c *Console) publishStored(ev Event) {
	if ev.ID != 0 {
		c.broker.Publish(ev)
	}
}
