package storage

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// seedPeople provisions a few accounts, one a minute from t0, in this order.
func seedPeople(t *testing.T, db *DB) map[string]int64 {
	t.Helper()
	people := []core.Provision{
		{IdPSlug: "demo", NameID: "alice@example.com", Username: "alice", Email: "alice@example.com", DisplayName: "Alice Anderson",
			Roles: []core.RoleGrant{{Role: "admin", Source: "rule 1"}}},
		{IdPSlug: "demo", NameID: "bob@example.com", Username: "bob", Email: "bob@example.com", DisplayName: "Bob Brown"},
		{IdPSlug: "okta", NameID: "00u2ÉLO", Username: "elodie", Email: "e.dupont@corp.example", DisplayName: "Élodie Dupont",
			Roles: []core.RoleGrant{{Role: "sales", Source: "rule 2"}, {Role: "admin", Source: "rule 1"}}},
		{IdPSlug: "okta", NameID: "00u3", Username: "carol_50%", Email: "carol@corp.example", DisplayName: "Carol Chen"},
	}
	ids := map[string]int64{}
	for i, p := range people {
		p.At = t0.Add(time.Duration(i) * time.Minute)
		res, err := db.ApplyLogin(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		ids[p.Username] = res.User.ID
	}
	return ids
}

func usernames(us []core.User) []string {
	var names []string
	for _, u := range us {
		names = append(names, u.Username)
	}
	return names
}

func TestListUsers(t *testing.T) {
	db, _ := openTest(t)
	seedPeople(t, db)
	tests := []struct {
		name string
		f    core.UserFilter
		want []string
	}{
		{"all, newest first", core.UserFilter{}, []string{"carol_50%", "elodie", "bob", "alice"}},
		{"by IdP", core.UserFilter{IdPSlug: "demo"}, []string{"bob", "alice"}},
		{"unknown IdP", core.UserFilter{IdPSlug: "adfs"}, nil},
		{"username substring", core.UserFilter{Search: "lic"}, []string{"alice"}},
		{"case-insensitive", core.UserFilter{Search: "ALICE"}, []string{"alice"}},
		{"display name", core.UserFilter{Search: "brown"}, []string{"bob"}},
		{"email domain", core.UserFilter{Search: "@corp.example"}, []string{"carol_50%", "elodie"}},
		{"NameID", core.UserFilter{Search: "00u3"}, []string{"carol_50%"}},
		{"non-ASCII, case-insensitive", core.UserFilter{Search: "élodie"}, []string{"elodie"}},
		{"non-ASCII NameID", core.UserFilter{Search: "u2élo"}, []string{"elodie"}},
		{"LIKE wildcards are literal", core.UserFilter{Search: "%"}, []string{"carol_50%"}},
		{"underscore is literal", core.UserFilter{Search: "_"}, []string{"carol_50%"}},
		{"search and IdP", core.UserFilter{Search: "example", IdPSlug: "okta"}, []string{"carol_50%", "elodie"}},
		{"surrounding space ignored", core.UserFilter{Search: "  bob "}, []string{"bob"}},
		{"no match", core.UserFilter{Search: "zed"}, nil},
		{"quotes are literal", core.UserFilter{Search: `"alice"`}, nil},
		{"FTS syntax is literal", core.UserFilter{Search: "ali* OR bob"}, nil},
		{"two characters", core.UserFilter{Search: "ob"}, []string{"bob"}},
		{"limit", core.UserFilter{Limit: 2}, []string{"carol_50%", "elodie"}},
		{"limit and offset", core.UserFilter{Limit: 2, Offset: 2}, []string{"bob", "alice"}},
		{"offset past the end", core.UserFilter{Limit: 2, Offset: 10}, nil},
		{"offset without limit", core.UserFilter{Offset: 3}, []string{"alice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ListUsers(context.Background(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if names := usernames(got); !slices.Equal(names, tt.want) {
				t.Errorf("ListUsers(%+v) = %q, want %q", tt.f, names, tt.want)
			}
		})
	}
}

func TestListUsersIncludesRoles(t *testing.T) {
	db, _ := openTest(t)
	seedPeople(t, db)
	us, err := db.ListUsers(context.Background(), core.UserFilter{Search: "elodie"})
	if err != nil || len(us) != 1 {
		t.Fatalf("ListUsers = %v, %v", us, err)
	}
	u := us[0]
	at := t0.Add(2 * time.Minute)
	want := []core.RoleGrant{
		{Role: "sales", Source: "rule 2", Kind: core.GrantRule, IdPSlug: "okta", LoginID: 3, GrantedAt: at},
		{Role: "admin", Source: "rule 1", Kind: core.GrantRule, IdPSlug: "okta", LoginID: 3, GrantedAt: at},
	}
	if !slices.Equal(u.Roles, want) {
		t.Errorf("roles = %+v, want %+v (in grant order)", u.Roles, want)
	}
	if u.IdPSlug != "okta" || u.NameID != "00u2ÉLO" || u.DisplayName != "Élodie Dupont" || u.LoginCount != 1 ||
		!u.CreatedAt.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("user = %+v", u)
	}
}

