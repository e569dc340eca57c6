package storage

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

func TestIdPSourceAndSecurityRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		idp  core.IdP
	}{
		{"defaults", core.IdP{Slug: "demo", MetadataSource: "demo", Enabled: true}},
		{"every field", core.IdP{
			Slug: "okta", DisplayName: "Okta", EntityID: "http://www.okta.com/exk1", MetadataXML: "<EntityDescriptor/>",
			Enabled: true, Mapping: core.Mapping{DefaultRole: "member", AccountKeyAttr: "uid"},
			MetadataSource: "url", MetadataURL: "https://example.okta.com/app/exk1/sso/saml/metadata",
			RefreshEvery: 6*time.Hour + 30*time.Second, RefreshedAt: t0.Add(-time.Hour),
			RefreshError: "GET https://example.okta.com/...: 503 Service Unavailable",
			Security: core.IdPSecurity{AllowIdPInitiated: true, RejectSHA1: true,
				RequireSignedResponse: true, RequireSignedAssertion: true},
		}},
		{"one flag", core.IdP{Slug: "adfs", MetadataSource: "file", Security: core.IdPSecurity{RequireSignedAssertion: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, clock := openTest(t)
			ctx := context.Background()
			saved, err := db.SaveIdP(ctx, tt.idp)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.idp
			want.ID, want.CreatedAt, want.UpdatedAt = saved.ID, t0, t0
			if !reflect.DeepEqual(saved, want) {
				t.Errorf("SaveIdP = %+v\nwant       %+v", saved, want)
			}
			for _, get := range []func() (core.IdP, error){
				func() (core.IdP, error) { return db.GetIdP(ctx, tt.idp.Slug) },
				func() (core.IdP, error) {
					list, err := db.ListIdPs(ctx)
					if err != nil || len(list) != 1 {
						return core.IdP{}, errors.Join(err, errors.New("not one IdP"))
					}
					return list[0], nil
				},
			} {
				got, err := get()
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("read back %+v\nwant       %+v", got, want)
				}
			}

			// An update (a refresh, a settings change) replaces every field.
			clock.Set(t0.Add(time.Hour))
			next := tt.idp
			next.RefreshedAt, next.RefreshError = t0.Add(time.Hour), ""
			next.RefreshEvery = 0
			next.Security = core.IdPSecurity{RejectSHA1: true}
			next.MetadataSource, next.MetadataURL = "paste", ""
			updated, err := db.SaveIdP(ctx, next)
			if err != nil {
				t.Fatal(err)
			}
			want = next
			want.ID, want.CreatedAt, want.UpdatedAt = saved.ID, t0, t0.Add(time.Hour)
			if got, _ := db.GetIdP(ctx, tt.idp.Slug); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(updated, want) {
				t.Errorf("after update: %+v\nwant                %+v", got, want)
			}
		})
	}
}

