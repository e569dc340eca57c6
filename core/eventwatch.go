// The watch on the event log for events other processes write: a command
// run beside a running console (idp import, rules import, settings set...)
// writes its events to the shared database; the console publishes them to
// its own subscribers, as if it had written them, and follows the settings
// they may have changed.

package core

import (
	"context"
	"time"

	"github.com/crewjam/saml"
)

// SharedEventLog is implemented by a store that several processes may
// write (the SQLite database): it reads the log forward and tells the
// events this handle wrote from those of other processes. A console over
// such a store publishes the others' events live (see eventWatch).
type SharedEventLog interface {
	// EventsAfter returns up to limit events with an ID above afterID, in
	// ID order.
	EventsAfter(ctx context.Context, afterID int64, limit int) ([]Event, error)
	// TrackOwnEvents starts remembering the IDs of the events this handle
	// writes and returns the newest event ID committed before: every
	// event of this handle above it is remembered.
	TrackOwnEvents(ctx context.Context) (int64, error)
	// OwnEventsThrough returns, and forgets, the IDs up to through of the
	// events this handle wrote since TrackOwnEvents.
	OwnEventsThrough(through int64) map[int64]bool
}

// DefaultEventWatchEvery is how often a console looks for events other
// processes wrote: one prepared read of the primary key's range, about
// 8 µs when there is nothing new (BenchmarkEventsAfterNothingNew). PRAGMA
// data_version, the other trigger considered, costs as much (10 µs),
// needs a connection of its own and changes on the console's own writes
// too, so it would save nothing.
const DefaultEventWatchEvery = time.Second

// eventWatchBatch is how many events one read of the watch takes at most.
const eventWatchBatch = 500

// eventWatch is the running watch of a console (nil when its store is
// not shared or it is a reader).
type eventWatch struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startEventWatch starts the watch when the store is shared. What another
// process writes from now on reaches the subscribers within about
// Options.EventWatchEvery.
func (c *Console) startEventWatch(ctx context.Context) {
	log, ok := c.store.(SharedEventLog)
	if !ok {
		return
	}
	last, err := log.TrackOwnEvents(ctx)
	if err != nil {
		c.log.Warn("events of other processes will show after a restart", "err", err)
		return
	}
	wctx, cancel := context.WithCancel(context.Background())
	w := &eventWatch{cancel: cancel, done: make(chan struct{})}
	c.watch = w
	go func() {
		defer close(w.done)
		t := time.NewTicker(c.watchEvery)
		defer t.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-t.C:
			}
			last = c.takeForeignEvents(wctx, log, last)
		}
	}()
}

// stopEventWatch stops the watch and waits for it.
func (c *Console) stopEventWatch() {
	c.mu.Lock()
	w := c.watch
	c.watch = nil
	c.mu.Unlock()
	if w != nil {
		w.cancel()
		<-w.done
	}
}

// takeForeignEvents reads the events after last, follows what those of
// other processes changed and publishes them, in ID order, each once. It
// returns the ID of the last event read.
func (c *Console) takeForeignEvents(ctx context.Context, log SharedEventLog, last int64) int64 {
	for {
		evs, err := log.EventsAfter(ctx, last, eventWatchBatch)
		if err != nil {
			if ctx.Err() == nil {
				c.log.Warn("read events of other processes", "err", err)
			}
			return last
		}
		if len(evs) == 0 {
			return last
		}
		last = evs[len(evs)-1].ID
		own := log.OwnEventsThrough(last)
		var foreign []Event
		for _, e := range evs {
			if !own[e.ID] {
				foreign = append(foreign, e)
			}
		}
		if len(foreign) > 0 {
			// First follow, then publish: a subscriber that sees the
			// event finds the console already applying the change.
			c.followForeignChanges(ctx)
			for _, e := range foreign {
				c.broker.Publish(e)
			}
		}
		if len(evs) < eventWatchBatch {
			return last
		}
	}
}

// followForeignChanges makes the running console apply the settings it
// holds in memory, which another process may have changed: the demo IdP's
// switch, the retention policy's recorder cap and the clock skew (which
// restarts the listener, as SetClockSkew does). IdP connections follow
// the store's IdP version on every login; roles, rules and users are read
// from the store when used.
func (c *Console) followForeignChanges(ctx context.Context) {
	c.applyDemoSwitch(ctx)
	if _, err := c.Retention(ctx); err != nil {
		c.log.Warn("reread the retention policy", "err", err)
	}
	st := c.Listener()
	if skew := c.ClockSkew(ctx); st.Running && skew != saml.MaxClockSkew {
		c.log.Info("clock skew changed by another process: restarting the listener", "skew", skew)
		if err := c.Restart(st.Addr); err != nil {
			c.log.Error("restart the listener for the new clock skew", "err", err)
		}
	}
}
