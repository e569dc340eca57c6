package storage

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// alice is the provision of a first login of Alice at the demo IdP.
func alice(at time.Time) core.Provision {
	return core.Provision{
		At: at, IdPSlug: "demo", NameID: "alice@example.com",
		Username: "alice", Email: "alice@example.com", DisplayName: "Alice Anderson",
		Roles: []core.RoleGrant{
			{Role: "admin", Source: "rule 1: groups contains Admins"},
			{Role: "engineering", Source: "rule 2: groups contains Engineering"},
		},
		Attributes: core.Attributes{
			"groups": {"Engineering", "Admins", "All Staff"},
			"email":  {"alice@example.com"},
		},
		AssertionID: "_a1",
	}
}

// wantPlan checks that ApplyLogin wrote, as res, what core.PlanLogin plans
// for the login p in state (the state the test expects ApplyLogin to have
// read): the account's warnings, the role changes and the event, with the
// IDs the database gave, as returned and as stored.
func wantPlan(t *testing.T, db *DB, res core.ProvisionResult, state core.LoginState, p core.Provision) {
	t.Helper()
	plan, err := core.PlanLogin(state, p)
	if err != nil {
		t.Fatalf("PlanLogin: %v", err)
	}
	ev := plan.Event
	ev.ID, ev.UserID = res.Event.ID, res.User.ID
	if res.Event != ev {
		t.Errorf("event = %+v\nplanned %+v", res.Event, ev)
	}
	if res.Created != plan.Created || res.Linked != (plan.LinkedFrom != "") || !slices.Equal(res.User.Warnings, plan.Account.Warnings) ||
		!slices.Equal(res.Added, plan.Added) || !slices.Equal(res.Removed, plan.Removed) {
		t.Errorf("created %v, linked %v, warnings %q, added %q, removed %q; planned %v, %q, %q, %q, %q",
			res.Created, res.Linked, res.User.Warnings, res.Added, res.Removed,
			plan.Created, plan.LinkedFrom, plan.Account.Warnings, plan.Added, plan.Removed)
	}
	if res.User.LoginCount != plan.Account.LoginCount || !res.User.LastLoginAt.Equal(plan.Account.LastLoginAt) {
		t.Errorf("login count %d, last login %v; planned %d, %v",
			res.User.LoginCount, res.User.LastLoginAt, plan.Account.LoginCount, plan.Account.LastLoginAt)
	}
	stored, err := db.ListEvents(context.Background(), core.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(stored, res.Event) {
		t.Errorf("the event %+v is not stored as returned", res.Event)
	}
}

func TestApplyLoginCreatesThenUpdates(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()

	first, err := db.ApplyLogin(ctx, alice(t0))
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created || first.User.ID == 0 || first.User.LoginCount != 1 {
		t.Fatalf("first login: %+v", first)
	}
	if !first.User.CreatedAt.Equal(t0) || !first.User.LastLoginAt.Equal(t0) || first.User.CreatedAt.Location() != time.UTC {
		t.Errorf("first login times: created %v, last login %v", first.User.CreatedAt, first.User.LastLoginAt)
	}
	ev := first.Event
	if ev.ID == 0 || ev.Kind != core.EventUserCreated || ev.Outcome != core.OutcomeAccepted ||
		ev.Subject != "alice" || ev.UserID != first.User.ID || ev.IdPSlug != "demo" {
		t.Errorf("first event: %+v", ev)
	}
	wantPlan(t, db, first, core.LoginState{}, alice(t0))
	l := first.Login
	if l.ID == 0 || l.EventID != ev.ID || l.UserID != first.User.ID || l.Outcome != core.OutcomeAccepted || l.AssertionID != "_a1" {
		t.Errorf("first login row: %+v", l)
	}

	// Second login: a new email, the Admins group gone, a new attribute set.
	before, err := db.GetUser(ctx, first.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := alice(t0.Add(time.Hour))
	p.Email = "alice@corp.example"
	p.Roles = []core.RoleGrant{{Role: "engineering", Source: "rule 2: groups contains Engineering"}, {Role: "oncall", Source: "rule 3"}}
	p.Attributes = core.Attributes{"groups": {"Engineering", "On-call"}, "department": {"R&D"}}
	p.AssertionID = "_a2"
	second, err := db.ApplyLogin(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if second.Created || second.User.ID != first.User.ID || second.User.LoginCount != 2 {
		t.Fatalf("second login: %+v", second)
	}
	if !second.User.CreatedAt.Equal(t0) || !second.User.LastLoginAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("second login times: created %v, last login %v", second.User.CreatedAt, second.User.LastLoginAt)
	}
	if second.Event.Kind != core.EventUserUpdated {
		t.Errorf("second event kind = %q", second.Event.Kind)
	}
	if !slices.Equal(second.Added, []string{"oncall"}) || !slices.Equal(second.Removed, []string{"admin"}) {
		t.Errorf("second login: added %q, removed %q; want [oncall], [admin]", second.Added, second.Removed)
	}
	wantPlan(t, db, second, core.LoginState{Account: &before.User}, p)

	d, err := db.GetUser(ctx, first.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Email != "alice@corp.example" || d.LoginCount != 2 {
		t.Errorf("stored user: %+v", d.User)
	}
	wantRoles := []core.RoleGrant{
		{Role: "engineering", Source: "rule 2: groups contains Engineering", Kind: core.GrantRule, IdPSlug: "demo",
			LoginID: second.Login.ID, GrantedAt: p.At},
		{Role: "oncall", Source: "rule 3", Kind: core.GrantRule, IdPSlug: "demo", LoginID: second.Login.ID, GrantedAt: p.At},
	}
	if !reflect.DeepEqual(d.Roles, wantRoles) {
		t.Errorf("roles = %+v, want %+v", d.Roles, wantRoles)
	}
	if !reflect.DeepEqual(second.User.Roles, wantRoles) {
		t.Errorf("ProvisionResult roles = %+v, want %+v", second.User.Roles, wantRoles)
	}
	if !reflect.DeepEqual(d.Attributes, p.Attributes) {
		t.Errorf("attributes = %v, want %v", d.Attributes, p.Attributes)
	}
	if len(d.Logins) != 2 || d.Logins[0].AssertionID != "_a2" || d.Logins[1].AssertionID != "_a1" {
		t.Errorf("logins = %+v", d.Logins)
	}
	if n := count(t, db, "users", ""); n != 1 {
		t.Errorf("%d users, want 1", n)
	}
	if n := count(t, db, "roles", ""); n != 3 {
		t.Errorf("%d roles in the roles table, want 3 (admin, engineering, oncall)", n)
	}
}

func TestApplyLoginKeepsAttributeValueOrder(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	p := alice(t0)
	var many []string
	for i := range 600 { // more than one INSERT's worth
		many = append(many, fmt.Sprintf("group-%03d", 599-i))
	}
	p.Attributes = core.Attributes{"memberOf": many, "z": {"last", "first"}}
	res, err := db.ApplyLogin(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.GetUser(ctx, res.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Attributes, p.Attributes) {
		t.Errorf("attributes came back changed: %d memberOf values, z = %v", len(d.Attributes["memberOf"]), d.Attributes["z"])
	}
}

func TestApplyLoginWithoutRolesOrAttributes(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	res, err := db.ApplyLogin(ctx, core.Provision{IdPSlug: "okta", NameID: "00u1"})
	if err != nil {
		t.Fatal(err)
	}
	wantPlan(t, db, res, core.LoginState{}, core.Provision{At: t0, IdPSlug: "okta", NameID: "00u1"})
	if !res.Login.At.Equal(t0) || res.Event.Subject != "00u1" {
		t.Errorf("a zero At should be the DB clock's now: %+v", res.Login)
	}
	d, err := db.GetUser(ctx, res.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Roles) != 0 || len(d.Attributes) != 0 {
		t.Errorf("roles %v, attributes %v", d.Roles, d.Attributes)
	}
}

func TestApplyLoginRejectsMissingIdentity(t *testing.T) {
	db, _ := openTest(t)
	for _, p := range []core.Provision{{IdPSlug: "demo"}, {NameID: "x"}} {
		_, err := db.ApplyLogin(context.Background(), p)
		wantCode(t, err, core.EINVALID)
	}
}

func TestApplyLoginDropsRepeatedRoles(t *testing.T) {
	db, _ := openTest(t)
	p := alice(t0)
	p.Roles = append(p.Roles, core.RoleGrant{Role: "admin", Source: "again"}, core.RoleGrant{Role: ""})
	res, err := db.ApplyLogin(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.User.Roles) != 2 || res.User.Roles[0].Source != "rule 1: groups contains Admins" {
		t.Errorf("roles = %+v", res.User.Roles)
	}
}

func TestApplyLoginConcurrentSamePerson(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	const n = 50
	results := make([]core.ProvisionResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p := alice(t0.Add(time.Duration(i) * time.Second))
			p.AssertionID = fmt.Sprintf("_a%d", i)
			results[i], errs[i] = db.ApplyLogin(ctx, p)
		})
	}
	wg.Wait()
	created, counts := 0, map[int]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("login %d: %v", i, errs[i])
		}
		if results[i].Created {
			created++
		}
		counts[results[i].User.LoginCount] = true
	}
	if created != 1 {
		t.Errorf("%d logins reported creating the account, want 1", created)
	}
	if len(counts) != n {
		t.Errorf("login counts are not 1..%d: %v", n, counts)
	}
	if got := count(t, db, "users", ""); got != 1 {
		t.Fatalf("%d users, want 1", got)
	}
	var loginCount int
	var lastLogin int64
	if err := db.read.QueryRow(`SELECT login_count, last_login_at FROM users`).Scan(&loginCount, &lastLogin); err != nil {
		t.Fatal(err)
	}
	if loginCount != n {
		t.Errorf("login_count = %d, want %d", loginCount, n)
	}
	if want := t0.Add((n - 1) * time.Second); !fromNanos(lastLogin).Equal(want) {
		t.Errorf("last_login_at = %v, want the latest login %v", fromNanos(lastLogin), want)
	}
	if got := count(t, db, "logins", "outcome = 'accepted'"); got != n {
		t.Errorf("%d login rows, want %d", got, n)
	}
	if got := count(t, db, "events", "kind = ?", core.EventUserCreated); got != 1 {
		t.Errorf("%d user.created events, want 1", got)
	}
	if got := count(t, db, "user_roles", ""); got != 2 {
		t.Errorf("%d role rows, want 2", got)
	}
}

