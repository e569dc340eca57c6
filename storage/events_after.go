package storage

// Events written by other processes: the event log read forward by ID, and
// the IDs of the events this handle wrote, so that a console publishes
// live only what another process (a CLI command beside it) wrote.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jitconsole/jitconsole/core"
)

var _ core.SharedEventLog = (*DB)(nil)

// EventsAfter returns up to limit events with an ID above afterID, in ID
// order (the order they were committed in). It reads the primary key's
// range only, and when nothing is new, one prepared probe of it (about
// 8 µs over 100k events; the whole query, parsed anew, costs several
// times that): cheap enough to poll every second.
func (db *DB) EventsAfter(ctx context.Context, afterID int64, limit int) ([]core.Event, error) {
	if limit <= 0 {
		return nil, nil
	}
	var next int64
	switch err := db.readRow(ctx, `SELECT id FROM events WHERE id > ? ORDER BY id LIMIT 1`, afterID).Scan(&next); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read events after %d: %w", afterID, err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
	return collect(rows, err, fmt.Sprintf("read events after %d", afterID), scanEvent)
}

// TrackOwnEvents makes the handle remember the ID of every event it
// writes from now on, and returns the newest event ID committed. It reads
// that ID on the writer connection, behind any write transaction of this
// handle in progress: every event of this handle above the returned ID is
// remembered.
func (db *DB) TrackOwnEvents(ctx context.Context) (int64, error) {
	db.own.on.Store(true)
	conn := db.write
	if db.readOnly {
		conn = db.read
	}
	var newest int64
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM events`).Scan(&newest); err != nil {
		return 0, fmt.Errorf("read the newest event: %w", err)
	}
	return newest, nil
}

// OwnEventsThrough returns the IDs up to through of the events this handle
// wrote since TrackOwnEvents, and forgets them (and so the IDs of events
// written and rolled back).
func (db *DB) OwnEventsThrough(through int64) map[int64]bool {
	return db.own.take(through)
}

// ownEvents are the IDs of the events a handle wrote, while a watcher
// wants them (on). An ID is noted when its row is inserted, before the
// commit, so that a reader never sees a committed row of this handle
// that is not noted yet; a transaction that does not commit forgets its
// IDs before it releases the write lock (see inTx), so that no other
// process's event can reuse a rolled-back ID while it is noted.
type ownEvents struct {
	on  atomic.Bool
	mu  sync.Mutex
	ids map[int64]bool
}

// note remembers id when tracking is on: a map insert per event then, an
// atomic load otherwise.
func (o *ownEvents) note(id int64) {
	if !o.on.Load() {
		return
	}
	o.mu.Lock()
	if o.ids == nil {
		o.ids = map[int64]bool{}
	}
	o.ids[id] = true
	o.mu.Unlock()
}

// forget drops ids (of a transaction or savepoint rolled back).
func (o *ownEvents) forget(ids []int64) {
	if len(ids) == 0 || !o.on.Load() {
		return
	}
	o.mu.Lock()
	for _, id := range ids {
		delete(o.ids, id)
	}
	o.mu.Unlock()
}

// take removes and returns the IDs up to through.
func (o *ownEvents) take(through int64) map[int64]bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := map[int64]bool{}
	for id := range o.ids {
		if id <= through {
			out[id] = true
			delete(o.ids, id)
		}
	}
	return out
}
