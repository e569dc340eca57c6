package storage

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// purgeBatch is how many rows a purge deletes per transaction: logins
// waiting for the single writer get in between batches.
const purgeBatch = 500

// PurgeRecordings deletes the flight recorder entries from before before,
// raw responses included, and returns how many went. It deletes in
// batches, each its own transaction; on an error the count says how many
// went before it.
func (db *DB) PurgeRecordings(ctx context.Context, before time.Time) (int, error) {
	n, err := db.deleteInBatches(ctx, `DELETE FROM recordings WHERE id IN
		(SELECT id FROM recordings WHERE at < ? ORDER BY at LIMIT ?)`, nanos(before))
	if err != nil {
		return n, fmt.Errorf("purge flight recorder entries: %w", err)
	}
	return n, nil
}

// PurgeLogins deletes the login rows from before before and returns how
// many went. Accounts keep their login count and last login time; a
// recording of a deleted login keeps its entry, without the link.
func (db *DB) PurgeLogins(ctx context.Context, before time.Time) (int, error) {
	n, err := db.deleteInBatches(ctx, `DELETE FROM logins WHERE id IN
		(SELECT id FROM logins WHERE at < ? ORDER BY at LIMIT ?)`, nanos(before))
	if err != nil {
		return n, fmt.Errorf("purge sign-ins: %w", err)
	}
	return n, nil
}

// PurgeEvents deletes the events from before before, except those of the
// audit log (admin changes, IdP connections and removals), which are
// kept, and returns how many went.
func (db *DB) PurgeEvents(ctx context.Context, before time.Time) (int, error) {
	n, err := db.deleteInBatches(ctx, `DELETE FROM events WHERE id IN
		(SELECT id FROM events WHERE at < ? AND NOT `+auditKindsSQL+` ORDER BY at LIMIT ?)`, nanos(before))
	if err != nil {
		return n, fmt.Errorf("purge events: %w", err)
	}
	return n, nil
}

// deleteInBatches runs del, whose last parameter is the batch size, with
// args until it deletes fewer than purgeBatch rows; each run is its own
// transaction. It returns how many rows went.
func (db *DB) deleteInBatches(ctx context.Context, del string, args ...any) (int, error) {
	total := 0
	for {
		res, err := db.write.ExecContext(ctx, del, append(args, purgeBatch)...)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += int(n)
		if n < purgeBatch {
			return total, nil
		}
	}
}

// CapRecordings deletes the oldest flight recorder entries until the raw
// responses kept (counted from the rows, not from the file, which SQLite
// does not shrink) add up to at most maxBytes. It returns how many
// entries and raw bytes went. Each batch is its own transaction.
func (db *DB) CapRecordings(ctx context.Context, maxBytes int64) (int, int64, error) {
	if maxBytes < 0 {
		return 0, 0, core.Errorf(core.EINVALID, "The flight recorder's size cap cannot be negative.")
	}
	var (
		entries int
		freed   int64
	)
	for {
		n, bytes, more, err := db.capBatch(ctx, maxBytes)
		entries, freed = entries+n, freed+bytes
		if err != nil {
			return entries, freed, fmt.Errorf("cap the flight recorder at %d bytes: %w", maxBytes, err)
		}
		if !more {
			return entries, freed, nil
		}
	}
}

// capBatch deletes, in one transaction, up to purgeBatch of the oldest
// entries, as many as needed to bring the recorder to maxBytes; more says
// whether it is still over.
func (db *DB) capBatch(ctx context.Context, maxBytes int64) (n int, freed int64, more bool, err error) {
	err = db.inTx(ctx, func(w *writer) error {
		var total int64
		if err := w.queryRow(`SELECT coalesce(sum(stored_size), 0) FROM recordings`).Scan(&total); err != nil {
			return fmt.Errorf("sum the recorder's size: %w", err)
		}
		excess := total - maxBytes
		if excess <= 0 {
			return nil
		}
		rows, err := w.query(`SELECT id, stored_size FROM recordings ORDER BY at, id LIMIT ?`, purgeBatch)
		if err != nil {
			return err
		}
		type entry struct{ id, size int64 }
		victims, err := collect(rows, nil, "list the oldest entries", func(s scanner) (entry, error) {
			var e entry
			return e, s.Scan(&e.id, &e.size)
		})
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(victims))
		for _, v := range victims {
			if freed >= excess {
				break
			}
			ids, freed = append(ids, fmt.Sprint(v.id)), freed+v.size
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := w.exec(`DELETE FROM recordings WHERE id IN (` + strings.Join(ids, ",") + `)`); err != nil {
			return fmt.Errorf("delete the oldest entries: %w", err)
		}
		n, more = len(ids), freed < excess
		return nil
	})
	if err != nil {
		return 0, 0, false, err
	}
	return n, freed, more, nil
}

// StorageUsage measures the database: the size of its file and of its
// write-ahead log, the pages free for reuse, and the flight recorder's
// raw responses, counted from its rows.
func (db *DB) StorageUsage(ctx context.Context) (core.StorageUsage, error) {
	var u core.StorageUsage
	var pages, free, pageSize int64
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT page_count FROM pragma_page_count()),
		(SELECT freelist_count FROM pragma_freelist_count()),
		(SELECT page_size FROM pragma_page_size()),
		(SELECT coalesce(sum(stored_size), 0) FROM recordings),
		(SELECT count(*) FROM recordings)`).Scan(&pages, &free, &pageSize, &u.RecorderBytes, &u.RecorderEntries)
	if err != nil {
		return core.StorageUsage{}, fmt.Errorf("measure the database: %w", err)
	}
	u.DBBytes, u.FreeBytes = pages*pageSize, free*pageSize
	if st, err := os.Stat(db.path + "-wal"); err == nil {
		u.WALBytes = st.Size()
	}
	return u, nil
}
