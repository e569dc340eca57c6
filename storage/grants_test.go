package storage

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// login applies p and fails the test on an error.
func login(t *testing.T, db *DB, p core.Provision) core.ProvisionResult {
	t.Helper()
	res, err := db.ApplyLogin(context.Background(), p)
	if err != nil {
		t.Fatalf("ApplyLogin(%s at %s): %v", p.NameID, p.IdPSlug, err)
	}
	return res
}

// dave is a login of Dave at idp with NameID nameID.
func dave(idp, nameID string, at time.Time) core.Provision {
	return core.Provision{
		At: at, IdPSlug: idp, NameID: nameID, Username: "dave", Email: "Dave.Diaz@Example.com",
		DisplayName: "Dave Diaz", GivenName: "Dave", FamilyName: "Diaz",
		Roles:      []core.RoleGrant{{Role: "member", Kind: core.GrantDefault, Source: "default role"}},
		Attributes: core.Attributes{"mail": {"Dave.Diaz@Example.com"}},
	}
}

func grantNames(gs []core.RoleGrant) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Role+"/"+string(g.Kind))
	}
	return out
}

func TestApplyLoginCaseInsensitiveKey(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	first := login(t, db, dave("demo", "Dave.Diaz@Example.com", t0))

	p := dave("demo", "dave.diaz@example.com", t0.Add(time.Minute))
	p.CaseInsensitiveKey = true
	second := login(t, db, p)
	if second.Created || second.User.ID != first.User.ID || second.User.LoginCount != 2 {
		t.Fatalf("a case-insensitive login made another account: %+v", second)
	}
	if second.User.NameID != "Dave.Diaz@Example.com" {
		t.Errorf("NameID = %q: the stored key should stay", second.User.NameID)
	}
	if len(second.User.Warnings) != 0 {
		t.Errorf("warnings = %q", second.User.Warnings)
	}
	if n := count(t, db, "users", ""); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}

	for _, tt := range []struct {
		nameID   string
		noCase   bool
		wantCode string
	}{
		{"Dave.Diaz@Example.com", false, ""},
		{"dave.diaz@example.com", false, core.ENOTFOUND},
		{"dave.diaz@example.com", true, ""},
		{"DAVE.DIAZ@EXAMPLE.COM", true, ""},
		{"someone@example.com", true, core.ENOTFOUND},
	} {
		u, err := db.UserByKey(ctx, "demo", tt.nameID, tt.noCase)
		if core.ErrorCode(err) != tt.wantCode {
			t.Errorf("UserByKey(%q, %v) = %v, want code %q", tt.nameID, tt.noCase, err, tt.wantCode)
		} else if err == nil && (u.ID != first.User.ID || u.GivenName != "Dave" || len(u.Roles) != 1) {
			t.Errorf("UserByKey(%q, %v) = %+v", tt.nameID, tt.noCase, u)
		}
	}
	if _, err := db.UserByKey(ctx, "okta", "Dave.Diaz@Example.com", true); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("UserByKey at another IdP = %v, want ENOTFOUND", err)
	}
}

func TestApplyLoginCaseInsensitiveKeyNonASCII(t *testing.T) {
	db, _ := openTest(t)
	first := login(t, db, dave("demo", "ÉLODIE@EXAMPLE.COM", t0))
	p := dave("demo", "élodie@example.com", t0.Add(time.Minute))
	p.CaseInsensitiveKey = true
	if res := login(t, db, p); res.Created || res.User.ID != first.User.ID {
		t.Errorf("a NameID differing in a non-ASCII letter's case made another account: %+v", res.User)
	}
}

