package core_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

const enterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// scimPerson is a SCIM user of department dept, as Entra ID and Okta send
// one with the enterprise extension.
func scimPerson(userName, dept string) map[string]any {
	return map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User", enterpriseSchema},
		"userName": userName, "active": true,
		"name":           map[string]any{"givenName": "Pat", "familyName": "Partner"},
		"emails":         []any{map[string]any{"value": "other@partner.example"}, map[string]any{"value": "pat.mail@partner.example", "primary": true}},
		enterpriseSchema: map[string]any{"department": dept, "manager": map[string]any{"value": "boss-1"}},
	}
}

// roleSummary is each grant as "role/kind", in display order.
func roleSummary(gs []core.RoleGrant) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Role+"/"+string(g.Kind))
	}
	return out
}

// TestSCIMUsersGoThroughTheMapping: a SCIM user gets the fields and roles
// the IdP's rules give its attributes, with the rule's provenance; a PUT
// that changes them recomputes the roles; a manual grant survives.
func TestSCIMUsersGoThroughTheMapping(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	ctx := context.Background()
	for _, r := range []string{"engineer", "auditor", "member"} {
		if err := tc.SaveRole(ctx, r, ""); err != nil {
			t.Fatal(err)
		}
	}
	m := core.Mapping{NoMatch: core.NoMatchDefault, DefaultRole: "member", RoleRules: []core.RoleRule{{
		Name:       "engineering",
		Conditions: []core.Condition{{Attribute: "department", Operator: core.OpEquals, Value: "Engineering"}},
		Roles:      []string{"engineer"},
	}}}
	if _, _, err := tc.SaveMapping(ctx, "partner", m, nil); err != nil {
		t.Fatal(err)
	}
	c := newSCIMClient(t, tc, "partner")
	status, created := c.do("POST", "/Users", scimPerson("pat@partner.example", "Engineering"))
	if status != http.StatusCreated {
		t.Fatalf("create: HTTP %d %v", status, created)
	}
	id, _ := created["id"].(string)
	us := users(t, tc)
	if len(us) != 1 {
		t.Fatalf("accounts: %+v", us)
	}
	u, err := tc.User(ctx, us[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "pat.mail@partner.example" || u.DisplayName != "Pat Partner" || u.Username != "pat@partner.example" {
		t.Errorf("fields %q %q %q, want the primary email, the name and the userName", u.Email, u.DisplayName, u.Username)
	}
	if len(u.Roles) != 1 || u.Roles[0].Role != "engineer" || u.Roles[0].Kind != core.GrantRule ||
		u.Roles[0].RuleIndex != 1 || u.Roles[0].RuleID == "" || u.Roles[0].IdPSlug != "partner" ||
		!strings.Contains(u.Roles[0].Source, "rule 1") || u.Roles[0].GrantedAt.IsZero() {
		t.Fatalf("roles after the create: %+v, want engineer from rule 1", u.Roles)
	}
	if ev := lastEventOf(t, tc, core.EventSCIM); !strings.Contains(ev.Message, "+engineer") {
		t.Errorf("the create's event %q does not name the role", ev.Message)
	}
	if err := tc.GrantRole(ctx, u.ID, "auditor"); err != nil {
		t.Fatal(err)
	}

	status, got := c.do("PUT", "/Users/"+id, scimPerson("pat@partner.example", "Sales"))
	if status != http.StatusOK {
		t.Fatalf("PUT: HTTP %d %v", status, got)
	}
	u, _ = tc.User(ctx, u.ID)
	if want := []string{"member/default", "auditor/manual"}; !reflect.DeepEqual(roleSummary(u.Roles), want) {
		t.Fatalf("roles after the move to Sales: %v, want %v", roleSummary(u.Roles), want)
	}
	if ev := lastEventOf(t, tc, core.EventSCIM); !strings.Contains(ev.Message, "+member −engineer") {
		t.Errorf("the PUT's event %q does not name the roles changed", ev.Message)
	}

	status, got = c.do("PATCH", "/Users/"+id, map[string]any{"Operations": []any{map[string]any{
		"op": "Replace", "path": enterpriseSchema + ":department", "value": "Engineering"}}})
	if status != http.StatusOK {
		t.Fatalf("PATCH: HTTP %d %v", status, got)
	}
	u, _ = tc.User(ctx, u.ID)
	if want := []string{"engineer/rule", "auditor/manual"}; !reflect.DeepEqual(roleSummary(u.Roles), want) {
		t.Fatalf("roles after the PATCH back to Engineering: %v, want %v", roleSummary(u.Roles), want)
	}

	// A sign-in with the same person keeps the manual grant too.
	if status, page := idp.login(t); status != http.StatusOK {
		t.Fatalf("sign-in: HTTP %d %s", status, page)
	}
	u, _ = tc.User(ctx, u.ID)
	if !strings.Contains(strings.Join(roleSummary(u.Roles), " "), "auditor/manual") {
		t.Fatalf("the sign-in dropped the manual grant: %v", roleSummary(u.Roles))
	}
}

// TestSCIMAttributeMap: the per-IdP map says which SCIM field feeds which
// attribute name; it is validated, and an empty map restores the
// defaults.
func TestSCIMAttributeMap(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	ctx := context.Background()
	got, err := tc.SCIMAttributeMap(ctx, "partner")
	if err != nil || !reflect.DeepEqual(got, core.DefaultSCIMAttributes()) {
		t.Fatalf("the map before any is set: %v %v, want the defaults", got, err)
	}
	for _, bad := range [][]core.SCIMAttribute{
		{{Attribute: "", Path: "title"}},
		{{Attribute: "dept", Path: "title"}, {Attribute: "DEPT", Path: "userName"}},
		{{Attribute: "mail", Path: `emails[type eq "work"].value`}},
		{{Attribute: "x", Path: "a.b.c"}},
	} {
		if err := tc.SetSCIMAttributeMap(ctx, "partner", bad); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("SetSCIMAttributeMap(%v): %v, want EINVALID", bad, err)
		}
	}
	if err := tc.SetSCIMAttributeMap(ctx, "nope", nil); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("an unknown IdP: %v, want ENOTFOUND", err)
	}
	for _, r := range []string{"engineer", "member"} {
		if err := tc.SaveRole(ctx, r, ""); err != nil {
			t.Fatal(err)
		}
	}
	m := core.Mapping{NoMatch: core.NoMatchDefault, DefaultRole: "member", RoleRules: []core.RoleRule{{
		Conditions: []core.Condition{{Attribute: "team", Operator: core.OpContains, Value: "Engineering"}},
		Roles:      []string{"engineer"},
	}}}
	if _, _, err := tc.SaveMapping(ctx, "partner", m, nil); err != nil {
		t.Fatal(err)
	}
	custom := []core.SCIMAttribute{{Attribute: "team", Path: "groups.display"}}
	if err := tc.SetSCIMAttributeMap(ctx, "partner", custom); err != nil {
		t.Fatal(err)
	}
	if got, _ := tc.SCIMAttributeMap(ctx, "partner"); !reflect.DeepEqual(got, custom) {
		t.Fatalf("the map read back: %v, want %v", got, custom)
	}
	c := newSCIMClient(t, tc, "partner")
	person := scimPerson("pat@partner.example", "Sales")
	person["groups"] = []any{map[string]any{"value": "g-1", "display": "Staff"}, map[string]any{"value": "g-2", "display": "Engineering"}}
	if status, body := c.do("POST", "/Users", person); status != http.StatusCreated {
		t.Fatalf("create: HTTP %d %v", status, body)
	}
	u, err := tc.User(ctx, users(t, tc)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"engineer/rule"}; !reflect.DeepEqual(roleSummary(u.Roles), want) {
		t.Fatalf("roles by the custom map: %v, want %v", roleSummary(u.Roles), want)
	}
	if u.Email != "pat@partner.example" {
		t.Errorf("email %q: the custom map has no email entry, so it is the NameID, as at a sign-in", u.Email)
	}
	if err := tc.SetSCIMAttributeMap(ctx, "partner", nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := tc.SCIMAttributeMap(ctx, "partner"); !reflect.DeepEqual(got, core.DefaultSCIMAttributes()) {
		t.Fatalf("after an empty map: %v, want the defaults", got)
	}
}
