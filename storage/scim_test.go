package storage

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage/storetest"
)

// TestSCIMConformance runs the SCIM cases of the store contract over
// SQLite files.
func TestSCIMConformance(t *testing.T) {
	storetest.RunSCIM(t, func(t *testing.T) core.Store {
		path := filepath.Join(t.TempDir(), DBFileName)
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatalf("Open(%s): %v", path, err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// TestSCIMProvenance: an account SCIM made says so in the store, one a
// sign-in made says jit.
func TestSCIMProvenance(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	r := core.SCIMRecord{IdPSlug: "okta", ID: "s1", UserName: "ann", Active: true, Resource: []byte(`{}`),
		Account: core.User{NameID: "ann", Username: "ann"}}
	saved, _, err := db.CreateSCIMUser(ctx, r, core.Event{Kind: core.EventSCIM, Outcome: core.OutcomeAccepted, Message: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyLogin(ctx, core.Provision{IdPSlug: "okta", NameID: "bob", Username: "bob"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"ann": core.ProvisionedBySCIM, "bob": core.ProvisionedByJIT} {
		var got string
		if err := db.read.QueryRow(`SELECT provisioned_by FROM users WHERE name_id = ?`, name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s provisioned by %q, want %q", name, got, want)
		}
	}
	if !saved.CreatedBySCIM {
		t.Error("the record does not say SCIM created the account")
	}
}
