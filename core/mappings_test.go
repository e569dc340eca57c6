package core_test

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

func groupsAttr(groups ...string) saml.Attribute {
	a := saml.Attribute{Name: "groups"}
	for _, g := range groups {
		a.Values = append(a.Values, saml.AttributeValue{Value: g})
	}
	return a
}

// setAttrs replaces the attributes the test IdP sends for Pat.
func setAttrs(idp *testIdP, attrs ...saml.Attribute) {
	idp.Set(func(s *samltest.Settings) { s.Session = patWith(func(p *saml.Session) { p.CustomAttributes = attrs }) })
}

func strAttr(name, value string) saml.Attribute {
	return saml.Attribute{Name: name, Values: []saml.AttributeValue{{Value: value}}}
}

func rolesOf(t *testing.T, tc *testConsole, nameID string) map[string]core.RoleGrant {
	t.Helper()
	for _, u := range users(t, tc) {
		if u.NameID == nameID {
			m := map[string]core.RoleGrant{}
			for _, g := range u.Roles {
				m[g.Role+"/"+string(g.Kind)] = g
			}
			return m
		}
	}
	t.Fatalf("no account %s", nameID)
	return nil
}

func keys(m map[string]core.RoleGrant) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}

// TestRoleProvenanceOverLogins: a group removed at the IdP removes exactly
// its role at the next login, a manual grant survives every sync, and
// deleting a rule with "revoke its grants" removes exactly those.
func TestRoleProvenanceOverLogins(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	for _, r := range []string{"admin", "engineering", "auditor"} {
		if err := tc.SaveRole(ctx, r, ""); err != nil {
			t.Fatal(err)
		}
	}
	rule := func(group, role string) core.RoleRule {
		return core.RoleRule{Name: group, Roles: []string{role},
			Conditions: []core.Condition{{Attribute: "groups", Operator: core.OpContains, Value: group}}}
	}
	saved, _, err := tc.SaveMapping(ctx, "partner", core.Mapping{DefaultRole: "member",
		RoleRules: []core.RoleRule{rule("Admins", "admin"), rule("Engineering", "engineering")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	engRuleID := saved.Mapping.RoleRules[1].ID
	if engRuleID == "" || saved.Mapping.RoleRules[0].ID == engRuleID {
		t.Fatalf("rules got no stable IDs: %+v", saved.Mapping.RoleRules)
	}
	login := func(step string) {
		t.Helper()
		if status, page := idp.login(t); status != http.StatusOK {
			t.Fatalf("%s: HTTP %d\n%s", step, status, page)
		}
	}
	const pat = "pat@partner.example"

	setAttrs(idp, strAttr("email", pat), groupsAttr("Admins", "Engineering"))
	login("first login")
	got := rolesOf(t, tc, pat)
	if keys(got) != "admin/rule engineering/rule" {
		t.Fatalf("after the first login: %s", keys(got))
	}
	if g := got["admin/rule"]; g.IdPSlug != "partner" || g.RuleID == "" || g.LoginID == 0 || !strings.Contains(g.Source, "Admins") {
		t.Errorf("provenance of admin: %+v", g)
	}
	uid := users(t, tc)[0].ID
	if err := tc.GrantRole(ctx, uid, "auditor"); err != nil {
		t.Fatal(err)
	}

	setAttrs(idp, strAttr("email", pat), groupsAttr("Engineering"))
	login("Admins removed at the IdP")
	if got := keys(rolesOf(t, tc, pat)); got != "auditor/manual engineering/rule" {
		t.Fatalf("after Admins was removed: %s", got)
	}

	// Deleting the Engineering rule and revoking its grants removes the
	// role at once, without a login; the manual grant stays.
	saved.Mapping.RoleRules = saved.Mapping.RoleRules[:1]
	if _, _, err := tc.SaveMapping(ctx, "partner", saved.Mapping, []string{"no-such-rule"}); core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("revoking a rule the mapping never had: %v", err)
	}
	_, n, err := tc.SaveMapping(ctx, "partner", saved.Mapping, []string{engRuleID})
	if err != nil || n != 1 {
		t.Fatalf("save and revoke the deleted rule's grants: %d, %v", n, err)
	}
	if got := keys(rolesOf(t, tc, pat)); got != "auditor/manual" {
		t.Fatalf("after revoking the rule's grants: %s", got)
	}
	// The next login recomputes: no rule matches, so the default role;
	// the manual grant still stays.
	login("after the rule was deleted")
	if got := keys(rolesOf(t, tc, pat)); got != "auditor/manual member/default" {
		t.Fatalf("after the next login: %s", got)
	}
	audit, err := tc.AuditLog(ctx, 20)
	if err != nil {
		t.Fatal(err)
	}
	// Each change, newest first, with what changed.
	want := []struct{ slug, message, detail string }{
		{"partner", "Mapping rules of Partner IdP changed by ", "before:"}, // and the revocation: one change
		{"partner", "Role auditor granted to " + pat + " by ", "roles: admin, engineering → admin, engineering, auditor (manual)"},
		{"partner", "Mapping rules of Partner IdP changed by ", "before:"},
		{"", "Role auditor created by ", "role: (none) → auditor"},
	}
	if len(audit) < len(want) {
		t.Fatalf("audit log has %d entries, want at least %d: %+v", len(audit), len(want), audit)
	}
	for i, w := range want {
		e := audit[i]
		if e.Kind != core.EventAdminChange || e.IdPSlug != w.slug || !strings.HasPrefix(e.Message, w.message) || !strings.HasPrefix(e.Detail, w.detail) {
			t.Errorf("audit entry %d: %s %q %q %q; want %s %q %q… %q…", i, e.Kind, e.IdPSlug, e.Message, e.Detail,
				core.EventAdminChange, w.slug, w.message, w.detail)
		}
	}
	// The save and the revocation are one change with one audit entry.
	if e := audit[0]; !strings.Contains(e.Message, "the grants of 1 changed rule revoked") ||
		!strings.Contains(e.Detail, "revoked: 1 grants of rule "+engRuleID+" (engineering: 1 account)") {
		t.Errorf("newest audit entry: %q\n%s", e.Message, e.Detail)
	}
}

// TestFieldSyncPolicies: an absent attribute keeps the stored value with
// keep-when-absent, and an import-once field never changes.
func TestFieldSyncPolicies(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	if _, _, err := tc.SaveMapping(ctx, "partner", core.Mapping{DefaultRole: "member", Sync: core.SyncPolicy{Fields: map[string]core.FieldSync{
		core.FieldEmail: core.FieldKeepWhenAbsent, core.FieldUsername: core.FieldImportOnce}}}, nil); err != nil {
		t.Fatal(err)
	}
	setAttrs(idp, strAttr("uid", "pat"), strAttr("email", "pat@partner.example"), strAttr("displayName", "Pat Partner"))
	if status, _ := idp.login(t); status != http.StatusOK {
		t.Fatal("first login refused")
	}
	setAttrs(idp, strAttr("uid", "patricia"), strAttr("displayName", "Patricia Partner"))
	if status, _ := idp.login(t); status != http.StatusOK {
		t.Fatal("second login refused")
	}
	u := users(t, tc)[0]
	if u.Email != "pat@partner.example" || u.Username != "pat" || u.DisplayName != "Patricia Partner" || u.LoginCount != 2 {
		t.Fatalf("after a login without email and with another uid: %+v", u)
	}
}

// seedHires are the seeded accounts: generated new hires, distinct.
var seedHires = core.GenerateHires(10000, 1)

// seedHire is the i-th seeded account.
func seedHire(i int) core.Persona { return seedHires[i] }

func hireAttributes(h core.Persona) core.Attributes {
	a := core.Attributes{"uid": {h.Username}, "email": {h.Email}, "displayName": {h.DisplayName}}
	if len(h.Groups) > 0 {
		a["groups"] = h.Groups
	}
	return a
}

// seedAccounts provisions n accounts of the demo IdP straight through the
// store, as logins would, with the demo mapping's roles.
func seedAccounts(tb testing.TB, tc *testConsole, n int) {
	tb.Helper()
	seedAccountsIn(tb, tc.DB, n)
}

// seedAccountsIn is seedAccounts into any store with the demo IdP.
func seedAccountsIn(tb testing.TB, store core.Store, n int) {
	tb.Helper()
	ctx := context.Background()
	idp, err := store.GetIdP(ctx, "demo")
	if err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		h := seedHire(i)
		attrs := hireAttributes(h)
		ev := idp.Mapping.Evaluate(h.NameIDValue(), attrs, nil)
		for j := range ev.Fields.Roles {
			ev.Fields.Roles[j].IdPSlug = "demo"
		}
		if _, err := store.ApplyLogin(ctx, core.Provision{At: time.Now(), IdPSlug: "demo", NameID: h.NameIDValue(),
			Username: ev.Fields.Username, Email: ev.Fields.Email, DisplayName: ev.Fields.DisplayName,
			Roles: ev.Fields.Roles, Attributes: attrs, CaseInsensitiveKey: true}); err != nil {
			tb.Fatalf("seed %d: %v", i, err)
		}
	}
}

func BenchmarkImpactPreview10k(b *testing.B) {
	tc := startConsoleB(b)
	seedAccounts(b, tc, 10000)
	idp, err := tc.DB.GetIdP(context.Background(), "demo")
	if err != nil {
		b.Fatal(err)
	}
	m := idp.Mapping.Normalized()
	m.RoleRules = m.RoleRules[1:]
	b.ResetTimer()
	for b.Loop() {
		if _, err := tc.PreviewImpact(context.Background(), "demo", m); err != nil {
			b.Fatal(err)
		}
	}
}
