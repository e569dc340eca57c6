package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// AppendCoalescedEvent writes e, unless an event of the same kind, IdP
// and subject was written at or after since: then that event's count goes
// up by one instead, and it is returned with bumped true. Requests that
// anyone can repeat (a sign-in started from a page's <img>, say) leave one
// row a minute this way, not one per request.
func (db *DB) AppendCoalescedEvent(ctx context.Context, e core.Event, since time.Time) (_ core.Event, bumped bool, err error) {
	if e.Kind == "" {
		return core.Event{}, false, core.Errorf(core.EINVALID, "An event needs a kind.")
	}
	if e.At.IsZero() {
		e.At = db.now()
	}
	e.At = e.At.UTC()
	err = db.inTx(ctx, func(w *writer) error {
		var id int64
		var count int
		err := w.queryRow(`SELECT id, count FROM events WHERE at >= ? AND kind = ? AND idp_slug = ? AND subject = ?
			ORDER BY at DESC, id DESC LIMIT 1`, nanos(since), e.Kind, e.IdPSlug, e.Subject).Scan(&id, &count)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			e.ID, err = insertEvent(w, e)
			return err
		case err != nil:
			return err
		}
		if _, err := w.exec(`UPDATE events SET count = count + 1 WHERE id = ?`, id); err != nil {
			return err
		}
		e.ID, e.Count, bumped = id, count+1, true
		return nil
	})
	if err != nil {
		return core.Event{}, false, fmt.Errorf("append %s event: %w", e.Kind, err)
	}
	return e, bumped, nil
}
