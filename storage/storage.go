// Package storage keeps JIT Console's state: a SQLite database (identity
// providers, accounts, logins, events, the flight recorder, the assertion
// replay cache, tracked requests, demo personas, settings) and a key store
// for private keys in the OS keyring, with a 0600-file fallback.
//
// DB implements core.Store and KeyStore implements core.KeyStore. storage
// imports core for its types and error codes only: it knows nothing of SAML
// and nothing of Fyne.
package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jitconsole/jitconsole/core"

	"modernc.org/sqlite" // registers the "sqlite" driver
)

// foldKey is how account keys and emails are compared case-insensitively:
// users.name_key and users.email_key hold foldKey of name_id and email.
func foldKey(s string) string { return strings.ToLower(s) }

func init() {
	// Migrations fill the key columns of existing rows with the same
	// folding as the application (SQLite's lower() folds ASCII only).
	sqlite.MustRegisterDeterministicScalarFunction("jitconsole_lower", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return foldKey(v), nil
			case []byte:
				return foldKey(string(v)), nil
			case nil:
				return nil, nil
			default:
				return v, nil
			}
		})
}

// DBFileName is the name of the database file inside the data directory.
const DBFileName = "jitconsole.db"

// DefaultDataDir returns the directory JIT Console keeps its data in:
// jitconsole inside the user's configuration directory.
func DefaultDataDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the user's configuration directory: %w", err)
	}
	return filepath.Join(dir, "jitconsole"), nil
}

// DBPath returns the path of the database file in dataDir.
func DBPath(dataDir string) string { return filepath.Join(dataDir, DBFileName) }

// Option changes how Open sets up a DB.
type Option func(*DB)

// WithClock makes the DB tell the time with c instead of the system clock.
// The DB uses it for what the caller does not time itself: the expiry of
// replay-cache entries, the created and updated times of IdPs, and events
// or provisions whose time is zero. Pass the same clock as core's.
func WithClock(c core.Clock) Option {
	return func(db *DB) { db.clock = c }
}

// StartFresh lets Open create an empty database where a missing or empty
// one would otherwise be refused as lost (see Open); db reset uses it.
func StartFresh() Option {
	return func(db *DB) { db.fresh = true }
}

// DB is the SQLite database. It implements core.Store. All writes go
// through one connection (writes serialize in SQLite anyway, and one writer
// path never meets SQLITE_BUSY inside the process); reads use a pool.
type DB struct {
	path  string
	write *sql.DB // one connection, BEGIN IMMEDIATE
	read  *sql.DB // a pool, query_only
	clock core.Clock
	stmts map[string]*sql.Stmt // prepared on write; see preparedQueries
	fresh bool                 // StartFresh

	// readOnly is set by OpenReadOnly: both pools only read.
	readOnly bool

	// calls counts ApplyLogin and TrackRequest calls, to purge
	// expired rows now and then.
	calls atomic.Uint64
	// tracked counts TrackRequest calls, to trim the pending requests to
	// maxPending (MaxPendingRequests when 0; tests lower it) now and then.
	tracked    atomic.Uint64
	maxPending int

	// logins commits ApplyLogin's logins, batched (see loginBatcher).
	logins loginBatcher
	// hotReads are the read pool's prepared statements (readRow).
	hotReads readStmts
	// own are the events this handle wrote (TrackOwnEvents).
	own ownEvents

	// testHook, when set, runs between the steps of a write transaction;
	// an error it returns aborts the transaction (tests only).
	testHook func(step string) error
}

var _ core.Store = (*DB)(nil)

// readConns is the size of the read pool.
var readConns = max(4, runtime.NumCPU())

