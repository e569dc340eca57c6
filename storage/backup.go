package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// Backup writes a consistent copy of the database at path to dest with
// VACUUM INTO, through a read-only connection: it works while a console
// writes and on a read-only data directory. An existing dest is refused
// unless overwrite. The copy is created 0600.
func Backup(ctx context.Context, path, dest string, overwrite bool) error {
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		return core.Errorf(core.ENOTFOUND, "There is no database to back up at %s.", path)
	}
	if _, err := os.Stat(dest); err == nil && !overwrite {
		return core.Errorf(core.ECONFLICT, "%s already exists; choose another file, or pass --force to overwrite it.", dest)
	}
	for _, p := range []string{dest, dest + "-wal", dest + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("back up to %s: %w", dest, err)
		}
	}
	// VACUUM INTO writes into an empty file; made here, it is 0600.
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("back up to %s: %w", dest, err)
	}
	f.Close()
	conn, err := sql.Open("sqlite", readOnlyDSN(path))
	if err != nil {
		return fmt.Errorf("back up %s: %w", path, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("back up %s to %s: %w", path, dest, err)
	}
	return nil
}

// CheckFile runs PRAGMA integrity_check on the database at path, read-only,
// and returns the problems found: none when it is sound.
func CheckFile(ctx context.Context, path string) ([]string, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, core.Errorf(core.ENOTFOUND, "There is no database at %s.", path)
	case err != nil:
		return nil, fmt.Errorf("check %s: %w", path, err)
	case fi.Size() == 0:
		return []string{"the file is empty (0 bytes)"}, nil
	}
	conn, err := sql.Open("sqlite", readOnlyDSN(path))
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	defer conn.Close()
	problems, err := integrityCheck(ctx, conn, false)
	if isCorrupt(err) {
		return []string{err.Error()}, nil
	} else if err != nil {
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	return problems, nil
}

// Restore replaces the database of dataDir with a copy of the database
// file src, after checking that src is a sound JIT Console database of a
// schema this version can open. The current database, if any, is kept as
// jitconsole.db.before-restore-TIMESTAMP (with its -wal); a stale -shm is
// removed. The caller holds the data directory's lock. It returns the name
// the current database was kept under ("" when there was none).
func Restore(ctx context.Context, dataDir, src string, now time.Time) (kept string, err error) {
	path := DBPath(dataDir)
	tmp, err := copyBeside(path, src)
	if err != nil {
		return "", err
	}
	defer func() {
		// The copy, unless it was put in place, and the -wal and -shm
		// that checking a copy in WAL mode may leave.
		for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			os.Remove(p)
		}
	}()
	if err := checkRestorable(ctx, tmp, src); err != nil {
		return "", err
	}
	kept, err = moveAside(path, "before-restore", now)
	if err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return kept, fmt.Errorf("put %s in place: %w", src, err)
	}
	return kept, markInitialized(path)
}

// Reset keeps the database of dataDir (if any) as
// jitconsole.db.before-reset-TIMESTAMP and creates an empty one. The
// caller holds the data directory's lock.
func Reset(ctx context.Context, dataDir string, now time.Time) (kept string, err error) {
	path := DBPath(dataDir)
	if kept, err = moveAside(path, "before-reset", now); err != nil {
		return "", err
	}
	db, err := Open(ctx, path, StartFresh())
	if err != nil {
		return kept, err
	}
	return kept, db.Close()
}

// copyBeside copies src to a new 0600 file in the directory of path.
func copyBeside(path, src string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("read the backup: %w", err)
	}
	defer in.Close()
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := path + ".restoring-" + hex.EncodeToString(rnd[:])
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("copy the backup into %s: %w", filepath.Dir(path), err)
	}
	_, err = io.Copy(out, in)
	if err2 := out.Sync(); err == nil {
		err = err2
	}
	if err2 := out.Close(); err == nil {
		err = err2
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("copy the backup into %s: %w", filepath.Dir(path), err)
	}
	return tmp, nil
}

// checkRestorable checks the copy tmp of the backup src: a sound SQLite
// database with JIT Console's schema, not newer than this version's.
func checkRestorable(ctx context.Context, tmp, src string) error {
	problems, err := CheckFile(ctx, tmp)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return core.Errorf(core.EINVALID, "The backup %s is damaged (%s); choose another backup.", src, problems[0])
	}
	conn, err := sql.Open("sqlite", readOnlyDSN(tmp))
	if err != nil {
		return fmt.Errorf("read the backup %s: %w", src, err)
	}
	defer conn.Close()
	ms, err := migrations()
	if err != nil {
		return err
	}
	var version sql.NullInt64
	err = conn.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&version)
	switch {
	case err != nil || !version.Valid:
		return core.Errorf(core.EINVALID, "%s is not a JIT Console database (it has no schema version); choose a file made by \"jitconsole db backup\".", src)
	case int(version.Int64) > ms[len(ms)-1].version:
		return core.Errorf(core.EINVALID, "%s was written by a newer version of JIT Console (schema %d; this version knows up to %d).",
			src, version.Int64, ms[len(ms)-1].version)
	}
	for _, table := range []string{"users", "identity_providers", "events"} {
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil || n == 0 {
			return core.Errorf(core.EINVALID, "%s is not a JIT Console database (it has no %s table).", src, table)
		}
	}
	return nil
}

// moveAside renames the database at path and its -wal to
// path.WHY-TIMESTAMP(-wal) and removes its -shm. It returns the new name,
// "" when there was no database.
func moveAside(path, why string, now time.Time) (string, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	kept := fmt.Sprintf("%s.%s-%s", path, why, now.UTC().Format("20060102T150405Z"))
	if err := os.Rename(path, kept); err != nil {
		return "", fmt.Errorf("keep the current database: %w", err)
	}
	// An empty -wal (a reader's, or a clean close's) holds nothing to keep.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() == 0 {
		os.Remove(path + "-wal")
	}
	if err := os.Rename(path+"-wal", kept+"-wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return kept, fmt.Errorf("keep the current database's -wal: %w", err)
	}
	if err := os.Remove(path + "-shm"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return kept, fmt.Errorf("remove the stale %s-shm: %w", path, err)
	}
	return kept, nil
}

// FileMaintenance is core.Maintenance for the SQLite database file at a
// path: Backup and CheckFile, read-only, beside a running console.
type FileMaintenance struct{ File string }

var _ core.Maintenance = FileMaintenance{}

// Backup implements core.Maintenance with Backup.
func (m FileMaintenance) Backup(ctx context.Context, dest string, overwrite bool) error {
	return Backup(ctx, m.File, dest, overwrite)
}

// Check implements core.Maintenance with CheckFile.
func (m FileMaintenance) Check(ctx context.Context) ([]string, error) { return CheckFile(ctx, m.File) }

// Path implements core.Maintenance.
func (m FileMaintenance) Path() string { return m.File }
