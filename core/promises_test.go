package core_test

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

// TestZoePersona: the README's Zoë signs in with no email attribute and a
// name beyond ASCII; her account keeps the name exactly, has no email,
// and gets her groups' role. The welcome page shows her name as written.
func TestZoePersona(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	personas, err := tc.Personas(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var zoe core.Persona
	for _, p := range personas {
		if p.ID == "zoe" {
			zoe = p
		}
	}
	if zoe.DisplayName != "Zoë Łukasiewicz-Núñez" || zoe.Email != "" {
		t.Fatalf("the demo IdP's Zoë: %+v", zoe)
	}
	c := capture(t, tc, "zoe")
	if strings.Contains(c.xml(t), `Name="email"`) {
		t.Errorf("the demo IdP sent Zoë an email attribute:\n%s", c.xml(t))
	}
	status, page := c.post(t, "")
	if status != http.StatusOK || !strings.Contains(page, "Zoë Łukasiewicz-Núñez") {
		t.Fatalf("Zoë's sign-in: HTTP %d\n%s", status, page)
	}
	us := users(t, tc)
	if len(us) != 1 {
		t.Fatalf("%d accounts, want Zoë's", len(us))
	}
	u := us[0]
	if u.IdPSlug != core.DemoSlug || u.NameID != "zoe.lukasiewicz" || u.Username != "zoe.lukasiewicz" || u.Email != "" ||
		u.DisplayName != "Zoë Łukasiewicz-Núñez" || u.GivenName != "Zoë" || u.FamilyName != "Łukasiewicz-Núñez" {
		t.Errorf("Zoë's account: %+v", u)
	}
	var roles []string
	for _, g := range u.Roles {
		roles = append(roles, g.Role)
	}
	if !reflect.DeepEqual(roles, []string{"finance"}) {
		t.Errorf("Zoë's roles %v, want finance (her Finance groups)", roles)
	}
}

// TestReimportKeepsMappingAndSettings: importing an IdP again under its
// slug replaces the metadata (a rotated signing key works at once) and
// keeps the mapping, the security settings and the accounts.
func TestReimportKeepsMappingAndSettings(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	mapped, _, err := tc.SaveMapping(ctx, "partner", core.Mapping{DefaultRole: "member", RoleRules: []core.RoleRule{{
		Name: "Engineering", Roles: []string{"engineering"},
		Conditions: []core.Condition{{Attribute: "groups", Operator: core.OpContains, Value: "Engineering"}}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	settings := core.IdPSecurity{RejectSHA1: true, RequireSignedAssertion: true}
	configured := mapped
	configured.Security = settings
	configured.RefreshEvery = 6 * time.Hour
	if configured, err = tc.UpdateIdP(ctx, configured); err != nil {
		t.Fatal(err)
	}
	if status, page := idp.login(t); status != http.StatusOK {
		t.Fatalf("first login: HTTP %d\n%s", status, page)
	}

	// The IdP rotates its key; its new metadata is imported again.
	idp.Set(func(s *samltest.Settings) { s.Key, s.Cert = samltest.NewCertKey(t, "test-idp-2") })
	if status, _ := idp.login(t); status == http.StatusOK {
		t.Fatal("a login signed with the new key passed before the new metadata was imported")
	}
	resp, err := http.Get(idp.MetadataURL())
	if err != nil {
		t.Fatal(err)
	}
	md, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	again, _, err := tc.ImportIdP(ctx, core.ImportRequest{MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: md},
		DisplayName: "Partner IdP", Slug: "partner"})
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != configured.ID || again.MetadataXML == configured.MetadataXML {
		t.Errorf("the re-import made IdP %d (was %d); metadata replaced: %t", again.ID, configured.ID, again.MetadataXML != configured.MetadataXML)
	}
	stored, err := tc.DB.GetIdP(ctx, "partner")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored.Mapping, mapped.Mapping) {
		t.Errorf("mapping after the re-import:\n%+v\nwant\n%+v", stored.Mapping, mapped.Mapping)
	}
	if stored.Security != settings || !stored.Enabled {
		t.Errorf("settings after the re-import: %+v, enabled %t; want %+v, enabled", stored.Security, stored.Enabled, settings)
	}
	if status, page := idp.login(t); status != http.StatusOK {
		t.Fatalf("a login with the new key after the re-import: HTTP %d\n%s", status, page)
	}
	us := users(t, tc)
	if len(us) != 1 || us[0].LoginCount != 2 || len(us[0].Roles) != 1 || us[0].Roles[0].Role != "engineering" {
		t.Errorf("accounts after the re-import: %+v", us)
	}
}
