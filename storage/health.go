// What the listener's health check and metrics ask of the database: does
// it take writes, and how large is it on disk.

package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/jitconsole/jitconsole/core"
)

var (
	_ core.WriteChecker  = (*DB)(nil)
	_ core.DatabaseSizer = FileMaintenance{}
)

// CheckWritable proves that the database takes writes without changing
// it: it writes a setting in a transaction (taking the write lock, as a
// login does) and rolls it back. A read-only file or directory, a closed
// database or a lock held too long is an error.
func (db *DB) CheckWritable(ctx context.Context) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("check the database takes writes: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('health.check', '')
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`); err != nil {
		return fmt.Errorf("check the database takes writes: %w", err)
	}
	return nil
}

// Size implements core.DatabaseSizer: the bytes of the database file and
// of its write-ahead log.
func (m FileMaintenance) Size() (int64, error) {
	var total int64
	for _, name := range []string{m.File, m.File + "-wal"} {
		fi, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) && name != m.File {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("database size: %w", err)
		}
		total += fi.Size()
	}
	return total, nil
}
