package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

func TestMigrateFromVersion3(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), DBFileName)
	old := createAtVersion(t, path, 3)
	for _, q := range []string{
		`INSERT INTO roles (name) VALUES ('member'), ('admin'), ('sales')`,
		`INSERT INTO users (idp_slug, name_id, username, email, search_text, created_at, last_login_at, login_count)
			VALUES ('demo', 'Alice@Example.com', 'alice', 'Alice@Example.com', 'alice', 1000, 3000, 2)`,
		`INSERT INTO users (idp_slug, name_id, username, email, search_text, created_at, last_login_at, login_count)
			VALUES ('okta', '00u2ÉLO', 'elodie', 'ÉLODIE@corp.example', 'elodie', 1500, 0, 0)`,
		`INSERT INTO user_roles (user_id, position, role, source) VALUES
			(1, 0, 'admin', 'rule 2: groups contains Admins'), (1, 1, 'member', 'default role'), (2, 0, 'sales', 'rule 11: x')`,
		`INSERT INTO events (at, kind, outcome, idp_slug, user_id, message) VALUES (2000, 'user.created', 'accepted', 'demo', 1, 'hi')`,
		`INSERT INTO logins (at, idp_slug, user_id, name_id, outcome, assertion_id, event_id) VALUES
			(2000, 'demo', 1, 'Alice@Example.com', 'accepted', '_a1', 1),
			(3000, 'demo', 1, 'Alice@Example.com', 'accepted', '_a2', 1),
			(3500, 'demo', 1, 'Alice@Example.com', 'refused', '', NULL)`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()

	db := openAt(t, path, &testClock{now: t0})
	ms, _ := migrations()
	if v, err := db.SchemaVersion(ctx); err != nil || v != ms[len(ms)-1].version {
		t.Fatalf("SchemaVersion = %d, %v; want the newest, %d", v, err, ms[len(ms)-1].version)
	}
	d, err := db.GetUser(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []core.RoleGrant{
		{Role: "admin", Kind: core.GrantRule, RuleIndex: 2, Source: "rule 2: groups contains Admins", IdPSlug: "demo", LoginID: 2, GrantedAt: fromNanos(3000)},
		{Role: "member", Kind: core.GrantDefault, Source: "default role", IdPSlug: "demo", LoginID: 2, GrantedAt: fromNanos(3000)},
	}
	if !reflect.DeepEqual(d.Roles, want) {
		t.Errorf("migrated grants = %+v\nwant %+v", d.Roles, want)
	}
	if d.Disabled || d.GivenName != "" || d.Warnings != nil || d.LoginCount != 2 {
		t.Errorf("migrated account = %+v", d.User)
	}
	e, err := db.GetUser(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Roles) != 1 || e.Roles[0].RuleIndex != 11 || e.Roles[0].LoginID != 0 || e.Roles[0].IdPSlug != "okta" {
		t.Errorf("migrated grants of an account that never signed in = %+v", e.Roles)
	}
	// The key columns are filled with the application's folding.
	var nameKey, emailKey string
	if err := db.read.QueryRow(`SELECT name_key, email_key FROM users WHERE id = 2`).Scan(&nameKey, &emailKey); err != nil {
		t.Fatal(err)
	}
	if nameKey != "00u2élo" || emailKey != "élodie@corp.example" {
		t.Errorf("keys = %q, %q", nameKey, emailKey)
	}
	if u, err := db.UserByKey(ctx, "okta", "00U2élo", true); err != nil || u.ID != 2 {
		t.Errorf("UserByKey on a migrated account = %+v, %v", u, err)
	}
	if n := count(t, db, "sqlite_master", "type = 'index' AND name = 'users_identity'"); n != 0 {
		t.Errorf("users_identity is still there")
	}
	// The stale view counts the never-signed-in account by its creation.
	us, err := db.ListUsers(ctx, core.UserFilter{LastLoginBefore: fromNanos(2000)})
	if err != nil || !slices.Equal(usernames(us), []string{"elodie"}) {
		t.Errorf("stale accounts = %q, %v", usernames(us), err)
	}

	// A login finds the migrated account whatever the case, keeps its
	// default grant's kind and renews the grants' provenance.
	p := core.Provision{At: t0, IdPSlug: "demo", NameID: "alice@example.com", CaseInsensitiveKey: true, Username: "alice",
		Roles: []core.RoleGrant{{Role: "member", Kind: core.GrantDefault, Source: "default role"}}}
	res, err := db.ApplyLogin(ctx, p)
	if err != nil || res.Created || res.User.ID != 1 {
		t.Fatalf("login on the migrated database: %+v, %v", res, err)
	}
	if !slices.Equal(res.Removed, []string{"admin"}) || len(res.Added) != 0 ||
		!slices.Equal(grantNames(res.User.Roles), []string{"member/default"}) || res.User.Roles[0].LoginID != res.Login.ID {
		t.Errorf("grants after a login: %+v (added %q, removed %q)", res.User.Roles, res.Added, res.Removed)
	}
}

// lastEvent returns the event written last.
func lastEvent(t *testing.T, db *DB) core.Event {
	t.Helper()
	e, err := scanEvent(db.read.QueryRow(`SELECT ` + eventColumns + ` FROM events ORDER BY id DESC LIMIT 1`))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// wantAudit checks an audit event returned by an admin change: stored as
// returned, of the admin kind, by root, with message and every part of
// detail.
func wantAudit(t *testing.T, db *DB, ev core.Event, message string, detail ...string) {
	t.Helper()
	if ev.ID == 0 {
		t.Fatalf("no audit event returned")
	}
	if stored := lastEvent(t, db); stored != ev {
		t.Errorf("returned event %+v\nstored %+v", ev, stored)
	}
	if ev.Kind != core.EventAdminChange || ev.Outcome != core.OutcomeInfo || ev.Subject != "root" || !ev.At.Equal(t0) {
		t.Errorf("audit event = %+v", ev)
	}
	if ev.Message != message {
		t.Errorf("message = %q, want %q", ev.Message, message)
	}
	for _, d := range detail {
		if !strings.Contains(ev.Detail, d) {
			t.Errorf("detail lacks %q:\n%s", d, ev.Detail)
		}
	}
}

func TestSetUsersDisabled(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	ids := seedPeople(t, db)

	n, ev, err := db.SetUsersDisabled(ctx, []int64{ids["alice"]}, true, "root")
	if err != nil || n != 1 {
		t.Fatalf("SetUsersDisabled = %d, %v", n, err)
	}
	wantAudit(t, db, ev, "Alice Anderson disabled by root", "disabled: false → true")
	if ev.UserID != ids["alice"] || ev.IdPSlug != "demo" {
		t.Errorf("event = %+v", ev)
	}
	if d, _ := db.GetUser(ctx, ids["alice"]); !d.Disabled {
		t.Errorf("alice is not disabled")
	}

	// Several, one of them already disabled, one unknown, one repeated.
	n, ev, err = db.SetUsersDisabled(ctx, []int64{ids["alice"], ids["bob"], ids["elodie"], 999, ids["bob"]}, true, "root")
	if err != nil || n != 2 {
		t.Fatalf("SetUsersDisabled = %d, %v; want 2", n, err)
	}
	wantAudit(t, db, ev, "2 accounts disabled by root", "disabled: false → true", "Bob Brown (bob@example.com at demo)",
		"Élodie Dupont (00u2ÉLO at okta)")
	if strings.Contains(ev.Detail, "Alice") {
		t.Errorf("the detail names an account that did not change:\n%s", ev.Detail)
	}

	// Nothing changes: no event.
	before := count(t, db, "events", "")
	if n, ev, err := db.SetUsersDisabled(ctx, []int64{ids["alice"]}, true, "root"); err != nil || n != 0 || ev.ID != 0 {
		t.Errorf("a no-op = %d, %+v, %v", n, ev, err)
	}
	if n, _, err := db.SetUsersDisabled(ctx, nil, true, "root"); err != nil || n != 0 {
		t.Errorf("no IDs = %d, %v", n, err)
	}
	if after := count(t, db, "events", ""); after != before {
		t.Errorf("a no-op wrote %d events", after-before)
	}

	n, ev, err = db.SetUsersDisabled(ctx, []int64{ids["alice"]}, false, "root")
	if err != nil || n != 1 {
		t.Fatalf("enable = %d, %v", n, err)
	}
	wantAudit(t, db, ev, "Alice Anderson enabled by root", "disabled: true → false")
	// An enabled account signs in again.
	if _, err := db.ApplyLogin(ctx, core.Provision{IdPSlug: "demo", NameID: "alice@example.com"}); err != nil {
		t.Errorf("login after enabling: %v", err)
	}
}

func TestDeleteUser(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	first := login(t, db, alice(t0))
	_, err := db.DeleteUser(ctx, 999, "root")
	wantCode(t, err, core.ENOTFOUND)

	ev, err := db.DeleteUser(ctx, first.User.ID, "root")
	if err != nil {
		t.Fatal(err)
	}
	wantAudit(t, db, ev, "Alice Anderson deleted by root",
		`account: alice@example.com at demo (username "alice", email "alice@example.com", 1 logins) → deleted`,
		"roles: admin, engineering → (none)")
	if ev.UserID != 0 || ev.IdPSlug != "demo" {
		t.Errorf("event = %+v", ev)
	}
	_, err = db.GetUser(ctx, first.User.ID)
	wantCode(t, err, core.ENOTFOUND)
	for _, table := range []string{"users", "user_roles", "user_attributes"} {
		if n := count(t, db, table, ""); n != 0 {
			t.Errorf("%s has %d rows after the delete", table, n)
		}
	}
	if n := count(t, db, "logins", "user_id IS NULL"); n != 1 {
		t.Errorf("the login row went with the account")
	}
	if us, _ := db.ListUsers(ctx, core.UserFilter{Search: "alice"}); len(us) != 0 {
		t.Errorf("search still finds the deleted account")
	}
	// The next login makes a new account.
	if res := login(t, db, alice(t0.Add(time.Hour))); !res.Created || res.User.LoginCount != 1 {
		t.Errorf("login after the delete: %+v", res)
	}
}

func TestGrantAndRevokeRole(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	res := login(t, db, alice(t0)) // admin and engineering by rules
	id := res.User.ID

	_, err := db.GrantRole(ctx, id, "editor", "root")
	wantCode(t, err, core.ENOTFOUND) // not in the catalogue
	if _, err := db.SaveRole(ctx, "editor", "Edits things", "root"); err != nil {
		t.Fatal(err)
	}
	_, err = db.GrantRole(ctx, 999, "editor", "root")
	wantCode(t, err, core.ENOTFOUND)

	ev, err := db.GrantRole(ctx, id, "editor", "root")
	if err != nil {
		t.Fatal(err)
	}
	wantAudit(t, db, ev, "Role editor granted to Alice Anderson by root",
		"roles: admin, engineering → admin, engineering, editor (manual)")
	_, err = db.GrantRole(ctx, id, "editor", "root")
	wantCode(t, err, core.ECONFLICT)

	// admin is held by a rule: a manual grant of it is a second fact.
	if _, err = db.GrantRole(ctx, id, "admin", "root"); err != nil {
		t.Fatal(err)
	}
	d, _ := db.GetUser(ctx, id)
	if got := grantNames(d.Roles); !slices.Equal(got, []string{"admin/rule", "engineering/rule", "admin/manual", "editor/manual"}) {
		t.Errorf("grants = %q", got)
	}
	g := d.Roles[3]
	if g.GrantedBy != "root" || !g.GrantedAt.Equal(t0) || g.Source != "manual by root" {
		t.Errorf("manual grant = %+v", g)
	}

	_, err = db.RevokeRole(ctx, id, "engineering", "root")
	wantCode(t, err, core.ENOTFOUND)
	if msg := core.ErrorMessage(err); !strings.Contains(msg, "rule 2: groups contains Engineering") {
		t.Errorf("message = %q", msg)
	}
	_, err = db.RevokeRole(ctx, id, "nothing", "root")
	wantCode(t, err, core.ENOTFOUND)

	ev, err = db.RevokeRole(ctx, id, "admin", "root")
	if err != nil {
		t.Fatal(err)
	}
	wantAudit(t, db, ev, "Manual grant of admin revoked from Alice Anderson by root",
		"roles: admin, engineering, admin (manual), editor (manual) → admin, engineering, editor (manual)")
	if ev.UserID != id {
		t.Errorf("event = %+v", ev)
	}
	d, _ = db.GetUser(ctx, id)
	if got := grantNames(d.Roles); !slices.Equal(got, []string{"admin/rule", "engineering/rule", "editor/manual"}) {
		t.Errorf("grants after revoking = %q", got)
	}
}

func TestRoleCatalogue(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	ids := seedPeople(t, db) // admin: alice, elodie; sales: elodie

	ev, err := db.SaveRole(ctx, " editor ", "Edits", "root")
	if err != nil {
		t.Fatal(err)
	}
	wantAudit(t, db, ev, "Role editor created by root", `description: "Edits"`)
	ev, err = db.SaveRole(ctx, "editor", "Edits pages", "root")
	if err != nil {
		t.Fatal(err)
	}
	wantAudit(t, db, ev, "Role editor changed by root", `description: "Edits" → "Edits pages"`)
	if ev, err := db.SaveRole(ctx, "editor", "Edits pages", "root"); err != nil || ev.ID != 0 {
		t.Errorf("saving the same = %+v, %v", ev, err)
	}
	_, err = db.SaveRole(ctx, "  ", "", "root")
	wantCode(t, err, core.EINVALID)
	if _, err := db.GrantRole(ctx, ids["bob"], "admin", "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GrantRole(ctx, ids["alice"], "admin", "root"); err != nil { // a second grant: one holder
		t.Fatal(err)
	}

	roles, err := db.ListRoles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []core.RoleInfo{{Name: "admin", Holders: 3}, {Name: "editor", Description: "Edits pages"}, {Name: "sales", Holders: 1}}
	if !slices.Equal(roles, want) {
		t.Errorf("ListRoles = %+v, want %+v", roles, want)
	}

	// Rename carries the holders, rule and manual grants alike.
	_, err = db.RenameRole(ctx, "admin", "sales", "root", nil)
	wantCode(t, err, core.ECONFLICT)
	_, err = db.RenameRole(ctx, "nobody", "x", "root", nil)
	wantCode(t, err, core.ENOTFOUND)
	_, err = db.RenameRole(ctx, "admin", " ", "root", nil)
	wantCode(t, err, core.EINVALID)
	ev, err = db.RenameRole(ctx, "admin", "administrator", "root", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantAudit(t, db, ev, "Role admin renamed to administrator by root", "name: admin → administrator (held by 3 accounts)")
	d, _ := db.GetUser(ctx, ids["alice"])
	if got := grantNames(d.Roles); !slices.Equal(got, []string{"administrator/rule", "administrator/manual"}) {
		t.Errorf("alice's grants after the rename = %q", got)
	}
	if us, _ := db.ListUsers(ctx, core.UserFilter{Role: "administrator"}); len(us) != 3 {
		t.Errorf("%d holders of administrator listed, want 3", len(us))
	}
	if n := count(t, db, "user_roles", "role = 'admin'"); n != 0 {
		t.Errorf("%d grants of the old name", n)
	}

	// Delete refuses a held role.
	_, err = db.DeleteRole(ctx, "administrator", "root")
	wantCode(t, err, core.ECONFLICT)
	if msg := core.ErrorMessage(err); msg != "3 accounts hold administrator." {
		t.Errorf("message = %q", msg)
	}
	_, err = db.DeleteRole(ctx, "sales", "root")
	if msg := core.ErrorMessage(err); msg != "1 account holds sales." {
		t.Errorf("message = %q", msg)
	}
	_, err = db.DeleteRole(ctx, "nobody", "root")
	wantCode(t, err, core.ENOTFOUND)
	ev, err = db.DeleteRole(ctx, "editor", "root")
	if err != nil {
		t.Fatal(err)
	}
	wantAudit(t, db, ev, "Role editor deleted by root", `role: editor (description "Edits pages") → (none)`)
	roles, _ = db.ListRoles(ctx)
	if len(roles) != 2 || roles[0].Name != "administrator" || roles[1].Name != "sales" {
		t.Errorf("roles after the delete = %+v", roles)
	}
}

// seedSnapshots inserts n accounts straight through SQL: every third from
// okta, the others from demo; attributes groups (All, and Admins for odd
// i) and mail; grants member (default) for all, admin (rule r-admins of
// the account's IdP) for odd i and a manual auditor for every tenth.
func seedSnapshots(tb testing.TB, db *DB, n int) {
	tb.Helper()
	_, err := db.write.Exec(`
		INSERT INTO roles (name) VALUES ('member'), ('admin'), ('auditor');
		WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1)
		INSERT INTO users (id, idp_slug, name_id, name_key, username, email, email_key, search_text,
			created_at, last_login_at, login_count)
		SELECT i, CASE WHEN i % 3 = 0 THEN 'okta' ELSE 'demo' END, 'user' || i, 'user' || i, 'u' || i,
			'user' || i || '@example.com', 'user' || i || '@example.com', 'u' || i, ?2 + i, ?2 + i, 1
		FROM seq;
		INSERT INTO user_attributes (user_id, name, position, value)
			SELECT id, 'groups', 0, 'All' FROM users
			UNION ALL SELECT id, 'groups', 1, 'Admins' FROM users WHERE id % 2 = 1
			UNION ALL SELECT id, 'mail', 0, email FROM users;
		INSERT INTO user_roles (user_id, role, kind, position, source, rule_id, rule_index, idp_slug, login_id, granted_at)
			SELECT id, 'admin', 'rule', 0, 'rule 1', 'r-admins', 1, idp_slug, id, ?2 FROM users WHERE id % 2 = 1
			UNION ALL SELECT id, 'member', 'default', 1, 'default role', '', 0, idp_slug, id, ?2 FROM users;
		INSERT INTO user_roles (user_id, role, kind, granted_by, granted_at)
			SELECT id, 'auditor', 'manual', 'root', ?2 FROM users WHERE id % 10 = 0;`,
		n, t0.UnixNano())
	if err != nil {
		tb.Fatal(err)
	}
}

// wantSnapshot is the snapshot seedSnapshots makes of account i.
func wantSnapshot(i int64) core.UserSnapshot {
	idp := "demo"
	if i%3 == 0 {
		idp = "okta"
	}
	s := core.UserSnapshot{
		UserID: i, NameID: fmt.Sprint("user", i), Username: fmt.Sprint("u", i),
		Attributes: core.Attributes{"groups": {"All"}, "mail": {fmt.Sprintf("user%d@example.com", i)}},
	}
	if i%2 == 1 {
		s.Attributes["groups"] = append(s.Attributes["groups"], "Admins")
		s.Roles = append(s.Roles, core.RoleGrant{Role: "admin", Kind: core.GrantRule, Source: "rule 1", RuleID: "r-admins",
			RuleIndex: 1, IdPSlug: idp, LoginID: i, GrantedAt: t0})
	}
	s.Roles = append(s.Roles, core.RoleGrant{Role: "member", Kind: core.GrantDefault, Source: "default role",
		IdPSlug: idp, LoginID: i, GrantedAt: t0})
	return s
}

func TestForEachUser(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	const n = 2500 // three batches of 1000
	seedSnapshots(t, db, n)
	batches := 0
	db.testHook = func(step string) error {
		if step == "batch" {
			batches++
		}
		return nil
	}

	for _, tt := range []struct {
		idp     string
		want    int
		batches int
	}{
		{"", n, 3},
		{"okta", n / 3, 1},
		{"demo", n - n/3, 2},
		{"adfs", 0, 1},
	} {
		batches = 0
		var got []core.UserSnapshot
		err := db.ForEachUser(ctx, tt.idp, func(s core.UserSnapshot) error {
			got = append(got, s)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.want || batches != tt.batches {
			t.Errorf("ForEachUser(%q): %d accounts in %d batches, want %d in %d", tt.idp, len(got), batches, tt.want, tt.batches)
		}
		for i, s := range got {
			if i > 0 && s.UserID <= got[i-1].UserID {
				t.Fatalf("ForEachUser(%q): account %d after %d: not in ID order", tt.idp, s.UserID, got[i-1].UserID)
			}
			if w := wantSnapshot(s.UserID); !reflect.DeepEqual(s, w) {
				t.Fatalf("ForEachUser(%q): snapshot %+v\nwant %+v", tt.idp, s, w)
			}
		}
	}

	// fn's error stops the walk and comes back as is.
	stop := errors.New("stop")
	seen := 0
	err := db.ForEachUser(ctx, "", func(s core.UserSnapshot) error {
		if seen++; seen == 1500 {
			return stop
		}
		return nil
	})
	if err != stop || seen != 1500 {
		t.Errorf("ForEachUser with a failing fn = %v after %d accounts", err, seen)
	}

	// fn may write: the batch's reads are over when it runs.
	db.testHook = nil
	err = db.ForEachUser(ctx, "okta", func(s core.UserSnapshot) error {
		_, err := db.ReplaceRuleRoles(ctx, []core.RoleChange{{UserID: s.UserID}}, core.Event{Message: "test"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if k := count(t, db, "user_roles r JOIN users u ON u.id = r.user_id", "u.idp_slug = 'okta' AND r.kind <> 'manual'"); k != 0 {
		t.Errorf("%d okta rule grants left", k)
	}
}

func TestForEachUserCanceled(t *testing.T) {
	db, _ := openTest(t)
	seedSnapshots(t, db, 1500)
	ctx, cancel := context.WithCancel(context.Background())
	err := db.ForEachUser(ctx, "", func(s core.UserSnapshot) error {
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("ForEachUser after a cancel = %v", err)
	}
}

// BenchmarkForEachUser10k walks 10,000 accounts (two attributes, one or
// two rule grants each): the reads of an impact preview.
func BenchmarkForEachUser10k(b *testing.B) { benchForEachUser(b, 10_000) }

// BenchmarkForEachUser100k walks 100,000 accounts: the reads of an impact
// preview over 100,000 (core's BenchmarkImpactPreview100k is these reads
// plus the evaluation of the mapping).
func BenchmarkForEachUser100k(b *testing.B) { benchForEachUser(b, 100_000) }

// benchForEachUser walks n seeded accounts with ForEachUser.
func benchForEachUser(b *testing.B, accounts int) {
	db, _ := openTest(b)
	seedSnapshots(b, db, accounts)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := db.ForEachUser(ctx, "", func(core.UserSnapshot) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != accounts {
			b.Fatalf("%d accounts, want %d", n, accounts)
		}
	}
}

// BenchmarkReplaceRuleRoles10k measures "apply now" changing the rule
// grants of 10,000 accounts in one transaction (the writer is held that
// long: logins wait).
func BenchmarkReplaceRuleRoles10k(b *testing.B) {
	db, _ := openTest(b)
	seedSnapshots(b, db, 10_000)
	ctx := context.Background()
	sets := [2][]core.RoleGrant{
		{{Role: "editor", Kind: core.GrantRule, RuleID: "r-ed", RuleIndex: 1, Source: "rule 1"}},
		{{Role: "member", Kind: core.GrantDefault, Source: "default role"}},
	}
	i := 0
	for b.Loop() {
		changes := make([]core.RoleChange, 10_000)
		for j := range changes {
			changes[j] = core.RoleChange{UserID: int64(j + 1), Roles: sets[i%2]}
		}
		if _, err := db.ReplaceRuleRoles(ctx, changes, core.Event{Message: "apply now"}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func TestReplaceRuleRoles(t *testing.T) {
	db, clock := openTest(t)
	ctx := context.Background()
	ids := seedPeople(t, db) // alice: admin (rule); elodie: sales, admin (rules)
	if _, err := db.SaveRole(ctx, "auditor", "", "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GrantRole(ctx, ids["alice"], "auditor", "root"); err != nil {
		t.Fatal(err)
	}
	deleted := login(t, db, core.Provision{IdPSlug: "demo", NameID: "gone"}).User.ID
	if _, err := db.DeleteUser(ctx, deleted, "root"); err != nil {
		t.Fatal(err)
	}
	clock.Set(t0.Add(time.Hour))

	changes := []core.RoleChange{
		{UserID: ids["alice"], Roles: []core.RoleGrant{
			{Role: "editor", Kind: core.GrantRule, RuleID: "r-ed", RuleIndex: 3, Source: "rule 3: groups contains Editors"},
			{Role: "editor", Kind: core.GrantRule, RuleID: "r-other"}, // repeated: dropped
		}},
		{UserID: ids["elodie"], Roles: []core.RoleGrant{{Role: "sales", Kind: core.GrantRule, RuleID: "r-sales", Source: "rule 2"},
			{Role: "admin", Kind: core.GrantRule, Source: "rule 1"}}},
		{UserID: ids["bob"], Roles: []core.RoleGrant{{Role: "member", Kind: core.GrantDefault, Source: "default role"}}},
		{UserID: deleted, Roles: []core.RoleGrant{{Role: "admin"}}},
	}
	ev, err := db.ReplaceRuleRoles(ctx, changes, core.Event{Subject: "root", IdPSlug: "demo", Message: "Rules applied now by root",
		Detail: "rules of demo re-evaluated"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.ID == 0 || ev.Kind != core.EventAdminChange || ev.Outcome != core.OutcomeInfo || !ev.At.Equal(t0.Add(time.Hour)) ||
		ev.Detail != "rules of demo re-evaluated\nalice: +editor −admin\nbob: +member" {
		t.Errorf("audit = %+v", ev)
	}
	if stored := lastEvent(t, db); stored != ev {
		t.Errorf("stored %+v\nreturned %+v", stored, ev)
	}
	a, _ := db.GetUser(ctx, ids["alice"])
	if got := grantNames(a.Roles); !slices.Equal(got, []string{"editor/rule", "auditor/manual"}) {
		t.Errorf("alice's grants = %q (the manual grant must stay)", got)
	}
	if g := a.Roles[0]; g.RuleID != "r-ed" || g.RuleIndex != 3 || g.IdPSlug != "demo" || g.LoginID != 0 || !g.GrantedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("new grant's provenance = %+v", g)
	}
	e, _ := db.GetUser(ctx, ids["elodie"])
	if got := grantNames(e.Roles); !slices.Equal(got, []string{"sales/rule", "admin/rule"}) || e.Roles[0].IdPSlug != "okta" {
		t.Errorf("elodie's grants = %+v", e.Roles)
	}
	if n := count(t, db, "roles", "name IN ('editor', 'member')"); n != 2 {
		t.Errorf("new roles are not in the catalogue")
	}
	if n := count(t, db, "users", "id = ?", deleted); n != 0 {
		t.Errorf("a deleted account came back")
	}

	// Nothing to change: the audit still says what was done.
	ev, err = db.ReplaceRuleRoles(ctx, nil, core.Event{Subject: "root", Message: "Rules applied now by root"})
	if err != nil || ev.Detail != "no account's roles changed" {
		t.Errorf("empty ReplaceRuleRoles = %+v, %v", ev, err)
	}
}

// TestSaveIdPAuditedRevokes: saving an IdP with rules to revoke removes
// exactly those rules' grants and writes one audit event, in one
// transaction: a bad revocation leaves the IdP and every grant as it was.
func TestSaveIdPAuditedRevokes(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	seedSnapshots(t, db, 30) // odd IDs hold admin by r-admins of their IdP
	if _, err := db.GrantRole(ctx, 1, "admin", "root"); err != nil {
		t.Fatal(err)
	}
	idp, err := db.SaveIdP(ctx, core.IdP{Slug: "demo", DisplayName: "Demo", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}

	renamed := idp
	renamed.DisplayName = "Renamed"
	_, _, _, err = db.SaveIdPAudited(ctx, renamed, []string{"r-admins", ""}, core.Event{Subject: "root", Message: "x"})
	wantCode(t, err, core.EINVALID)
	if got, _ := db.GetIdP(ctx, "demo"); got.DisplayName != "Demo" {
		t.Errorf("a failed save changed the IdP: %q", got.DisplayName)
	}
	if k := count(t, db, "user_roles", "role = 'admin' AND kind = 'rule'"); k != 15 {
		t.Errorf("a failed save revoked grants: %d admin rule grants left, want 15", k)
	}
	if k := count(t, db, "events", "kind = ?", core.EventAdminChange); k != 1 {
		t.Errorf("%d admin events after a failed save, want the manual grant's only", k)
	}

	saved, n, ev, err := db.SaveIdPAudited(ctx, renamed, []string{"r-admins"},
		core.Event{Subject: "root", Message: "Mapping rules of demo changed by root", Detail: "before → after"})
	if err != nil {
		t.Fatal(err)
	}
	if saved.DisplayName != "Renamed" {
		t.Errorf("saved IdP = %+v", saved)
	}
	// Odd IDs 1..29: 15, of which 3, 9, 15, 21, 27 are okta's.
	if n != 10 {
		t.Errorf("revoked %d grants, want 10", n)
	}
	if ev.ID == 0 || ev.IdPSlug != "demo" || ev.Kind != core.EventAdminChange ||
		ev.Detail != "before → after\nrevoked: 10 grants of rule r-admins (admin: 10 accounts)" {
		t.Errorf("audit = %+v", ev)
	}
	if k := count(t, db, "user_roles", "role = 'admin' AND kind = 'rule'"); k != 5 {
		t.Errorf("%d admin rule grants left, want okta's 5", k)
	}
	if k := count(t, db, "user_roles", "role = 'admin' AND kind = 'manual'"); k != 1 {
		t.Errorf("the manual grant went")
	}
	if k := count(t, db, "user_roles", "role = 'member'"); k != 30 {
		t.Errorf("default grants went: %d left", k)
	}
	if _, n, _, err := db.SaveIdPAudited(ctx, saved, []string{"r-admins"}, core.Event{}); err != nil || n != 0 {
		t.Errorf("again = %d, %v", n, err)
	}
}

func TestListUsersFilters(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	ids := seedPeople(t, db) // alice 15:30, bob 15:31, elodie 15:32, carol 15:33 (creation = last login)
	login(t, db, core.Provision{At: t0.Add(time.Hour), IdPSlug: "demo", NameID: "bob@example.com", Username: "bob",
		Email: "bob@example.com", DisplayName: "Bob Brown", Warnings: []string{"transient NameID"}})
	if _, _, err := db.SetUsersDisabled(ctx, []int64{ids["elodie"], ids["carol_50%"]}, true, "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveRole(ctx, "auditor", "", "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GrantRole(ctx, ids["carol_50%"], "auditor", "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GrantRole(ctx, ids["carol_50%"], "admin", "root"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    core.UserFilter
		want []string
	}{
		{"role held by rules", core.UserFilter{Role: "sales"}, []string{"elodie"}},
		{"role of any kind", core.UserFilter{Role: "admin"}, []string{"carol_50%", "elodie", "alice"}},
		{"manual role", core.UserFilter{Role: "auditor"}, []string{"carol_50%"}},
		{"unknown role", core.UserFilter{Role: "nobody"}, nil},
		{"active", core.UserFilter{Status: core.UserActive}, []string{"bob", "alice"}},
		{"disabled", core.UserFilter{Status: core.UserDisabled}, []string{"carol_50%", "elodie"}},
		{"with warnings", core.UserFilter{WithWarnings: true}, []string{"bob"}},
		{"stale", core.UserFilter{LastLoginBefore: t0.Add(150 * time.Second)}, []string{"elodie", "alice"}},
		{"stale is before, not at", core.UserFilter{LastLoginBefore: t0}, nil},
		{"nothing stale", core.UserFilter{LastLoginBefore: t0.Add(-time.Hour)}, nil},
		{"stale and disabled", core.UserFilter{LastLoginBefore: t0.Add(5 * time.Minute), Status: core.UserDisabled},
			[]string{"carol_50%", "elodie"}},
		{"role, IdP and status", core.UserFilter{Role: "admin", IdPSlug: "okta", Status: core.UserDisabled}, []string{"carol_50%", "elodie"}},
		{"role and search", core.UserFilter{Role: "admin", Search: "ali"}, []string{"alice"}},
		{"role with limit", core.UserFilter{Role: "admin", Limit: 1, Offset: 1}, []string{"elodie"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ListUsers(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if names := usernames(got); !slices.Equal(names, tt.want) {
				t.Errorf("ListUsers(%+v) = %q, want %q", tt.f, names, tt.want)
			}
		})
	}
	_, err := db.ListUsers(ctx, core.UserFilter{Status: "asleep"})
	wantCode(t, err, core.EINVALID)

	us, _ := db.ListUsers(ctx, core.UserFilter{Search: "carol"})
	if len(us) != 1 || !us[0].Disabled || len(us[0].Roles) != 2 || us[0].Roles[0].Kind != core.GrantManual {
		t.Errorf("carol = %+v", us)
	}
}

func TestListEvents(t *testing.T) {
	db, clock := openTest(t)
	ctx := context.Background()
	add := func(at time.Duration, kind core.EventKind, idp string) core.Event {
		e, err := db.AppendEvent(ctx, core.Event{At: t0.Add(at), Kind: kind, IdPSlug: idp, Message: string(kind)})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e1 := add(0, core.EventUserCreated, "demo")
	e2 := add(time.Second, core.EventAdminChange, "")
	e3 := add(2*time.Second, core.EventLoginRefused, "okta")
	e4 := add(3*time.Second, core.EventAdminChange, "demo")
	clock.Set(t0.Add(time.Minute))
	if _, err := db.SaveRole(ctx, "x", "", "root"); err != nil {
		t.Fatal(err)
	}
	e5 := lastEvent(t, db)

	ids := func(es []core.Event) []int64 {
		var out []int64
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		f    core.EventFilter
		want []core.Event
	}{
		{"all, newest first", core.EventFilter{}, []core.Event{e5, e4, e3, e2, e1}},
		{"the audit log", core.EventFilter{Kinds: []core.EventKind{core.EventAdminChange}}, []core.Event{e5, e4, e2}},
		{"two kinds", core.EventFilter{Kinds: []core.EventKind{core.EventUserCreated, core.EventLoginRefused}}, []core.Event{e3, e1}},
		{"IdP", core.EventFilter{IdPSlug: "demo"}, []core.Event{e4, e1}},
		{"kind and IdP", core.EventFilter{Kinds: []core.EventKind{core.EventAdminChange}, IdPSlug: "demo"}, []core.Event{e4}},
		{"since is included", core.EventFilter{Since: t0.Add(2 * time.Second)}, []core.Event{e5, e4, e3}},
		{"limit", core.EventFilter{Limit: 2}, []core.Event{e5, e4}},
		{"a quote in a kind", core.EventFilter{Kinds: []core.EventKind{"x' OR '1'='1"}}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ListEvents(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ListEvents(%+v) = %v, want %v", tt.f, ids(got), ids(tt.want))
			}
		})
	}

	// The audit log is read from its own index, whichever of its kinds
	// are asked for.
	for _, kinds := range [][]core.EventKind{
		{core.EventAdminChange},
		{core.EventIdPRemoved},
		{core.EventAdminChange, core.EventIdPRegistered, core.EventIdPRemoved},
		{core.EventIdPRemoved, core.EventAdminChange},
	} {
		q, args := eventsQuery(core.EventFilter{Kinds: kinds, IdPSlug: "demo", Limit: 100})
		if plan := queryPlan(t, db, q, args...); !strings.Contains(plan, "USING INDEX events_audit") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("audit log plan for %q: %s", kinds, plan)
		}
	}
	audit := core.EventFilter{Kinds: []core.EventKind{core.EventIdPRegistered, core.EventAdminChange}}
	if got, err := db.ListEvents(ctx, audit); err != nil || !slices.Equal(got, []core.Event{e5, e4, e2}) {
		t.Errorf("ListEvents(%+v) = %v, %v", audit, ids(got), err)
	}
}

// queryPlan is SQLite's plan for q, one step a line.
func queryPlan(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.read.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}

func TestLoginQueryPlans(t *testing.T) {
	db, _ := openTest(t)
	for _, tt := range []struct {
		q     string
		args  []any
		index string
	}{
		{qFindUser, []any{"demo", "a", "A"}, "users_key"},
		{qFindUserNoCase, []any{"demo", "a", "A"}, "users_key"},
		{qCaseTwin, []any{"demo", "a", "A"}, "COVERING INDEX users_key"},
		{qEmailElsewhere, []any{"a@b", "demo"}, "users_email_key (email_key=? AND idp_slug>?)"},
		{qFindUserByEmail, []any{"a@b", "demo"}, "users_email_key (email_key=? AND idp_slug<?)"},
	} {
		if plan := queryPlan(t, db, tt.q, tt.args...); !strings.Contains(plan, tt.index) || strings.Contains(plan, "SCAN") {
			t.Errorf("%s\nplan: %s", tt.q, plan)
		}
	}
}
