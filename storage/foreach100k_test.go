package storage

import (
	"context"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// BenchmarkForEachUser100k walks 100,000 accounts: the reads of an impact
// preview over 100,000 (core's BenchmarkImpactPreview100k is these reads
// plus the evaluation of the mapping).
func BenchmarkForEachUser100k(b *testing.B) {
	db, _ := openTest(b)
	seedSnapshots(b, db, 100_000)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := db.ForEachUser(ctx, "", func(core.UserSnapshot) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != 100_000 {
			b.Fatalf("%d accounts", n)
		}
	}
}
