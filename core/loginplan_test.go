package core_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// planAt is the time of the logins PlanLogin plans in these tests.
var planAt = time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)

// aliceLogin is a login of Alice at the demo IdP with two rule grants.
func aliceLogin() core.Provision {
	return core.Provision{
		At: planAt, IdPSlug: "demo", NameID: "alice@example.com",
		Username: "alice", Email: "alice@example.com", DisplayName: "Alice Anderson",
		Roles: []core.RoleGrant{
			{Role: "admin", Kind: core.GrantRule, RuleID: "r-admins", RuleIndex: 1, Source: "rule 1: groups contains Admins"},
			{Role: "engineering", Kind: core.GrantRule, RuleID: "r-eng", RuleIndex: 2, Source: "rule 2: groups contains Engineering"},
		},
	}
}

// aliceAccount is Alice's stored account after three logins, with the
// grants of aliceLogin (made by login 7) and the grants extra.
func aliceAccount(extra ...core.RoleGrant) *core.User {
	earlier := planAt.Add(-24 * time.Hour)
	u := &core.User{
		ID: 42, IdPSlug: "demo", NameID: "alice@example.com", Username: "alice", Email: "alice@example.com",
		DisplayName: "Alice Anderson", CreatedAt: planAt.Add(-72 * time.Hour), LastLoginAt: earlier, LoginCount: 3,
		Warnings: []string{"an old warning"},
	}
	for _, g := range aliceLogin().Roles {
		g.IdPSlug, g.LoginID, g.GrantedAt = "demo", 7, earlier
		u.Roles = append(u.Roles, g)
	}
	u.Roles = append(u.Roles, extra...)
	return u
}

// manual is a grant an admin pinned by hand.
func manual(role string) core.RoleGrant {
	return core.RoleGrant{Role: role, Kind: core.GrantManual, GrantedBy: "root", GrantedAt: planAt.Add(-48 * time.Hour)}
}

// daveAtOkta is Dave's account of the okta IdP, with a rule grant and a
// manual one.
func daveAtOkta() *core.User {
	return &core.User{
		ID: 9, IdPSlug: "okta", NameID: "00u1", Username: "dave", Email: "Dave.Diaz@Example.com",
		DisplayName: "Dave Diaz", GivenName: "Dave", FamilyName: "Diaz", IdPRemoved: true,
		CreatedAt: planAt.Add(-time.Hour), LastLoginAt: planAt.Add(-time.Hour), LoginCount: 1,
		Roles: []core.RoleGrant{
			{Role: "sales", Kind: core.GrantRule, RuleID: "r-sales", RuleIndex: 1, Source: "rule 1", IdPSlug: "okta", LoginID: 1},
			manual("auditor"),
		},
	}
}

// daveAtDemo is a login of Dave at the demo IdP, linking by email.
func daveAtDemo() core.Provision {
	return core.Provision{
		At: planAt, IdPSlug: "demo", NameID: "dave@demo.example", Username: "dave", Email: "DAVE.DIAZ@example.com",
		DisplayName: "Dave Diaz", GivenName: "Dave", FamilyName: "Diaz", LinkByEmail: true, CaseInsensitiveKey: true,
		Roles: []core.RoleGrant{{Role: "member", Kind: core.GrantDefault, Source: "default role"}},
	}
}

// grantKinds names grants as role/kind.
func grantKinds(gs []core.RoleGrant) []string {
	out := []string{}
	for _, g := range gs {
		out = append(out, g.Role+"/"+string(g.Kind))
	}
	return out
}

// with returns p changed by edit.
func with(p core.Provision, edit func(*core.Provision)) core.Provision {
	edit(&p)
	return p
}

// deniedByRules is a Provision whose mapping evaluation denies the login:
// the IdP denies when no rule matches, and none does.
func deniedByRules(t *testing.T) core.Provision {
	m := core.Mapping{NoMatch: core.NoMatchDeny, RoleRules: []core.RoleRule{{Roles: []string{"admin"},
		Conditions: []core.Condition{{Attribute: "groups", Operator: core.OpContains, Value: "Admins"}}}}}
	ev := m.Evaluate("alice@example.com", core.Attributes{"groups": {"Engineering"}}, nil)
	if !ev.Deny {
		t.Fatalf("the mapping does not deny: %+v", ev)
	}
	return with(aliceLogin(), func(p *core.Provision) { p.Roles, p.Deny, p.DenyReason = nil, ev.Deny, ev.Reason })
}