func TestApplyLoginCaseSensitiveKeyWarns(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	first := login(t, db, dave("demo", "Dave.Diaz@Example.com", t0))
	if len(first.User.Warnings) != 0 {
		t.Errorf("first account's warnings = %q", first.User.Warnings)
	}
	second := login(t, db, dave("demo", "dave.diaz@example.com", t0.Add(time.Minute)))
	if !second.Created || second.User.ID == first.User.ID {
		t.Fatalf("case-sensitive matching should make a second account: %+v", second)
	}
	// The store found the first account as the case twin.
	wantPlan(t, db, second, core.LoginState{CaseTwin: "Dave.Diaz@Example.com"}, dave("demo", "dave.diaz@example.com", t0.Add(time.Minute)))
	if len(second.User.Warnings) != 1 {
		t.Fatalf("warnings = %q, want one", second.User.Warnings)
	}
	d, err := db.GetUser(ctx, second.User.ID)
	if err != nil || !slices.Equal(d.Warnings, second.User.Warnings) {
		t.Errorf("stored warnings = %q, %v; want %q", d.Warnings, err, second.User.Warnings)
	}
	// The second account's later logins keep the warning; the first
	// account's own next login gets it too.
	if again := login(t, db, dave("demo", "Dave.Diaz@Example.com", t0.Add(2*time.Minute))); len(again.User.Warnings) != 1 {
		t.Errorf("first account's warnings after the twin appeared = %q", again.User.Warnings)
	}
	if n := count(t, db, "users", ""); n != 2 {
		t.Errorf("%d accounts, want 2", n)
	}
}

func TestApplyLoginWarnings(t *testing.T) {
	db, _ := openTest(t)
	login(t, db, dave("okta", "00u1", t0))

	// Another IdP's account has the email: a warning, no link.
	p := dave("demo", "dave", t0.Add(time.Minute))
	p.Email = "dave.diaz@EXAMPLE.com"
	p.CaseInsensitiveKey = true
	p.Warnings = []string{"transient NameID", "transient NameID"}
	res := login(t, db, p)
	// The store found okta's account as having the email.
	wantPlan(t, db, res, core.LoginState{EmailElsewhere: "okta"}, p)
	if !res.Created || res.Linked || len(res.User.Warnings) != 2 {
		t.Fatalf("created %v, linked %v, warnings %q; want a new account with two", res.Created, res.Linked, res.User.Warnings)
	}
	d, err := db.GetUser(context.Background(), res.User.ID)
	if err != nil || !slices.Equal(d.Warnings, res.User.Warnings) {
		t.Errorf("stored warnings = %q, %v; want %q", d.Warnings, err, res.User.Warnings)
	}
	// Warnings are replaced at each login.
	p.At, p.Warnings, p.Email = t0.Add(2*time.Minute), nil, "dave@demo.example"
	res = login(t, db, p)
	if len(res.User.Warnings) != 0 {
		t.Errorf("warnings after a clean login = %q", res.User.Warnings)
	}
	d, err = db.GetUser(context.Background(), res.User.ID)
	if err != nil || len(d.Warnings) != 0 {
		t.Errorf("stored warnings = %q, %v", d.Warnings, err)
	}
}

