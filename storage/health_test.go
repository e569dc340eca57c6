package storage

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestCheckWritableChangesNothing: the check passes on an open database
// and leaves no trace; a closed database fails it.
func TestCheckWritableChangesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DBFileName)
	db := openAt(t, path, &testClock{now: t0})
	ctx := context.Background()
	if err := db.CheckWritable(ctx); err != nil {
		t.Fatalf("CheckWritable on an open database: %v", err)
	}
	if _, err := db.GetSetting(ctx, "health.check"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("the check left its setting behind: %v", err)
	}
	size, err := FileMaintenance{File: path}.Size()
	fi, serr := os.Stat(path)
	if err != nil || serr != nil || size < fi.Size() {
		t.Fatalf("Size() = %d, %v; the file alone has %d bytes (%v)", size, err, fi.Size(), serr)
	}
	db.Close()
	if err := db.CheckWritable(ctx); err == nil {
		t.Fatal("CheckWritable on a closed database passed")
	}
	if _, err := (FileMaintenance{File: filepath.Join(dir, "missing.db")}).Size(); err == nil {
		t.Fatal("Size of a missing database passed")
	}
}
