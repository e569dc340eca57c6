package core_test

import (
	"context"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// TestReaderOnlyReads: a console made by NewReader over a read-only store
// answers as the serving console does, never serves, and makes no key.
func TestReaderOnlyReads(t *testing.T) {
	dir := t.TempDir()
	tc := startConsole(t, dir, "")
	ctx := context.Background()
	rules, err := tc.ExportRules(ctx, core.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.OpenReadOnly(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := core.NewReader(ctx, core.Options{Store: db, Keys: storage.NewFileKeyStore(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.ExportRules(ctx, core.DemoSlug); err != nil || string(got) != string(rules) {
		t.Errorf("the reader's rules export: %v\n%s\nwant\n%s", err, got, rules)
	}
	if idps, err := r.IdPs(ctx); err != nil || len(idps) != 1 {
		t.Errorf("the reader's IdPs: %v %v", idps, err)
	}
	if _, err := r.IdP(ctx, "nope"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("an unknown IdP: %v, want ENOTFOUND", err)
	}
	if err := r.Start(); err == nil {
		r.Close()
		t.Fatal("a reader started a listener")
	}
	if _, err := r.SPKeyForCheck(); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("the SP key of an empty key store: %v, want ENOTFOUND", err)
	}
	if err := r.SaveRole(ctx, "auditor", ""); err == nil {
		t.Error("a reader over a read-only store saved a role")
	}
	if key, err := tc.SPKeyForCheck(); err != nil || key == nil {
		t.Errorf("the serving console's SP key: %v", err)
	}
}