// planWant is what a table row expects of a plan. Nil slices expect none.
type planWant struct {
	created, fieldsChanged, replaceGrants bool
	linkedFrom                            string
	account                               func(u core.User) string // "" when the account is as expected
	grants, revoke, roles                 []string                 // role/kind
	added, removed, warnings              []string
	kind                                  core.EventKind
	message, detail                       string
}

func TestPlanLogin(t *testing.T) {
	tests := []struct {
		name  string
		state core.LoginState
		p     core.Provision
		want  planWant
	}{
		{"first login", core.LoginState{}, aliceLogin(), planWant{
			created: true, replaceGrants: true,
			account: func(u core.User) string {
				if u.ID != 0 || u.IdPSlug != "demo" || u.NameID != "alice@example.com" || u.Username != "alice" ||
					u.LoginCount != 1 || !u.CreatedAt.Equal(planAt) || !u.LastLoginAt.Equal(planAt) {
					return "not a new account of this login"
				}
				return ""
			},
			grants: []string{"admin/rule", "engineering/rule"}, roles: []string{"admin/rule", "engineering/rule"},
			added:   []string{"admin", "engineering"},
			kind:    core.EventUserCreated,
			message: "Alice Anderson signed in for the first time: account created with roles admin, engineering",
			detail: "NameID: alice@example.com\nusername: alice\nemail: alice@example.com\ndisplay name: Alice Anderson\n" +
				"roles: +admin +engineering\nrole admin: rule 1: groups contains Admins\nrole engineering: rule 2: groups contains Engineering",
		}},
		{"first login with one role and names", core.LoginState{}, with(aliceLogin(), func(p *core.Provision) {
			p.Roles, p.GivenName, p.FamilyName = p.Roles[1:], "Alice", "Anderson"
		}), planWant{
			created: true, replaceGrants: true,
			grants: []string{"engineering/rule"}, roles: []string{"engineering/rule"}, added: []string{"engineering"},
			kind:    core.EventUserCreated,
			message: "Alice Anderson signed in for the first time: account created with role engineering",
			detail: "NameID: alice@example.com\nusername: alice\nemail: alice@example.com\ndisplay name: Alice Anderson\n" +
				"given name: Alice\nfamily name: Anderson\nroles: +engineering\nrole engineering: rule 2: groups contains Engineering",
		}},
		{"first login without roles or fields", core.LoginState{}, core.Provision{At: planAt, IdPSlug: "okta", NameID: "00u1"}, planWant{
			created: true, replaceGrants: true, grants: []string{}, roles: []string{},
			kind:    core.EventUserCreated,
			message: "00u1 signed in for the first time: account created with no roles",
			detail:  "NameID: 00u1\nusername: \nemail: \ndisplay name: ",
		}},
		{"repeat login, nothing changed", core.LoginState{Account: aliceAccount()}, aliceLogin(), planWant{
			replaceGrants: true,
			account: func(u core.User) string {
				if u.ID != 42 || u.LoginCount != 4 || !u.LastLoginAt.Equal(planAt) || !u.CreatedAt.Equal(planAt.Add(-72*time.Hour)) {
					return "login count, last login or creation not carried on"
				}
				return ""
			},
			grants: []string{"admin/rule", "engineering/rule"}, roles: []string{"admin/rule", "engineering/rule"},
			kind: core.EventUserUpdated, message: "Alice Anderson signed in: account updated (login 4)", detail: "no changes",
		}},
		{"group removed at the IdP", core.LoginState{Account: aliceAccount()}, with(aliceLogin(), func(p *core.Provision) {
			p.Email = "alice@corp.example"
			p.Roles = []core.RoleGrant{p.Roles[1], {Role: "oncall", Kind: core.GrantRule, RuleIndex: 3, Source: "rule 3"}}
		}), planWant{
			fieldsChanged: true, replaceGrants: true,
			grants: []string{"engineering/rule", "oncall/rule"}, revoke: []string{"admin/rule"},
			roles: []string{"engineering/rule", "oncall/rule"}, added: []string{"oncall"}, removed: []string{"admin"},
			kind:    core.EventUserUpdated,
			message: "Alice Anderson signed in: account updated (login 4); roles +oncall −admin",
			detail: "email: \"alice@example.com\" → \"alice@corp.example\"\nroles: +oncall −admin\n" +
				"role added: oncall (rule 3)\nrole removed: admin",
		}},
		{"manual grant pinned", core.LoginState{Account: aliceAccount(manual("admin"), manual("auditor"))},
			with(aliceLogin(), func(p *core.Provision) { p.Roles = p.Roles[1:] }), planWant{
				replaceGrants: true,
				grants:        []string{"engineering/rule"}, revoke: []string{"admin/rule"},
				roles:   []string{"engineering/rule", "admin/manual", "auditor/manual"},
				removed: []string{"admin"},
				kind:    core.EventUserUpdated,
				message: "Alice Anderson signed in: account updated (login 4); roles −admin",
				detail:  "roles: −admin\nrole removed: admin",
			}},
		{"no rule matches: the default role, manual grants stay", core.LoginState{Account: aliceAccount(manual("auditor"))},
			with(aliceLogin(), func(p *core.Provision) {
				p.Roles = []core.RoleGrant{{Role: "member", Kind: core.GrantDefault, Source: "default role"}}
			}), planWant{
				replaceGrants: true,
				grants:        []string{"member/default"}, revoke: []string{"admin/rule", "engineering/rule"},
				roles: []string{"member/default", "auditor/manual"}, added: []string{"member"}, removed: []string{"admin", "engineering"},
				kind:    core.EventUserUpdated,
				message: "Alice Anderson signed in: account updated (login 4); roles +member −admin −engineering",
				detail:  "roles: +member −admin −engineering\nrole added: member (default role)\nrole removed: admin\nrole removed: engineering",
			}},
		{"a role that changes kind is revoked and granted, not added", core.LoginState{Account: aliceAccount()},
			with(aliceLogin(), func(p *core.Provision) { p.Roles[1].Kind, p.Roles[1].Source = core.GrantDefault, "default role" }), planWant{
				replaceGrants: true,
				grants:        []string{"admin/rule", "engineering/default"}, revoke: []string{"engineering/rule"},
				roles: []string{"admin/rule", "engineering/default"},
				kind:  core.EventUserUpdated, message: "Alice Anderson signed in: account updated (login 4)", detail: "no changes",
			}},
		{"import-once field", core.LoginState{Account: aliceAccount()}, with(aliceLogin(), func(p *core.Provision) {
			p.Sync.Fields = map[string]core.FieldSync{core.FieldEmail: core.FieldImportOnce}
			p.Email = "other@example.com"
		}), planWant{
			replaceGrants: true,
			account: func(u core.User) string {
				if u.Email != "alice@example.com" {
					return "the import-once email changed"
				}
				return ""
			},
			grants: []string{"admin/rule", "engineering/rule"}, roles: []string{"admin/rule", "engineering/rule"},
			kind:    core.EventUserUpdated,
			message: "Alice Anderson signed in: account updated (login 4)",
			detail:  `email: kept "alice@example.com" (import once; the IdP sent "other@example.com")`,
		}},
		{"keep-when-absent field the IdP left out", core.LoginState{Account: aliceAccount()}, with(aliceLogin(), func(p *core.Provision) {
			p.Sync.Fields = map[string]core.FieldSync{core.FieldDisplayName: core.FieldKeepWhenAbsent}
			p.DisplayName, p.Username = "", "alice2"
		}), planWant{
			fieldsChanged: true, replaceGrants: true,
			account: func(u core.User) string {
				if u.DisplayName != "Alice Anderson" || u.Username != "alice2" {
					return "the display name was blanked or the username not taken"
				}
				return ""
			},
			grants: []string{"admin/rule", "engineering/rule"}, roles: []string{"admin/rule", "engineering/rule"},
			kind:    core.EventUserUpdated,
			message: "Alice Anderson signed in: account updated (login 4)",
			detail:  "username: \"alice\" → \"alice2\"\ndisplay name: kept \"Alice Anderson\" (kept when absent; the IdP sent \"\")",
		}},
		{"keep-when-absent field with a new value", core.LoginState{Account: aliceAccount()}, with(aliceLogin(), func(p *core.Provision) {
			p.Sync.Fields = map[string]core.FieldSync{core.FieldDisplayName: core.FieldKeepWhenAbsent}
			p.DisplayName = "Alice A."
		}), planWant{
			fieldsChanged: true, replaceGrants: true,
			grants: []string{"admin/rule", "engineering/rule"}, roles: []string{"admin/rule", "engineering/rule"},
			kind:    core.EventUserUpdated,
			message: "Alice A. signed in: account updated (login 4)",
			detail:  "display name: \"Alice Anderson\" → \"Alice A.\"",
		}},
		{"always blanks a field", core.LoginState{Account: aliceAccount()}, with(aliceLogin(), func(p *core.Provision) { p.Username = "" }), planWant{
			fieldsChanged: true, replaceGrants: true,
			grants: []string{"admin/rule", "engineering/rule"}, roles: []string{"admin/rule", "engineering/rule"},
			kind:    core.EventUserUpdated,
			message: "Alice Anderson signed in: account updated (login 4)",
			detail:  "username: \"alice\" → \"\"",
		}},
		{"create-only sync", core.LoginState{Account: aliceAccount(manual("auditor"))}, with(aliceLogin(), func(p *core.Provision) {
			p.Sync.Mode = core.SyncCreateOnly
			p.Email = "new@example.com"
			p.Roles = []core.RoleGrant{{Role: "viewer", Kind: core.GrantRule}}
		}), planWant{
			account: func(u core.User) string {
				if u.Email != "alice@example.com" || u.LoginCount != 4 {
					return "create-only changed a field or missed the login count"
				}
				return ""
			},
			grants: []string{"admin/rule", "engineering/rule"}, roles: []string{"admin/rule", "engineering/rule", "auditor/manual"},
			kind:    core.EventUserUpdated,
			message: "Alice Anderson signed in (login 4): account and roles unchanged (create-only sync)",
			detail:  `email: kept "alice@example.com" (create-only sync; the IdP sent "new@example.com")`,
		}},
		{"create-only sync creates an account in full", core.LoginState{}, with(aliceLogin(), func(p *core.Provision) {
			p.Sync = core.SyncPolicy{Mode: core.SyncCreateOnly, Fields: map[string]core.FieldSync{core.FieldEmail: core.FieldImportOnce}}
		}), planWant{
			created: true, replaceGrants: true,
			grants: []string{"admin/rule", "engineering/rule"}, roles: []string{"admin/rule", "engineering/rule"},
			added:   []string{"admin", "engineering"},
			kind:    core.EventUserCreated,
			message: "Alice Anderson signed in for the first time: account created with roles admin, engineering",
			detail: "NameID: alice@example.com\nusername: alice\nemail: alice@example.com\ndisplay name: Alice Anderson\n" +
				"roles: +admin +engineering\nrole admin: rule 1: groups contains Admins\nrole engineering: rule 2: groups contains Engineering",
		}},
		{"link by email", core.LoginState{LinkCandidate: daveAtOkta()}, daveAtDemo(), planWant{
			fieldsChanged: true, replaceGrants: true, linkedFrom: "okta",
			account: func(u core.User) string {
				if u.ID != 9 || u.IdPSlug != "demo" || u.NameID != "dave@demo.example" || u.IdPRemoved || u.LoginCount != 2 ||
					u.Email != "DAVE.DIAZ@example.com" {
					return "the account did not become demo's with this login's key"
				}
				return ""
			},
			grants: []string{"member/default"}, revoke: []string{"sales/rule"}, roles: []string{"member/default", "auditor/manual"},
			added: []string{"member"}, removed: []string{"sales"}, warnings: []string{"linked by email from IdP okta"},
			kind:    core.EventUserUpdated,
			message: "Dave Diaz signed in: the account from IdP okta was linked by email (login 2); roles +member −sales",
			detail: "account: 00u1 at okta → dave@demo.example at demo\n" +
				"email: \"Dave.Diaz@Example.com\" → \"DAVE.DIAZ@example.com\"\nroles: +member −sales\n" +
				"role added: member (default role)\nrole removed: sales\nwarning: linked by email from IdP okta",
		}},
		{"link by email in create-only sync moves only the key", core.LoginState{LinkCandidate: daveAtOkta()},
			with(daveAtDemo(), func(p *core.Provision) { p.Sync.Mode, p.Email = core.SyncCreateOnly, "Dave.Diaz@Example.com" }), planWant{
				linkedFrom: "okta",
				account: func(u core.User) string {
					if u.IdPSlug != "demo" || u.NameID != "dave@demo.example" {
						return "the account was not linked"
					}
					return ""
				},
				grants: []string{"sales/rule"}, roles: []string{"sales/rule", "auditor/manual"},
				warnings: []string{"linked by email from IdP okta"},
				kind:     core.EventUserUpdated,
				message:  "Dave Diaz signed in (login 2): account and roles unchanged (create-only sync)",
				detail:   "warning: linked by email from IdP okta",
			}},
		{"no link unless the IdP links by email: a warning instead", core.LoginState{LinkCandidate: daveAtOkta(), EmailElsewhere: "okta"},
			with(daveAtDemo(), func(p *core.Provision) {
				p.LinkByEmail, p.Roles = false, nil
				p.Warnings = []string{"transient NameID", "transient NameID", ""}
			}), planWant{
				created: true, replaceGrants: true, grants: []string{}, roles: []string{},
				warnings: []string{"transient NameID", "email DAVE.DIAZ@example.com is also used by an account from IdP okta"},
				kind:     core.EventUserCreated,
				message:  "Dave Diaz signed in for the first time: account created with no roles",
				detail: "NameID: dave@demo.example\nusername: dave\nemail: DAVE.DIAZ@example.com\ndisplay name: Dave Diaz\n" +
					"given name: Dave\nfamily name: Diaz\nwarning: transient NameID\n" +
					"warning: email DAVE.DIAZ@example.com is also used by an account from IdP okta",
			}},
		{"case-only NameID difference, matched whatever the case", core.LoginState{
			Account: &core.User{ID: 5, IdPSlug: "demo", NameID: "Dave.Diaz@Example.com", Username: "dave", LoginCount: 1},
			// Read only for case-sensitive matching: ignored here.
			CaseTwin: "DAVE.DIAZ@EXAMPLE.COM",
		}, core.Provision{At: planAt, IdPSlug: "demo", NameID: "dave.diaz@example.com", Username: "dave", CaseInsensitiveKey: true}, planWant{
			replaceGrants: true, grants: []string{}, roles: []string{},
			account: func(u core.User) string {
				if u.ID != 5 || u.NameID != "Dave.Diaz@Example.com" {
					return "the stored key did not stay"
				}
				return ""
			},
			kind: core.EventUserUpdated, message: "dave signed in: account updated (login 2)", detail: "no changes",
		}},
		{"case-only NameID difference, case-sensitive: a new account with a warning", core.LoginState{CaseTwin: "Dave.Diaz@Example.com"},
			core.Provision{At: planAt, IdPSlug: "demo", NameID: "dave.diaz@example.com", Username: "dave"}, planWant{
				created: true, replaceGrants: true, grants: []string{}, roles: []string{},
				warnings: []string{`NameID "dave.diaz@example.com" differs only by case from that of another account of this IdP ("Dave.Diaz@Example.com")`},
				kind:     core.EventUserCreated,
				message:  "dave signed in for the first time: account created with no roles",
				detail: "NameID: dave.diaz@example.com\nusername: dave\nemail: \ndisplay name: \n" +
					`warning: NameID "dave.diaz@example.com" differs only by case from that of another account of this IdP ("Dave.Diaz@Example.com")`,
			}},
		{"a login's grants: no empty or repeated role, kinds rule or default", core.LoginState{}, with(aliceLogin(), func(p *core.Provision) {
			p.Roles = []core.RoleGrant{
				{Role: "a", Source: "rule 1"}, {Role: "b", Source: "default role"}, {Role: "c", Kind: core.GrantManual},
				{Role: "a", Source: "again"}, {Role: ""},
			}
		}), planWant{
			created: true, replaceGrants: true,
			grants: []string{"a/rule", "b/default", "c/rule"}, roles: []string{"a/rule", "b/default", "c/rule"},
			added:   []string{"a", "b", "c"},
			kind:    core.EventUserCreated,
			message: "Alice Anderson signed in for the first time: account created with roles a, b, c",
			detail: "NameID: alice@example.com\nusername: alice\nemail: alice@example.com\ndisplay name: Alice Anderson\n" +
				"roles: +a +b +c\nrole a: rule 1\nrole b: default role\nrole c: ",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := core.PlanLogin(tt.state, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			checkPlan(t, plan, tt.p, tt.want)
		})
	}
}

// checkPlan compares plan, the plan of the login p, with want.
func checkPlan(t *testing.T, plan core.LoginPlan, p core.Provision, want planWant) {
	t.Helper()
	if plan.Created != want.created || plan.FieldsChanged != want.fieldsChanged ||
		plan.ReplaceGrants != want.replaceGrants || plan.LinkedFrom != want.linkedFrom {
		t.Errorf("created %v, fields changed %v, replace grants %v, linked from %q; want %v, %v, %v, %q",
			plan.Created, plan.FieldsChanged, plan.ReplaceGrants, plan.LinkedFrom,
			want.created, want.fieldsChanged, want.replaceGrants, want.linkedFrom)
	}
	if want.account != nil {
		if why := want.account(plan.Account); why != "" {
			t.Errorf("account %+v: %s", plan.Account, why)
		}
	}
	if plan.Account.Roles != nil || plan.Account.Disabled {
		t.Errorf("account roles %v, disabled %v: roles are Roles(), a login enables", plan.Account.Roles, plan.Account.Disabled)
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"grants", grantKinds(plan.Grants), want.grants},
		{"revoke", grantKinds(plan.Revoke), want.revoke},
		{"roles", grantKinds(plan.Roles()), want.roles},
		{"added", plan.Added, want.added},
		{"removed", plan.Removed, want.removed},
		{"warnings", plan.Account.Warnings, want.warnings},
	} {
		if len(c.got)+len(c.want) > 0 && !slices.Equal(c.got, c.want) { // nil and empty alike
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if plan.ReplaceGrants {
		for _, g := range plan.Grants {
			if g.IdPSlug == "" || !g.GrantedAt.Equal(p.At) || g.GrantedBy != "" || g.LoginID != 0 {
				t.Errorf("grant %+v: want this login's IdP and time, no login ID yet", g)
			}
		}
	}
	ev := plan.Event
	if ev.Kind != want.kind || ev.Outcome != core.OutcomeAccepted || ev.IdPSlug != p.IdPSlug || !ev.At.Equal(p.At) ||
		ev.UserID != plan.Account.ID || ev.ID != 0 {
		t.Errorf("event %+v: want kind %q, accepted, at %s and %v, of account %d", ev, want.kind, p.IdPSlug, p.At, plan.Account.ID)
	}
	if wantSubject := firstOf(plan.Account.Username, p.NameID); ev.Subject != wantSubject {
		t.Errorf("event subject %q, want %q", ev.Subject, wantSubject)
	}
	if ev.Message != want.message {
		t.Errorf("message:\n got %q\nwant %q", ev.Message, want.message)
	}
	if ev.Detail != want.detail {
		t.Errorf("detail:\n got %q\nwant %q", ev.Detail, want.detail)
	}
}

// firstOf is the first non-empty string of s.
func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func TestPlanLoginRefuses(t *testing.T) {
	disabled := aliceAccount()
	disabled.Disabled = true
	disabledOkta := daveAtOkta()
	disabledOkta.Disabled, disabledOkta.DisplayName = true, ""
	tests := []struct {
		name     string
		state    core.LoginState
		p        core.Provision
		wantCode string
		wantMsg  string
	}{
		{"disabled user", core.LoginState{Account: disabled}, aliceLogin(),
			core.EFORBIDDEN, "The account Alice Anderson is disabled."},
		{"disabled user found by link", core.LoginState{LinkCandidate: disabledOkta}, daveAtDemo(),
			core.EFORBIDDEN, "The account dave is disabled."},
		{"deny policy", core.LoginState{}, deniedByRules(t),
			core.EDENIED, "No role rule matched this person, and this IdP's policy is to deny such logins."},
		{"deny policy before a disabled account", core.LoginState{Account: disabled}, deniedByRules(t),
			core.EDENIED, "No role rule matched this person, and this IdP's policy is to deny such logins."},
		{"deny without a reason", core.LoginState{}, with(aliceLogin(), func(p *core.Provision) { p.Deny = true }),
			core.EDENIED, "The mapping rules of this IdP deny this login."},
		{"no NameID", core.LoginState{}, with(aliceLogin(), func(p *core.Provision) { p.NameID = "" }),
			core.EINVALID, "A login needs an IdP and a NameID."},
		{"no IdP", core.LoginState{}, with(aliceLogin(), func(p *core.Provision) { p.IdPSlug = "" }),
			core.EINVALID, "A login needs an IdP and a NameID."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := core.PlanLogin(tt.state, tt.p)
			if core.ErrorCode(err) != tt.wantCode || core.ErrorMessage(err) != tt.wantMsg {
				t.Errorf("PlanLogin = %v (code %q), want code %q: %q", err, core.ErrorCode(err), tt.wantCode, tt.wantMsg)
			}
			if !reflect.DeepEqual(plan, core.LoginPlan{}) {
				t.Errorf("a refused login has a plan: %+v", plan)
			}
		})
	}
}

// TestPlanLoginLeavesItsInputs checks that planning changes neither the
// state read nor the Provision (the store writes them as they were read).
func TestPlanLoginLeavesItsInputs(t *testing.T) {
	state := core.LoginState{Account: aliceAccount(manual("auditor"))}
	p := with(aliceLogin(), func(p *core.Provision) { p.Warnings = []string{"w"}; p.Roles = p.Roles[1:] })
	p.At = planAt.In(time.FixedZone("CET", 3600))
	stateBefore, pBefore := *state.Account, p
	pBefore.Roles, stateBefore.Roles = slices.Clone(p.Roles), slices.Clone(state.Account.Roles)
	plan, err := core.PlanLogin(state, p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*state.Account, stateBefore) || !reflect.DeepEqual(p, pBefore) {
		t.Errorf("PlanLogin changed its inputs")
	}
	if plan.Event.At.Location() != time.UTC || plan.Grants[0].GrantedAt.Location() != time.UTC {
		t.Errorf("times are not UTC: event %v, grant %v", plan.Event.At, plan.Grants[0].GrantedAt)
	}
	// Stamping the new grants (the store's login ID) leaves the account's
	// stored grants alone.
	plan.Grants[0].LoginID = 99
	if state.Account.Roles[1].LoginID != 7 || !strings.Contains(plan.Event.Detail, "role removed: admin") {
		t.Errorf("the plan shares the stored grants: %+v", state.Account.Roles)
	}
}

// TestDisabledAccountIsRefusedAtTheACS signs in, disables the account and
// signs in again: the ACS refuses with the class user_disabled, and the
// account is as it was.
func TestDisabledAccountIsRefusedAtTheACS(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	if status, _ := idp.login(t); status != http.StatusOK {
		t.Fatalf("first login: HTTP %d", status)
	}
	us := users(t, tc)
	if len(us) != 1 {
		t.Fatalf("%d accounts after the first login", len(us))
	}
	if _, _, err := tc.DB.SetUsersDisabled(t.Context(), []int64{us[0].ID}, true, "root"); err != nil {
		t.Fatal(err)
	}
	if status, _ := idp.login(t); status != http.StatusForbidden {
		t.Fatalf("a disabled account's login: HTTP %d, want 403", status)
	}
	if ev := lastRefusal(t, tc); ev.Class != core.ClassUserDisabled {
		t.Fatalf("refusal class %q (%q), want %q", ev.Class, ev.Message, core.ClassUserDisabled)
	}
	if after := users(t, tc); len(after) != 1 || after[0].LoginCount != 1 {
		t.Fatalf("accounts after the refusal: %+v", after)
	}
}

// BenchmarkPlanLogin measures the plan of a repeat login with a changed
// email and a role removed (the store's transaction costs hundreds of
// microseconds around it).
func BenchmarkPlanLogin(b *testing.B) {
	state := core.LoginState{Account: aliceAccount(manual("auditor"))}
	p := with(aliceLogin(), func(p *core.Provision) { p.Email, p.Roles = "alice@corp.example", p.Roles[1:] })
	b.ReportAllocs()
	for b.Loop() {
		if _, err := core.PlanLogin(state, p); err != nil {
			b.Fatal(err)
		}
	}
}
