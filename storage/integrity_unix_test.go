//go:build unix

package storage

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOpenCreatesPrivateDatabaseFiles: under the usual umask 022 the
// database, its -wal and its -shm are 0600.
func TestOpenCreatesPrivateDatabaseFiles(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	db, _ := openTest(t)
	seedUsers(t, db, 10)
	for _, p := range []string{db.Path(), db.Path() + "-wal", db.Path() + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}
