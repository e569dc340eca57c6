package storage

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage/storetest"
)

// The SQLite store keeps core.Store's contract.
var _ core.Store = (*DB)(nil)

// TestConformance runs the store contract (storetest) over SQLite files.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store {
		path := filepath.Join(t.TempDir(), DBFileName)
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("Open(%s): %v", path, err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// TestAuditKindsSQL: the partial index's condition names exactly core's
// audit kinds.
func TestAuditKindsSQL(t *testing.T) {
	var terms []string
	for _, k := range core.AuditKinds {
		terms = append(terms, "kind = "+sqlString(string(k)))
	}
	if want := "(" + strings.Join(terms, " OR ") + ")"; auditKindsSQL != want {
		t.Errorf("auditKindsSQL = %s, want %s", auditKindsSQL, want)
	}
}
