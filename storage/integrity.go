package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jitconsole/jitconsole/core"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// InitializedFileName is a marker Open leaves beside the database once the
// database holds JIT Console's schema. With it, a missing or empty database
// is a lost one, not a first start.
const InitializedFileName = "jitconsole.db.initialized"

// ErrDamaged is in the chain of the error that refuses a damaged database.
var ErrDamaged = errors.New("database damaged")

// ErrLostDatabase is in the chain of the error that refuses a missing or
// empty database in a data directory that was in use.
var ErrLostDatabase = errors.New("database missing or empty in a used data directory")

// priorUse lists the signs that the directory of the database at path held
// a database before: the marker, key files, a write-ahead log, backups
// that db restore kept.
func priorUse(path string) []string {
	dir := filepath.Dir(path)
	var signs []string
	if _, err := os.Stat(filepath.Join(dir, InitializedFileName)); err == nil {
		signs = append(signs, InitializedFileName)
	}
	if keys, _ := filepath.Glob(filepath.Join(dir, "keys", "*.key")); len(keys) > 0 {
		signs = append(signs, "keys/")
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		signs = append(signs, filepath.Base(path)+"-wal")
	}
	if kept, _ := filepath.Glob(path + ".before-restore-*"); len(kept) > 0 {
		signs = append(signs, filepath.Base(kept[0]))
	}
	return signs
}

// refuseLostDatabase returns the error for a missing (or zero-length)
// database file in a directory with signs of earlier use, nil otherwise.
func refuseLostDatabase(path string) error {
	fi, err := os.Stat(path)
	state := "missing"
	switch {
	case err == nil && fi.Size() > 0:
		return nil
	case err == nil:
		state = "empty (0 bytes)"
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("look at %s: %w", path, err)
	}
	signs := priorUse(path)
	if len(signs) == 0 {
		return nil
	}
	return &core.Error{Code: core.EINVALID, Err: ErrLostDatabase, Message: fmt.Sprintf(
		"The database %s is %s, but this data directory was in use (it has %s): its accounts and IdP connections would be lost. "+
			"Restore a backup with \"jitconsole db restore FILE\", or, to start with an empty database on purpose, run \"jitconsole db reset\".",
		path, state, strings.Join(signs, ", "))}
}

// damaged is the error for a database that SQLite reports as corrupt.
func damaged(path string, problems []string, cause error) error {
	what := ""
	if len(problems) > 0 {
		what = " (" + strings.Join(problems, "; ") + ")"
	}
	return &core.Error{Code: core.EINVALID, Err: errors.Join(ErrDamaged, cause), Message: fmt.Sprintf(
		"The database %s is damaged%s. See the problems with \"jitconsole db check\"; restore a backup with \"jitconsole db restore FILE\", or start empty with \"jitconsole db reset\" (both keep the damaged file beside the new one).",
		path, what)}
}

// isCorrupt reports whether err is SQLite's "malformed" or "not a
// database".
func isCorrupt(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// maxProblems bounds the problems an integrity check reports.
const maxProblems = 20

// integrityCheck runs PRAGMA quick_check (quick) or integrity_check and
// returns the problems found; none means the database is sound.
func integrityCheck(ctx context.Context, db *sql.DB, quick bool) ([]string, error) {
	pragma := "integrity_check"
	if quick {
		pragma = "quick_check"
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf("PRAGMA %s(%d)", pragma, maxProblems))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	return problems, rows.Err()
}

// checkOpened runs quick_check on a freshly opened database and turns
// corruption into the damaged error.
func checkOpened(ctx context.Context, db *sql.DB, path string) error {
	problems, err := integrityCheck(ctx, db, true)
	switch {
	case isCorrupt(err):
		return damaged(path, nil, err)
	case err != nil:
		return fmt.Errorf("check the database: %w", err)
	case len(problems) > 0:
		if len(problems) > 3 {
			problems = append(problems[:3], "…")
		}
		return damaged(path, problems, nil)
	}
	return nil
}

// createPrivate creates the database file 0600 when it is missing (SQLite
// gives its -wal and -shm files the mode of the database file), and takes
// group and other permissions off existing ones.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("make %s private: %w", p, err)
			}
		}
	}
	return nil
}

// markInitialized leaves the marker that says this directory holds a
// database.
func markInitialized(path string) error {
	marker := filepath.Join(filepath.Dir(path), InitializedFileName)
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	text := "JIT Console keeps its database in " + DBFileName + " here. While this file exists, a missing or empty database is refused rather than replaced.\n"
	if err := os.WriteFile(marker, []byte(text), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", marker, err)
	}
	return nil
}