func TestApplyLoginLinkByEmail(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	okta := dave("okta", "00u1", t0)
	okta.Roles = []core.RoleGrant{{Role: "sales", Kind: core.GrantRule, RuleID: "r-sales", RuleIndex: 1, Source: "rule 1"}}
	orig := login(t, db, okta)
	if _, err := db.SaveRole(ctx, "auditor", "", "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GrantRole(ctx, orig.User.ID, "auditor", "root"); err != nil {
		t.Fatal(err)
	}

	before, err := db.GetUser(ctx, orig.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := dave("demo", "dave@demo.example", t0.Add(time.Hour))
	p.Email = "DAVE.DIAZ@example.com"
	p.LinkByEmail = true
	p.CaseInsensitiveKey = true
	res := login(t, db, p)
	// The store found okta's account as the link candidate.
	wantPlan(t, db, res, core.LoginState{LinkCandidate: &before.User}, p)
	if res.Created || !res.Linked || res.User.ID != orig.User.ID {
		t.Fatalf("link by email: created %v, linked %v, ID %d (want %d)", res.Created, res.Linked, res.User.ID, orig.User.ID)
	}
	if res.User.IdPSlug != "demo" || res.User.NameID != "dave@demo.example" || res.User.LoginCount != 2 {
		t.Errorf("linked account = %+v", res.User)
	}
	if !slices.Equal(grantNames(res.User.Roles), []string{"member/default", "auditor/manual"}) ||
		!slices.Equal(res.Added, []string{"member"}) || !slices.Equal(res.Removed, []string{"sales"}) {
		t.Errorf("roles %q, added %q, removed %q", grantNames(res.User.Roles), res.Added, res.Removed)
	}
	if res.Event.Kind != core.EventUserUpdated || res.Event.UserID != orig.User.ID || res.Event.IdPSlug != "demo" {
		t.Errorf("event = %+v", res.Event)
	}
	// The account is demo's now: found by its new key, gone from okta.
	if u, err := db.UserByKey(ctx, "demo", "dave@demo.example", false); err != nil || u.ID != orig.User.ID {
		t.Errorf("UserByKey(demo) = %+v, %v", u, err)
	}
	if _, err := db.UserByKey(ctx, "okta", "00u1", false); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("UserByKey(okta) = %v, want ENOTFOUND", err)
	}
	// The next login from demo is a plain update.
	p.At = t0.Add(2 * time.Hour)
	if again := login(t, db, p); again.Linked || again.Created || again.User.ID != orig.User.ID || len(again.User.Warnings) != 0 {
		t.Errorf("login after the link: %+v", again)
	}
	if n := count(t, db, "users", ""); n != 1 {
		t.Errorf("%d accounts, want 1", n)
	}
}

func TestApplyLoginDisabledAccountIsRefused(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    func() core.Provision
	}{
		{"same key", func() core.Provision { return dave("demo", "Dave.Diaz@Example.com", t0.Add(time.Hour)) }},
		{"other case", func() core.Provision {
			p := dave("demo", "DAVE.DIAZ@EXAMPLE.COM", t0.Add(time.Hour))
			p.CaseInsensitiveKey = true
			return p
		}},
		{"link by email", func() core.Provision {
			p := dave("okta", "00u9", t0.Add(time.Hour))
			p.LinkByEmail = true
			return p
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTest(t)
			ctx := context.Background()
			first := login(t, db, dave("demo", "Dave.Diaz@Example.com", t0))
			if n, _, err := db.SetUsersDisabled(ctx, []int64{first.User.ID}, true, "root"); err != nil || n != 1 {
				t.Fatalf("SetUsersDisabled = %d, %v", n, err)
			}
			before := snapshot(t, db)
			p := tt.p()
			p.Record = &core.Recording{Raw: []byte("<Response/>")}
			_, err := db.ApplyLogin(ctx, p)
			wantCode(t, err, core.EFORBIDDEN)
			if after := snapshot(t, db); after != before {
				t.Errorf("a refused login wrote:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if n := count(t, db, "recordings", ""); n != 0 {
				t.Errorf("%d recordings", n)
			}
		})
	}
}

