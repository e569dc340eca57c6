// Database maintenance for the Settings screen: a backup to a file and an
// integrity check, through the Maintenance the caller wires in (main: the
// SQLite file's), so that the UI never touches the database.

package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Maintenance backs up and checks the database file. storage implements
// it for SQLite; main wires it into Options.
type Maintenance interface {
	// Backup writes a consistent copy of the database to dest, replacing
	// dest when overwrite.
	Backup(ctx context.Context, dest string, overwrite bool) error
	// Check runs a full integrity check and returns the problems found:
	// none when the database is sound.
	Check(ctx context.Context) ([]string, error)
	// Path is the database file's path.
	Path() string
}

// DatabaseCheck is the result of CheckDatabase.
type DatabaseCheck struct {
	Path     string
	Problems []string // empty: sound
	Took     time.Duration
}

// Sound reports whether the check found nothing wrong.
func (d DatabaseCheck) Sound() bool { return len(d.Problems) == 0 }

// maintenance returns the wired Maintenance, or an error saying the
// command-line equivalent.
func (c *Console) maintenance() (Maintenance, error) {
	if c.maint == nil {
		return nil, Errorf(EUNAVAILABLE, "Database maintenance is not available in this window; run jitconsole db backup FILE or jitconsole db check.")
	}
	return c.maint, nil
}

// DatabasePath is the database file's path ("" when not known).
func (c *Console) DatabasePath() string {
	if c.maint == nil {
		return ""
	}
	return c.maint.Path()
}

// BackupDatabase writes a consistent copy of the database to dest (an
// existing file there is replaced: the file dialog asked), while the
// listener keeps serving. The error says what to do: a full disk, a
// folder that cannot be written.
func (c *Console) BackupDatabase(ctx context.Context, dest string) error {
	m, err := c.maintenance()
	if err != nil {
		return err
	}
	if strings.TrimSpace(dest) == "" {
		return Errorf(EINVALID, "Choose a file to back up to.")
	}
	if sameFile(dest, m.Path()) {
		return Errorf(EINVALID, "The backup cannot replace the database itself: choose another file.")
	}
	if err := m.Backup(ctx, dest, true); err != nil {
		return backupError(dest, err)
	}
	by := osUser()
	c.publish(ctx, Event{Kind: EventAdminChange, Outcome: OutcomeInfo, Subject: by,
		Message: fmt.Sprintf("Database backed up by %s to %s", by, dest)})
	return nil
}

// backupError explains a failed backup to dest for a person.
func backupError(dest string, err error) error {
	var ce *Error
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "disk is full"):
		return Errorf(EUNAVAILABLE, "The disk is full: the backup to %s could not be written. Free some space or choose another disk, then back up again.", dest)
	case errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EROFS):
		return Errorf(EFORBIDDEN, "%s cannot be written (no permission, or a read-only disk): choose a folder you can write to.", dest)
	case errors.Is(err, os.ErrNotExist):
		return Errorf(ENOTFOUND, "The folder of %s does not exist: choose another place.", dest)
	}
	return Errorf(EINTERNAL, "The backup to %s failed: %v", dest, err)
}

// CheckDatabase runs a full integrity check of the database, read-only,
// beside the running listener.
func (c *Console) CheckDatabase(ctx context.Context) (DatabaseCheck, error) {
	m, err := c.maintenance()
	if err != nil {
		return DatabaseCheck{}, err
	}
	began := c.clock.Now()
	problems, err := m.Check(ctx)
	if err != nil {
		if ErrorCode(err) != EINTERNAL {
			return DatabaseCheck{}, err
		}
		return DatabaseCheck{}, Errorf(EINTERNAL, "The integrity check of %s could not run: %v", m.Path(), err)
	}
	return DatabaseCheck{Path: m.Path(), Problems: problems, Took: c.clock.Now().Sub(began)}, nil
}

// sameFile reports whether paths a and b name the same file.
func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}
