package storage

import (
	"context"
	"fmt"
)

// LimitGrowth caps the database at its current size plus extraPages
// pages (PRAGMA max_page_count on the one writer connection), so that a
// write needing more fails with SQLITE_FULL as on a full disk. It is how
// tests prove that a full disk reaches a person as "could not save" and
// leaves the database whole; the cap lasts until the DB is closed.
func (db *DB) LimitGrowth(ctx context.Context, extraPages int64) error {
	var pages int64
	if err := db.write.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return fmt.Errorf("read the page count: %w", err)
	}
	var limit int64
	if err := db.write.QueryRowContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+extraPages)).Scan(&limit); err != nil {
		return fmt.Errorf("limit the database to %d pages: %w", pages+extraPages, err)
	}
	return nil
}