func TestGetUser(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	_, err := db.GetUser(ctx, 42)
	wantCode(t, err, core.ENOTFOUND)

	var id int64
	for i := range 105 {
		p := alice(t0.Add(time.Duration(i) * time.Second))
		p.AssertionID = fmt.Sprintf("_a%d", i)
		res, err := db.ApplyLogin(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		id = res.User.ID
	}
	// A refusal for the same NameID is not the account's login.
	if _, _, err := db.RecordRefusal(ctx, core.Refusal{At: t0.Add(time.Hour), IdPSlug: "demo", NameID: "alice@example.com", Class: "replayed"}); err != nil {
		t.Fatal(err)
	}
	d, err := db.GetUser(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.LoginCount != 105 || len(d.Logins) != 100 {
		t.Fatalf("login count %d, %d logins returned; want 105 and 100", d.LoginCount, len(d.Logins))
	}
	if d.Logins[0].AssertionID != "_a104" || d.Logins[99].AssertionID != "_a5" {
		t.Errorf("logins are not the newest first: %s … %s", d.Logins[0].AssertionID, d.Logins[99].AssertionID)
	}
	if got := d.Attributes["groups"]; !slices.Equal(got, []string{"Engineering", "Admins", "All Staff"}) {
		t.Errorf("groups = %q", got)
	}
}

func TestStats(t *testing.T) {
	db, clock := openTest(t)
	ctx := context.Background()
	// now is 2025-03-04 15:30 UTC. Bob was created yesterday, Alice today,
	// Carol's login is in the future of now and must not count.
	now := t0
	logins := []struct {
		who string
		at  time.Time
	}{
		{"bob", now.Add(-30 * time.Hour)}, // created yesterday, outside 24 h
		{"bob", now.Add(-20 * time.Hour)}, // yesterday, inside 24 h
		{"alice", now.Add(-10 * time.Hour)},
		{"alice", now.Add(-time.Minute)},
		{"carol", now.Add(time.Minute)},
	}
	for _, l := range logins {
		p := alice(l.at)
		p.NameID, p.Username = l.who, l.who
		if _, err := db.ApplyLogin(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []time.Time{now.Add(-25 * time.Hour), now.Add(-2 * time.Hour), now} {
		if _, _, err := db.RecordRefusal(ctx, core.Refusal{At: at, IdPSlug: "demo", Class: "expired"}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Set(now)

	tests := []struct {
		name string
		now  time.Time
		want core.Stats
	}{
		{"UTC day", now, core.Stats{Users: 3, CreatedToday: 1, Logins24h: 3, Refusals24h: 2}},
		// In UTC+10 it is 01:30 on the 5th: Alice was created on the 4th.
		{"a day that began 90 minutes ago", now.In(time.FixedZone("AEST", 10*3600)), core.Stats{Users: 3, CreatedToday: 0, Logins24h: 3, Refusals24h: 2}},
		// In UTC-5 the day began at 05:00 UTC: Alice (05:30 UTC) counts.
		{"a day that began at 05:00 UTC", now.In(time.FixedZone("EST", -5*3600)), core.Stats{Users: 3, CreatedToday: 1, Logins24h: 3, Refusals24h: 2}},
		// In UTC-6 it began at 06:00 UTC: Alice does not.
		{"a day that began at 06:00 UTC", now.In(time.FixedZone("CST", -6*3600)), core.Stats{Users: 3, CreatedToday: 0, Logins24h: 3, Refusals24h: 2}},
		// A day later only Carol's login is in the last 24 hours.
		{"a day later", now.Add(24 * time.Hour), core.Stats{Users: 3, CreatedToday: 0, Logins24h: 1, Refusals24h: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Stats(ctx, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Stats(%v) = %+v, want %+v", tt.now, got, tt.want)
			}
		})
	}
}

func TestLoginsPerMinute(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	base := t0 // 15:30:00 UTC
	at := []time.Duration{
		-90 * time.Second,                     // 15:28:30: before since's minute
		0, 10 * time.Second, 59 * time.Second, // 15:30
		2*time.Minute + 30*time.Second, // 15:32:30
		4*time.Minute + 50*time.Second, // 15:34:50, after now
	}
	for i, d := range at {
		p := alice(base.Add(d))
		p.NameID = fmt.Sprint("p", i)
		if _, err := db.ApplyLogin(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// Refusals do not count.
	if _, _, err := db.RecordRefusal(ctx, core.Refusal{At: base.Add(time.Second), IdPSlug: "demo"}); err != nil {
		t.Fatal(err)
	}
	cet := time.FixedZone("CET", 3600)
	since := base.Add(-30 * time.Second).In(cet) // 15:29:30 UTC, in another zone
	now := base.Add(4*time.Minute + 20*time.Second)
	got, err := db.LoginsPerMinute(ctx, since, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []core.MinuteCount{
		{Minute: base.Add(-time.Minute), Count: 0},
		{Minute: base, Count: 3},
		{Minute: base.Add(time.Minute), Count: 0},
		{Minute: base.Add(2 * time.Minute), Count: 1},
		{Minute: base.Add(3 * time.Minute), Count: 0},
		{Minute: base.Add(4 * time.Minute), Count: 0}, // the 15:34:50 login is after now
	}
	if len(got) != len(want) {
		t.Fatalf("LoginsPerMinute = %+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].Minute.Equal(want[i].Minute) || got[i].Minute.Location() != time.UTC || got[i].Count != want[i].Count {
			t.Errorf("minute %d = %v %d, want %v %d", i, got[i].Minute, got[i].Count, want[i].Minute, want[i].Count)
		}
	}

	if got, err := db.LoginsPerMinute(ctx, now, since); err != nil || len(got) != 0 {
		t.Errorf("since after now: %v, %v", got, err)
	}
	if got, err := db.LoginsPerMinute(ctx, now, now); err != nil || len(got) != 1 {
		t.Errorf("one minute: %v, %v", got, err)
	}
	_, err = db.LoginsPerMinute(ctx, time.Time{}, now)
	wantCode(t, err, core.EINVALID)
}

// seedMany inserts n accounts with one role each straight through SQL.
func seedMany(b *testing.B, db *DB, n int) {
	b.Helper()
	_, err := db.write.Exec(`
		INSERT INTO roles (name) VALUES ('member');
		WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1)
		INSERT INTO users (idp_slug, name_id, name_key, username, email, email_key, display_name, search_text,
			created_at, last_login_at, login_count)
		SELECT 'demo', 'user' || i || '@example.com', 'user' || i || '@example.com', 'user' || i,
			'user' || i || '@example.com', 'user' || i || '@example.com', 'User Number ' || i,
			lower('user' || i || char(10) || 'User Number ' || i || char(10) || 'user' || i || '@example.com'),
			?2 + i, ?2 + i, 1
		FROM seq;
		INSERT INTO user_roles (user_id, position, role, kind, source, idp_slug) SELECT id, 0, 'member', 'default', 'default role', 'demo' FROM users;`,
		n, t0.UnixNano())
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkListUsers measures the Users screen over 100k accounts: the
// first page, and a substring search (a scan).
func BenchmarkListUsers(b *testing.B) {
	db, _ := openTest(b)
	seedMany(b, db, 100_000)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		f    core.UserFilter
	}{
		{"first page", core.UserFilter{Limit: 100}},
		{"page 500", core.UserFilter{Limit: 100, Offset: 50_000}},
		{"search", core.UserFilter{Search: "number 4242", Limit: 100}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.ListUsers(ctx, bc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestSearchFollowsUpdates(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	p := alice(t0)
	if _, err := db.ApplyLogin(ctx, p); err != nil {
		t.Fatal(err)
	}
	p.Email, p.DisplayName = "a.anderson@corp.example", "Alice Smith"
	if _, err := db.ApplyLogin(ctx, p); err != nil {
		t.Fatal(err)
	}
	for search, want := range map[string]int{"corp.example": 1, "smith": 1, "anderson": 1, "alice anderson": 0, "sm": 1, "xyz": 0} {
		us, err := db.ListUsers(ctx, core.UserFilter{Search: search})
		if err != nil {
			t.Fatal(err)
		}
		if len(us) != want {
			t.Errorf("search %q: %d users, want %d", search, len(us), want)
		}
	}
	if _, err := db.write.Exec(`DELETE FROM users`); err != nil {
		t.Fatal(err)
	}
	if us, err := db.ListUsers(ctx, core.UserFilter{Search: "smith"}); err != nil || len(us) != 0 {
		t.Errorf("search after delete = %v, %v", us, err)
	}
}

func TestSearchIndexBuiltForExistingAccounts(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/" + DBFileName
	// A database of schema 1 holding an account.
	old := createAtVersion(t, path, 1)
	if _, err := old.Exec(`INSERT INTO users (idp_slug, name_id, username, display_name, search_text, created_at)
		VALUES ('demo', 'alice@example.com', 'alice', 'Alice Anderson', ?, 1)`,
		searchText("alice", "Alice Anderson", "alice@example.com")); err != nil {
		t.Fatal(err)
	}
	old.Close()

	db := openAt(t, path, core.SystemClock{})
	if v, _ := db.SchemaVersion(ctx); v < 2 {
		t.Fatalf("schema version %d after reopen", v)
	}
	us, err := db.ListUsers(ctx, core.UserFilter{Search: "anderson"})
	if err != nil || len(us) != 1 {
		t.Errorf("search over an account made before the index = %v, %v", us, err)
	}
}