func TestApplyLoginConcurrentDistinctPeople(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	const n = 200
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p := alice(t0)
			p.NameID = fmt.Sprintf("user%03d@example.com", i)
			p.Username = fmt.Sprintf("user%03d", i)
			res, err := db.ApplyLogin(ctx, p)
			if err == nil && !res.Created {
				err = fmt.Errorf("login %d did not create its account", i)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := count(t, db, "users", ""); got != n {
		t.Errorf("%d users, want %d", got, n)
	}
	if got := count(t, db, "logins", ""); got != n {
		t.Errorf("%d logins, want %d", got, n)
	}
}

// snapshot is every table ApplyLogin writes, as text.
func snapshot(t *testing.T, db *DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, idp_slug, name_id, name_key, username, email, email_key, display_name, given_name, family_name,
			disabled, warnings, created_at, last_login_at, login_count FROM users ORDER BY id`,
		`SELECT user_id, position, role, kind, source, rule_id, rule_index, idp_slug, login_id, granted_by, granted_at
			FROM user_roles ORDER BY user_id, kind, position`,
		`SELECT user_id, name, position, value FROM user_attributes ORDER BY user_id, name, position`,
		`SELECT name FROM roles ORDER BY name`,
		`SELECT id, at, user_id, outcome, assertion_id, event_id FROM logins ORDER BY id`,
		`SELECT id, at, kind, message FROM events ORDER BY id`,
	} {
		rows, err := db.read.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

func TestApplyLoginRollsBackOnFailure(t *testing.T) {
	errDisk := errors.New("disk I/O error (simulated)")
	for _, step := range []string{"user", "attributes", "login"} {
		for _, how := range []string{"error", "cancel"} {
			t.Run(step+"/"+how, func(t *testing.T) {
				db, _ := openTest(t)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				// A first login that succeeds, so that the failing one is
				// an update of an existing account.
				if _, err := db.ApplyLogin(ctx, alice(t0)); err != nil {
					t.Fatal(err)
				}
				before := snapshot(t, db)

				db.testHook = func(s string) error {
					if s != step {
						return nil
					}
					if how == "cancel" {
						cancel()
						return nil
					}
					return errDisk
				}
				p := alice(t0.Add(time.Minute))
				p.Email = "changed@example.com"
				p.Roles = []core.RoleGrant{{Role: "new-role"}}
				p.Attributes = core.Attributes{"x": {"y"}}
				_, err := db.ApplyLogin(ctx, p)
				if err == nil {
					t.Fatal("ApplyLogin succeeded")
				}
				if how == "error" && !errors.Is(err, errDisk) {
					t.Errorf("error %v does not wrap the cause", err)
				}
				if how == "cancel" && !errors.Is(err, context.Canceled) {
					t.Errorf("error %v does not wrap context.Canceled", err)
				}
				if !strings.Contains(err.Error(), `apply login for "alice@example.com"`) {
					t.Errorf("error lacks context: %v", err)
				}
				db.testHook = nil
				if after := snapshot(t, db); after != before {
					t.Errorf("a failed ApplyLogin left changes:\nbefore:\n%s\nafter:\n%s", before, after)
				}
				// And the writer is usable again.
				if _, err := db.ApplyLogin(context.Background(), alice(t0.Add(time.Hour))); err != nil {
					t.Fatalf("ApplyLogin after a failure: %v", err)
				}
			})
		}
	}
}

func TestApplyLoginFirstLoginRollsBack(t *testing.T) {
	db, _ := openTest(t)
	db.testHook = func(s string) error {
		if s == "login" {
			return errors.New("no space left on device (simulated)")
		}
		return nil
	}
	if _, err := db.ApplyLogin(context.Background(), alice(t0)); err == nil {
		t.Fatal("ApplyLogin succeeded")
	}
	for _, table := range []string{"users", "user_roles", "user_attributes", "roles", "logins", "events"} {
		if n := count(t, db, table, ""); n != 0 {
			t.Errorf("%s has %d rows after a failed first login", table, n)
		}
	}
}

func TestRecordRefusalChangesNoAccount(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	if _, err := db.ApplyLogin(ctx, alice(t0)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db)
	login, ev, err := db.RecordRefusal(ctx, core.Refusal{
		At: t0.Add(time.Minute), IdPSlug: "demo", NameID: "alice@example.com",
		Class: "expired", Reason: "The assertion expired 4 minutes ago.", Hint: "The IdP's clock is behind; fix NTP.",
	})
	if err != nil {
		t.Fatal(err)
	}
	if login.ID == 0 || login.Outcome != core.OutcomeRefused || login.Class != "expired" || login.UserID != 0 || login.EventID != ev.ID {
		t.Errorf("login = %+v", login)
	}
	if ev.ID == 0 || ev.Kind != core.EventLoginRefused || ev.Outcome != core.OutcomeRefused || ev.Class != "expired" ||
		ev.Message != "The assertion expired 4 minutes ago." || ev.Detail != "The IdP's clock is behind; fix NTP." {
		t.Errorf("event = %+v", ev)
	}
	var userID any
	if err := db.read.QueryRow(`SELECT user_id FROM logins WHERE id = ?`, login.ID).Scan(&userID); err != nil || userID != nil {
		t.Errorf("refused login's user_id = %v, %v; want NULL", userID, err)
	}
	after := snapshot(t, db)
	usersBefore, _, _ := strings.Cut(before, "--")
	usersAfter, _, _ := strings.Cut(after, "--")
	if usersBefore != usersAfter {
		t.Errorf("a refusal changed the account:\n%s\n%s", usersBefore, usersAfter)
	}
	if n := count(t, db, "logins", "outcome = 'refused'"); n != 1 {
		t.Errorf("%d refused logins, want 1", n)
	}
	recent, err := db.RecentEvents(ctx, 1)
	if err != nil || len(recent) != 1 || recent[0] != ev {
		t.Errorf("RecentEvents(1) = %+v, %v; want %+v", recent, err, ev)
	}
}

func TestEvents(t *testing.T) {
	db, clock := openTest(t)
	ctx := context.Background()
	_, err := db.AppendEvent(ctx, core.Event{})
	wantCode(t, err, core.EINVALID)

	var ids []int64
	for i := range 5 {
		clock.Set(t0.Add(time.Duration(i) * time.Second))
		e, err := db.AppendEvent(ctx, core.Event{Kind: core.EventListener, Outcome: core.OutcomeInfo, Message: fmt.Sprint("event ", i)})
		if err != nil {
			t.Fatal(err)
		}
		if e.ID == 0 || !e.At.Equal(clock.Now()) {
			t.Fatalf("event %d: %+v", i, e)
		}
		ids = append(ids, e.ID)
	}
	got, err := db.RecentEvents(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID != ids[4] || got[2].ID != ids[2] || got[0].Message != "event 4" {
		t.Errorf("RecentEvents(3) = %+v", got)
	}
	if got, _ := db.RecentEvents(ctx, 0); len(got) != 0 {
		t.Errorf("RecentEvents(0) = %+v", got)
	}
}

// BenchmarkApplyLogin measures the JIT transaction with two roles and
// five attribute values: first logins (an account is created), repeat
// logins with nothing changed, and repeat logins with a new email; each
// without a flight recorder entry and with one holding an 8 KB response.
func BenchmarkApplyLogin(b *testing.B) {
	raw := samlResponse(8 << 10)
	for _, bc := range []struct {
		name string
		next func(p *core.Provision, i int)
	}{
		{"first", func(p *core.Provision, i int) { p.NameID = fmt.Sprintf("user%d@example.com", i) }},
		{"repeat", func(p *core.Provision, i int) {}},
		{"repeat, email changed", func(p *core.Provision, i int) { p.Email = fmt.Sprintf("alice%d@example.com", i) }},
	} {
		for _, record := range []string{"none", "8KB"} {
			b.Run(bc.name+"/record="+record, func(b *testing.B) {
				db, _ := openTest(b)
				ctx := context.Background()
				p := alice(t0)
				if record != "none" {
					p.Record = &core.Recording{RemoteAddr: "192.0.2.7:51234", Raw: raw, RawSize: len(raw)}
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					bc.next(&p, i)
					p.At = t0.Add(time.Duration(i) * time.Millisecond)
					if _, err := db.ApplyLogin(ctx, p); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkApplyLoginParallel measures ApplyLogin from many goroutines: the
// writes serialize on one connection.
func BenchmarkApplyLoginParallel(b *testing.B) {
	db, _ := openTest(b)
	ctx := context.Background()
	var mu sync.Mutex
	next := 0
	b.RunParallel(func(pb *testing.PB) {
		p := alice(t0)
		for pb.Next() {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			p.NameID = fmt.Sprintf("user%d@example.com", i/2)
			if _, err := db.ApplyLogin(ctx, p); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