// Open opens (creating it and its directory when missing) the database at
// path and brings its schema up to date. The directory is created 0700 and
// the database file (and so its -wal and -shm files) 0600.
//
// Open refuses rather than modifies: a database written by a newer version
// of JIT Console; a damaged one (PRAGMA quick_check); and a missing or
// zero-length one in a directory that shows it held one before (see
// priorUse), unless StartFresh is given.
func Open(ctx context.Context, path string, opts ...Option) (_ *DB, err error) {
	if path == "" {
		return nil, core.Errorf(core.EINVALID, "No database path given.")
	}
	db := &DB{path: path, clock: core.SystemClock{}}
	for _, o := range opts {
		o(db)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the data directory for %s: %w", path, err)
	}
	if !db.fresh {
		if err := refuseLostDatabase(path); err != nil {
			return nil, err
		}
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			db.Close()
			if isCorrupt(err) && !errors.Is(err, ErrDamaged) {
				err = damaged(path, nil, err)
			}
			err = fmt.Errorf("open %s: %w", path, err)
		}
	}()
	if db.write, err = sql.Open("sqlite", dsn(path)+"&_txlock=immediate"); err != nil {
		return nil, err
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)
	if err := db.write.PingContext(ctx); err != nil {
		return nil, err
	}
	if err := checkOpened(ctx, db.write, path); err != nil {
		return nil, err
	}
	if err := migrate(ctx, db.write); err != nil {
		return nil, err
	}
	if err := db.prepare(ctx); err != nil {
		return nil, err
	}
	// The read pool opens once the schema (and WAL mode) is in place.
	if db.read, err = sql.Open("sqlite", dsn(path)+"&_query_only=1"); err != nil {
		return nil, err
	}
	db.read.SetMaxOpenConns(readConns)
	db.read.SetMaxIdleConns(readConns)
	if err := db.read.PingContext(ctx); err != nil {
		return nil, err
	}
	if err := db.purgeExpired(ctx); err != nil {
		return nil, err
	}
	if err := markInitialized(path); err != nil {
		return nil, err
	}
	return db, nil
}

// Path returns the path of the database file.
func (db *DB) Path() string { return db.path }

// Close closes the database. It is safe to call more than once.
func (db *DB) Close() error {
	db.logins.close()
	errs := []error{db.closeStmts(), db.hotReads.close()}
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close %s: %w", db.path, err)
	}
	return nil
}

// dsn is the modernc.org/sqlite data source name for path: a file: URI with
// the pragmas every connection needs (pragmas in the DSN reach each pooled
// connection; a PRAGMA statement would reach only one).
func dsn(p string) string {
	return "file:" + uriPath(p) +
		"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
}

// uriPath writes a file path as the path of a SQLite URI: forward slashes,
// a leading slash before a Windows drive letter, and '%', '?' and '#'
// escaped so that they stay part of the name.
func uriPath(p string) string {
	p = filepath.ToSlash(p)
	if len(p) >= 2 && p[1] == ':' {
		p = "/" + p
	}
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return r.Replace(p)
}

// now returns the DB clock's time.
func (db *DB) now() time.Time { return db.clock.Now() }

// hook runs the test hook, if any, at step.
func (db *DB) hook(step string) error {
	if db.testHook == nil {
		return nil
	}
	return db.testHook(step)
}

// Times are stored as Unix nanoseconds; 0 stands for the zero time.

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// nullID stores a zero ID as NULL.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one file of migrations/, named NNNN_what.sql.
type migration struct {
	version int
	name    string
}

// migrations lists the embedded migrations in order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: the name must start with a positive number and '_'", base)
		}
		ms = append(ms, migration{version: v, name: base})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a number", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// migrate applies, in order and each in its own transaction, the embedded
// migrations the database lacks.
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	return applyMigrations(ctx, db, ms)
}

// applyMigrations applies those of ms (in order) the database lacks. It
// refuses a database with a migration newer than the last of ms.
func applyMigrations(ctx context.Context, db *sql.DB, ms []migration) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	var newest sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if newest.Valid && int(newest.Int64) > known {
		return core.Errorf(core.EINVALID,
			"The database was written by a newer version of JIT Console (schema %d; this version knows up to %d). Use the newer version, or another data directory.",
			newest.Int64, known)
	}
	for _, m := range ms {
		if err := migrateOne(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

// migrateOne applies m unless it is recorded as applied. The check is inside
// the (immediate) transaction, so two processes opening one file at once
// apply it once.
func migrateOne(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if n > 0 {
		return nil
	}
	text, err := migrationFS.ReadFile("migrations/" + m.name)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, string(text)); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, time.Now().UnixNano()); err != nil {
		return fmt.Errorf("migration %s: record: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return nil
}

// SchemaVersion returns the number of the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// purgeExpired deletes expired replay-cache entries and tracked requests.
func (db *DB) purgeExpired(ctx context.Context) error {
	now := db.now().UnixNano()
	if _, err := db.write.ExecContext(ctx, `DELETE FROM replay_cache WHERE expires_at <= ?`, now); err != nil {
		return fmt.Errorf("purge replay cache: %w", err)
	}
	if _, err := db.write.ExecContext(ctx, `DELETE FROM request_tracker WHERE expires_at <= ?`, now); err != nil {
		return fmt.Errorf("purge tracked requests: %w", err)
	}
	return nil
}
