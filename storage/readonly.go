package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jitconsole/jitconsole/core"
)

// OpenReadOnly opens the existing database at path for reading only, for
// the commands that only read (users list, idp list, rules export,
// check-response): no migration, no purge, nothing written, and it works
// beside a running console and on a read-only data directory.
//
// A WAL database is read through its -shm file, shared with a console
// that writes. Where the directory is not writable and there is no -wal
// (the last writer checkpointed and closed), SQLite could not create the
// -shm, and the file is opened immutable: nobody can be writing it then,
// since a writer needs to create the -wal. A schema older or newer than
// this version's is refused with what to do.
func OpenReadOnly(ctx context.Context, path string, opts ...Option) (_ *DB, err error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, core.Errorf(core.ENOTFOUND, "There is no JIT Console database at %s (start the console once, or pass --data-dir).", path)
	case err != nil:
		return nil, fmt.Errorf("open %s: %w", path, err)
	case fi.Size() == 0:
		return nil, &core.Error{Code: core.EINVALID, Err: ErrLostDatabase, Message: fmt.Sprintf(
			"The database %s is empty (0 bytes). Restore a backup with \"jitconsole db restore FILE\", or start empty with \"jitconsole db reset\".", path)}
	}
	db := &DB{path: path, clock: core.SystemClock{}, readOnly: true}
	for _, o := range opts {
		o(db)
	}
	defer func() {
		if err != nil {
			db.Close()
			if isCorrupt(err) && !errors.Is(err, ErrDamaged) {
				err = damaged(path, nil, err)
			}
			err = fmt.Errorf("open %s read-only: %w", path, err)
		}
	}()
	source := readOnlyDSN(path)
	if db.read, err = sql.Open("sqlite", source); err != nil {
		return nil, err
	}
	db.read.SetMaxOpenConns(readConns)
	db.read.SetMaxIdleConns(readConns)
	// Writes fail on this pool ("attempt to write a readonly database").
	if db.write, err = sql.Open("sqlite", source); err != nil {
		return nil, err
	}
	db.write.SetMaxOpenConns(1)
	if err := db.read.PingContext(ctx); err != nil {
		return nil, err
	}
	if err := checkSchemaCurrent(ctx, db.read); err != nil {
		return nil, err
	}
	return db, nil
}

// readOnlyDSN is the data source name of a read-only connection to path.
// (VACUUM INTO works on a mode=ro connection, not with query_only.)
func readOnlyDSN(path string) string {
	params := "?mode=ro&_pragma=busy_timeout(10000)"
	dir := filepath.Dir(path)
	if _, err := os.Stat(path + "-wal"); errors.Is(err, os.ErrNotExist) && !dirWritable(dir) {
		params += "&immutable=1"
	}
	return "file:" + uriPath(path) + params
}

// checkSchemaCurrent refuses a database whose schema is not the one this
// version writes: a read-only open cannot migrate it.
func checkSchemaCurrent(ctx context.Context, db *sql.DB) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	known := ms[len(ms)-1].version
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return core.Errorf(core.EINVALID, "This is not a JIT Console database (it has no schema_migrations table).")
	}
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case int(v.Int64) > known:
		return core.Errorf(core.EINVALID,
			"The database was written by a newer version of JIT Console (schema %d; this version knows up to %d). Use the newer version, or another data directory.",
			v.Int64, known)
	case int(v.Int64) < known:
		return core.Errorf(core.EINVALID,
			"The database has schema %d and this version of JIT Console reads schema %d. Start the console (or jitconsole serve) once to upgrade it, then run this command again.",
			v.Int64, known)
	}
	return nil
}