func TestIdPSecurityStoredAsJSON(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.SaveIdP(ctx, core.IdP{Slug: "demo"}); err != nil {
		t.Fatal(err)
	}
	var js string
	if err := db.read.QueryRow(`SELECT security_json FROM identity_providers`).Scan(&js); err != nil || js != "{}" {
		t.Errorf("security_json of the defaults = %q, %v; want {}", js, err)
	}
	// A flag this version does not know, from a newer one, is ignored;
	// a flag missing from the JSON is false.
	if _, err := db.write.Exec(`UPDATE identity_providers SET security_json = '{"reject_sha1":true,"future_flag":true}'`); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetIdP(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if want := (core.IdPSecurity{RejectSHA1: true}); got.Security != want {
		t.Errorf("Security = %+v, want %+v", got.Security, want)
	}
}

// removed returns the IdPRemoved mark of each account, by username.
func removed(t *testing.T, db *DB) map[string]bool {
	t.Helper()
	us, err := db.ListUsers(context.Background(), core.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, u := range us {
		m[u.Username] = u.IdPRemoved
	}
	return m
}

func TestDeleteIdPKeepsItsAccounts(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	for _, slug := range []string{"demo", "okta"} {
		if _, err := db.SaveIdP(ctx, core.IdP{Slug: slug, Enabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	ids := seedPeople(t, db) // alice and bob at demo, elodie and carol at okta

	wantCode(t, db.DeleteIdP(ctx, "adfs"), core.ENOTFOUND)
	if err := db.DeleteIdP(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	_, err := db.GetIdP(ctx, "demo")
	wantCode(t, err, core.ENOTFOUND)
	wantCode(t, db.DeleteIdP(ctx, "demo"), core.ENOTFOUND)
	if list, _ := db.ListIdPs(ctx); len(list) != 1 || list[0].Slug != "okta" {
		t.Errorf("ListIdPs = %+v", list)
	}
	want := map[string]bool{"alice": true, "bob": true, "elodie": false, "carol_50%": false}
	if got := removed(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("IdPRemoved after deleting demo = %v, want %v", got, want)
	}
	d, err := db.GetUser(ctx, ids["alice"])
	if err != nil {
		t.Fatal(err)
	}
	if !d.IdPRemoved || len(d.Roles) != 1 || len(d.Logins) != 1 {
		t.Errorf("alice after her IdP went: %+v", d)
	}
	if us, _ := db.ListUsers(ctx, core.UserFilter{IdPSlug: "demo"}); len(us) != 2 {
		t.Errorf("%d accounts listed for the removed IdP, want 2", len(us))
	}

	// An update of another IdP changes nothing; adding demo again makes
	// its accounts its own again.
	if _, err := db.SaveIdP(ctx, core.IdP{Slug: "okta", DisplayName: "Okta"}); err != nil {
		t.Fatal(err)
	}
	if got := removed(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("IdPRemoved after updating okta = %v, want %v", got, want)
	}
	if _, err := db.SaveIdP(ctx, core.IdP{Slug: "demo", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	want["alice"], want["bob"] = false, false
	if got := removed(t, db); !reflect.DeepEqual(got, want) {
		t.Errorf("IdPRemoved after re-adding demo = %v, want %v", got, want)
	}
}

func TestApplyLoginReportsIdPRemoved(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.SaveIdP(ctx, core.IdP{Slug: "demo"}); err != nil {
		t.Fatal(err)
	}
	if res, err := db.ApplyLogin(ctx, alice(t0)); err != nil || res.User.IdPRemoved {
		t.Fatalf("first login: %+v, %v", res.User, err)
	}
	if err := db.DeleteIdP(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	// A login that was under way when the IdP went.
	res, err := db.ApplyLogin(ctx, alice(t0.Add(time.Minute)))
	if err != nil || !res.User.IdPRemoved {
		t.Errorf("login after the IdP went: %+v, %v; want IdPRemoved", res.User, err)
	}
}

func TestDeleteIdPRollsBack(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.SaveIdP(ctx, core.IdP{Slug: "demo"}); err != nil {
		t.Fatal(err)
	}
	seedPeople(t, db)
	errDisk := errors.New("disk I/O error (simulated)")
	db.testHook = func(step string) error {
		if step == "idp deleted" {
			return errDisk
		}
		return nil
	}
	if err := db.DeleteIdP(ctx, "demo"); !errors.Is(err, errDisk) {
		t.Fatalf("DeleteIdP = %v, want the simulated failure", err)
	}
	db.testHook = nil
	if _, err := db.GetIdP(ctx, "demo"); err != nil {
		t.Errorf("the IdP is gone after a failed delete: %v", err)
	}
	for name, gone := range removed(t, db) {
		if gone {
			t.Errorf("%s is marked removed after a failed delete", name)
		}
	}
}

func TestMigrateFromVersion2(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), DBFileName)
	old := createAtVersion(t, path, 2)
	for _, q := range []string{
		`INSERT INTO identity_providers (slug, display_name, entity_id, metadata_xml, enabled, mapping_json, created_at, updated_at)
			VALUES ('demo', 'Demo IdP', 'http://localhost:8080/demo-idp/metadata', '<EntityDescriptor/>', 1,
			'{"default_role":"member"}', 1000, 2000)`,
		`INSERT INTO roles (name) VALUES ('member')`,
		`INSERT INTO users (idp_slug, name_id, username, search_text, created_at, last_login_at, login_count)
			VALUES ('demo', 'alice@example.com', 'alice', 'alice' || char(10) || 'alice@example.com', 1000, 3000, 1)`,
		`INSERT INTO user_roles (user_id, position, role, source) VALUES (1, 0, 'member', 'default role')`,
		`INSERT INTO events (at, kind, outcome, idp_slug, user_id, message) VALUES (3000, 'user.created', 'accepted', 'demo', 1, 'hi')`,
		`INSERT INTO logins (at, idp_slug, user_id, name_id, outcome, assertion_id, event_id)
			VALUES (3000, 'demo', 1, 'alice@example.com', 'accepted', '_a1', 1)`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()

	db := openAt(t, path, &testClock{now: t0})
	if v, err := db.SchemaVersion(ctx); err != nil || v != latestVersion(t) {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, latestVersion(t))
	}
	idp, err := db.GetIdP(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	want := core.IdP{
		ID: 1, Slug: "demo", DisplayName: "Demo IdP", EntityID: "http://localhost:8080/demo-idp/metadata",
		MetadataXML: "<EntityDescriptor/>", Enabled: true, Mapping: core.Mapping{DefaultRole: "member"},
		CreatedAt: fromNanos(1000), UpdatedAt: fromNanos(2000),
	}
	if !reflect.DeepEqual(idp, want) {
		t.Errorf("migrated IdP = %+v\nwant            %+v", idp, want)
	}
	d, err := db.GetUser(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d.Username != "alice" || d.IdPRemoved || len(d.Roles) != 1 || len(d.Logins) != 1 || d.Logins[0].RecordingID != 0 {
		t.Errorf("migrated user = %+v", d)
	}
	if recs, err := db.ListRecordings(ctx, core.RecordingFilter{}); err != nil || len(recs) != 0 {
		t.Errorf("ListRecordings = %+v, %v", recs, err)
	}
	// The migrated database takes the new fields and recordings.
	idp.Security.RejectSHA1, idp.MetadataSource = true, "paste"
	if _, err := db.SaveIdP(ctx, idp); err != nil {
		t.Fatal(err)
	}
	p := alice(t0)
	p.Record = &core.Recording{Raw: []byte("<Response/>")}
	res, err := db.ApplyLogin(ctx, p)
	if err != nil || res.Created || res.Login.RecordingID == 0 {
		t.Fatalf("login on the migrated database: %+v, %v", res, err)
	}
	if err := db.DeleteIdP(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
}
