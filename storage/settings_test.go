package storage

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

func TestIdPs(t *testing.T) {
	db, clock := openTest(t)
	ctx := context.Background()
	_, err := db.GetIdP(ctx, "demo")
	wantCode(t, err, core.ENOTFOUND)
	_, err = db.SaveIdP(ctx, core.IdP{Slug: "  "})
	wantCode(t, err, core.EINVALID)

	demo := core.IdP{
		Slug: "demo", DisplayName: "Demo IdP", EntityID: "http://localhost:8080/demo-idp/metadata",
		MetadataXML: "<EntityDescriptor/>", Enabled: true,
		Mapping: core.Mapping{
			UsernameAttrs: []string{"uid"},
			RoleRules:     []core.RoleRule{{Attribute: "groups", Value: "Admins", Role: "admin"}},
			DefaultRole:   "member",
		},
	}
	saved, err := db.SaveIdP(ctx, demo)
	if err != nil {
		t.Fatal(err)
	}
	if saved.ID == 0 || !saved.CreatedAt.Equal(t0) || !saved.UpdatedAt.Equal(t0) {
		t.Errorf("saved = %+v", saved)
	}
	got, err := db.GetIdP(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, saved) {
		t.Errorf("GetIdP = %+v, want %+v", got, saved)
	}
	want := demo
	want.ID, want.CreatedAt, want.UpdatedAt = saved.ID, saved.CreatedAt, saved.UpdatedAt
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetIdP = %+v, want %+v", got, want)
	}
	if n := count(t, db, "roles", "name IN ('admin', 'member')"); n != 2 {
		t.Errorf("%d of the mapping's roles are in the roles table, want 2", n)
	}

	// Saving by the same slug updates in place.
	clock.Set(t0.Add(time.Hour))
	demo.DisplayName, demo.Enabled = "Built-in demo IdP", false
	updated, err := db.SaveIdP(ctx, demo)
	if err != nil {
		t.Fatal(err)
	}
	if updated.ID != saved.ID || !updated.CreatedAt.Equal(t0) || !updated.UpdatedAt.Equal(t0.Add(time.Hour)) ||
		updated.DisplayName != "Built-in demo IdP" || updated.Enabled {
		t.Errorf("updated = %+v", updated)
	}
	if _, err := db.SaveIdP(ctx, core.IdP{Slug: "okta", DisplayName: "Okta"}); err != nil {
		t.Fatal(err)
	}
	list, err := db.ListIdPs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Slug != "demo" || list[1].Slug != "okta" {
		t.Errorf("ListIdPs = %+v", list)
	}
}

func TestPersonas(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	wantCode(t, db.SavePersona(ctx, core.Persona{}), core.EINVALID)

	alice := core.Persona{ID: "alice", NameIDFormat: "email", Username: "alice", DisplayName: "Alice Anderson",
		GivenName: "Alice", Surname: "Anderson", Email: "alice@example.com", Department: "Engineering",
		Groups: []string{"Engineering", "Admins"}, Note: "an admin"}
	bob := core.Persona{ID: "bob", NameID: "bob-persistent-1", NameIDFormat: "persistent", DisplayName: "Bob"}
	carol := core.Persona{ID: "carol", DisplayName: "Carol"}
	for _, p := range []core.Persona{carol, alice, bob} {
		if err := db.SavePersona(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// Replacing keeps the place.
	alice.Groups = []string{"Engineering"}
	if err := db.SavePersona(ctx, alice); err != nil {
		t.Fatal(err)
	}
	got, err := db.ListPersonas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []core.Persona{carol, alice, bob}; !reflect.DeepEqual(got, want) {
		t.Errorf("ListPersonas = %+v, want %+v", got, want)
	}

	if err := db.DeletePersona(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.DeletePersona(ctx, "alice"), core.ENOTFOUND)
	dave := core.Persona{ID: "dave"}
	if err := db.SavePersona(ctx, dave); err != nil {
		t.Fatal(err)
	}
	got, _ = db.ListPersonas(ctx)
	if want := []core.Persona{carol, bob, dave}; !reflect.DeepEqual(got, want) {
		t.Errorf("after delete and insert: %+v, want %+v", got, want)
	}
}

func TestSettings(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	_, err := db.GetSetting(ctx, "base_url")
	wantCode(t, err, core.ENOTFOUND)
	wantCode(t, db.SetSetting(ctx, "", "x"), core.EINVALID)
	for _, v := range []string{"http://localhost:8080", "", "https://sp.example"} {
		if err := db.SetSetting(ctx, "base_url", v); err != nil {
			t.Fatal(err)
		}
		if got, err := db.GetSetting(ctx, "base_url"); err != nil || got != v {
			t.Errorf("GetSetting = %q, %v; want %q", got, err, v)
		}
	}
}