// TestApplyLoginDeniedWritesNothing: a login the mapping denies (core's
// plan refuses it) leaves the database as it was, for a new account and
// for an existing one.
func TestApplyLoginDeniedWritesNothing(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	login(t, db, dave("demo", "dave", t0))
	before := snapshot(t, db)
	for _, nameID := range []string{"dave", "someone-new"} {
		p := dave("demo", nameID, t0.Add(time.Hour))
		p.Deny, p.DenyReason = true, "No role rule matched."
		p.Record = &core.Recording{Raw: []byte("<Response/>")}
		_, err := db.ApplyLogin(ctx, p)
		wantCode(t, err, core.EDENIED)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("a denied login wrote:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if n := count(t, db, "recordings", ""); n != 0 {
		t.Errorf("%d recordings", n)
	}
}

func TestApplyLoginCreateOnly(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	first := login(t, db, dave("demo", "dave", t0))

	p := dave("demo", "dave", t0.Add(time.Hour))
	p.Sync = core.SyncPolicy{Mode: core.SyncCreateOnly}
	p.Email, p.DisplayName, p.GivenName = "new@example.com", "David Diaz", "David"
	p.Roles = []core.RoleGrant{{Role: "admin", Kind: core.GrantRule, RuleID: "r1", RuleIndex: 1}}
	p.Attributes = core.Attributes{"mail": {"new@example.com"}, "groups": {"Admins"}}
	p.AssertionID = "_second"
	res := login(t, db, p)
	if res.Created || res.User.LoginCount != 2 || !res.User.LastLoginAt.Equal(p.At) {
		t.Fatalf("create-only login: %+v", res.User)
	}
	if len(res.Added) != 0 || len(res.Removed) != 0 {
		t.Errorf("added %q, removed %q", res.Added, res.Removed)
	}
	before := first.User
	wantPlan(t, db, res, core.LoginState{Account: &before}, p)
	d, err := db.GetUser(ctx, first.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Email != "Dave.Diaz@Example.com" || d.DisplayName != "Dave Diaz" || d.GivenName != "Dave" ||
		!slices.Equal(grantNames(d.Roles), []string{"member/default"}) || d.Roles[0].LoginID != first.Login.ID {
		t.Errorf("create-only login changed the account: %+v", d.User)
	}
	if !reflect.DeepEqual(res.User, d.User) {
		t.Errorf("ProvisionResult.User = %+v\nstored                = %+v", res.User, d.User)
	}
	if !reflect.DeepEqual(d.Attributes, p.Attributes) {
		t.Errorf("attributes = %v, want the last assertion's %v", d.Attributes, p.Attributes)
	}
	if len(d.Logins) != 2 || d.Logins[0].AssertionID != "_second" || d.Logins[0].EventID != res.Event.ID {
		t.Errorf("logins = %+v", d.Logins)
	}
	if n := count(t, db, "roles", "name = 'admin'"); n != 0 {
		t.Errorf("a create-only login added role admin to the catalogue")
	}
}

func TestApplyLoginFieldPolicies(t *testing.T) {
	type fields struct{ username, email, display, given, family string }
	get := func(u core.User) fields {
		return fields{u.Username, u.Email, u.DisplayName, u.GivenName, u.FamilyName}
	}
	tests := []struct {
		name   string
		policy map[string]core.FieldSync
		next   fields // the second login's values
		want   fields
	}{
		{"always (default)", nil,
			fields{"dave2", "d2@example.com", "D2", "", ""},
			fields{"dave2", "d2@example.com", "D2", "", ""}},
		{"import once never changes",
			map[string]core.FieldSync{core.FieldEmail: core.FieldImportOnce, core.FieldGivenName: core.FieldImportOnce},
			fields{"dave2", "d2@example.com", "D2", "", "Díaz"},
			fields{"dave2", "Dave.Diaz@Example.com", "D2", "Dave", "Díaz"}},
		{"keep when absent keeps a stored value",
			map[string]core.FieldSync{core.FieldDisplayName: core.FieldKeepWhenAbsent, core.FieldGivenName: core.FieldKeepWhenAbsent,
				core.FieldFamilyName: core.FieldKeepWhenAbsent},
			fields{"dave", "Dave.Diaz@Example.com", "", "", "Díaz"},
			fields{"dave", "Dave.Diaz@Example.com", "Dave Diaz", "Dave", "Díaz"}},
		{"keep when absent takes a new value",
			map[string]core.FieldSync{core.FieldDisplayName: core.FieldKeepWhenAbsent},
			fields{"dave", "Dave.Diaz@Example.com", "David Diaz", "Dave", "Diaz"},
			fields{"dave", "Dave.Diaz@Example.com", "David Diaz", "Dave", "Diaz"}},
		{"always blanks",
			map[string]core.FieldSync{core.FieldUsername: core.FieldAlways},
			fields{"", "Dave.Diaz@Example.com", "Dave Diaz", "Dave", "Diaz"},
			fields{"", "Dave.Diaz@Example.com", "Dave Diaz", "Dave", "Diaz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTest(t)
			ctx := context.Background()
			first := dave("demo", "dave", t0)
			first.Sync.Fields = tt.policy
			id := login(t, db, first).User.ID
			for i := 1; i <= 2; i++ { // twice: an import-once field stays put
				p := dave("demo", "dave", t0.Add(time.Duration(i)*time.Hour))
				p.Sync.Fields = tt.policy
				p.Username, p.Email, p.DisplayName, p.GivenName, p.FamilyName =
					tt.next.username, tt.next.email, tt.next.display, tt.next.given, tt.next.family
				res := login(t, db, p)
				if got := get(res.User); got != tt.want {
					t.Errorf("login %d: result fields %+v, want %+v", i+1, got, tt.want)
				}
			}
			d, err := db.GetUser(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got := get(d.User); got != tt.want {
				t.Errorf("stored fields %+v, want %+v", got, tt.want)
			}
			// Search follows what was stored, not what was sent.
			if us, err := db.ListUsers(ctx, core.UserFilter{Search: tt.want.email}); tt.want.email != "" && (err != nil || len(us) != 1) {
				t.Errorf("search for the stored email: %d users, %v", len(us), err)
			}
		})
	}
}

func TestApplyLoginRoleProvenance(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	p := dave("demo", "dave", t0)
	p.Roles = []core.RoleGrant{
		{Role: "admin", Kind: core.GrantRule, RuleID: "r-admins", RuleIndex: 1, Source: "rule 1: groups contains Admins"},
		{Role: "editor", Kind: core.GrantRule, RuleID: "r-editors", RuleIndex: 2, Source: "rule 2: groups contains Editors"},
	}
	first := login(t, db, p)
	if !slices.Equal(first.Added, []string{"admin", "editor"}) || len(first.Removed) != 0 {
		t.Errorf("first login: added %q, removed %q", first.Added, first.Removed)
	}
	want := []core.RoleGrant{
		{Role: "admin", Kind: core.GrantRule, RuleID: "r-admins", RuleIndex: 1, Source: "rule 1: groups contains Admins",
			IdPSlug: "demo", LoginID: first.Login.ID, GrantedAt: t0},
		{Role: "editor", Kind: core.GrantRule, RuleID: "r-editors", RuleIndex: 2, Source: "rule 2: groups contains Editors",
			IdPSlug: "demo", LoginID: first.Login.ID, GrantedAt: t0},
	}
	d, err := db.GetUser(ctx, first.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Roles, want) || !reflect.DeepEqual(first.User.Roles, want) {
		t.Errorf("stored grants = %+v\nresult grants = %+v\nwant            %+v", d.Roles, first.User.Roles, want)
	}

	// A manual grant of admin (held by a rule too) and of auditor.
	for _, r := range []string{"admin", "auditor"} {
		if _, err := db.SaveRole(ctx, r, "", "root"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GrantRole(ctx, first.User.ID, r, "root"); err != nil {
			t.Fatal(err)
		}
	}

	// The Admins group goes at the IdP; Viewers comes.
	p.At = t0.Add(time.Hour)
	p.Roles = []core.RoleGrant{
		{Role: "editor", Kind: core.GrantRule, RuleID: "r-editors", RuleIndex: 1, Source: "rule 1: groups contains Editors"},
		{Role: "viewer", Kind: core.GrantRule, RuleID: "r-viewers", RuleIndex: 2, Source: "rule 2: groups contains Viewers"},
	}
	second := login(t, db, p)
	if !slices.Equal(second.Added, []string{"viewer"}) || !slices.Equal(second.Removed, []string{"admin"}) {
		t.Errorf("second login: added %q, removed %q", second.Added, second.Removed)
	}
	d, err = db.GetUser(ctx, first.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantKinds := []string{"editor/rule", "viewer/rule", "admin/manual", "auditor/manual"}
	if got := grantNames(d.Roles); !slices.Equal(got, wantKinds) {
		t.Fatalf("grants after the second login = %q, want %q", got, wantKinds)
	}
	if !reflect.DeepEqual(second.User.Roles, d.Roles) {
		t.Errorf("result grants %+v\nstored %+v", second.User.Roles, d.Roles)
	}
	ed := d.Roles[0]
	if ed.LoginID != second.Login.ID || !ed.GrantedAt.Equal(p.At) || ed.RuleIndex != 1 || ed.Source != "rule 1: groups contains Editors" {
		t.Errorf("editor's provenance was not renewed: %+v", ed)
	}
	man := d.Roles[2]
	if man.GrantedBy != "root" || man.Kind != core.GrantManual || !man.GrantedAt.Equal(t0) || man.LoginID != 0 || man.IdPSlug != "" {
		t.Errorf("manual grant = %+v", man)
	}

	// No rule matches: the default role; manual grants still stay.
	p.At = t0.Add(2 * time.Hour)
	p.Roles = []core.RoleGrant{{Role: "member", Kind: core.GrantDefault, Source: "default role"}}
	third := login(t, db, p)
	if got := grantNames(third.User.Roles); !slices.Equal(got, []string{"member/default", "admin/manual", "auditor/manual"}) {
		t.Errorf("grants after the third login = %q", got)
	}
	if !slices.Equal(third.Removed, []string{"editor", "viewer"}) || !slices.Equal(third.Added, []string{"member"}) {
		t.Errorf("third login: added %q, removed %q", third.Added, third.Removed)
	}
}

func TestApplyLoginKindOfLegacyGrants(t *testing.T) {
	db, _ := openTest(t)
	p := dave("demo", "dave", t0)
	p.Roles = []core.RoleGrant{
		{Role: "a", Source: "rule 1"},
		{Role: "b", Source: "default role"},
		{Role: "c", Kind: core.GrantManual}, // a login pins nothing
	}
	res := login(t, db, p)
	if got := grantNames(res.User.Roles); !slices.Equal(got, []string{"a/rule", "b/default", "c/rule"}) {
		t.Errorf("grants = %q", got)
	}
}

func TestApplyLoginUnchangedAttributesStay(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	p := dave("demo", "dave", t0)
	p.Attributes = core.Attributes{"groups": {"b", "a"}, "empty": {}}
	id := login(t, db, p).User.ID
	for _, attrs := range []core.Attributes{
		{"groups": {"b", "a"}},                  // the same
		{"groups": {"a", "b"}},                  // order changed
		{"groups": {"a", "b"}, "mail": {"x@y"}}, // one more
		{"mail": {"x@y"}},                       // one fewer
		nil,
	} {
		p.At, p.Attributes = p.At.Add(time.Minute), attrs
		login(t, db, p)
		d, err := db.GetUser(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := attrs
		if want == nil {
			want = core.Attributes{}
		}
		if !reflect.DeepEqual(d.Attributes, want) {
			t.Errorf("attributes = %v, want %v", d.Attributes, want)
		}
	}
}

func TestApplyLoginLinkKeepsSearchCurrent(t *testing.T) {
	for _, mode := range []core.SyncMode{core.SyncUpdate, core.SyncCreateOnly} {
		t.Run(string(mode), func(t *testing.T) {
			db, _ := openTest(t)
			ctx := context.Background()
			login(t, db, dave("okta", "00u1", t0))
			p := dave("demo", "dd-4711", t0.Add(time.Hour)) // the same fields: only the key changes
			p.LinkByEmail, p.Sync.Mode = true, mode
			if res := login(t, db, p); !res.Linked {
				t.Fatalf("not linked: %+v", res)
			}
			for search, want := range map[string]int{"dd-4711": 1, "00u1": 0} {
				if us, err := db.ListUsers(ctx, core.UserFilter{Search: search}); err != nil || len(us) != want {
					t.Errorf("search %q: %d accounts, %v; want %d", search, len(us), err, want)
				}
			}
		})
	}
}
