package storetest

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

var accountCases = []testCase{
	{"a first login creates the account, a later one updates it", func(t *testing.T, s core.Store) {
		first := apply(t, s, login("okta", "ann", base, "admin"))
		if !first.Created || first.User.ID == 0 || first.User.LoginCount != 1 || first.Login.ID == 0 || first.Event.ID == 0 {
			t.Fatalf("first login: %+v", first)
		}
		if first.Event.Kind != core.EventUserCreated || first.Login.Outcome != core.OutcomeAccepted {
			t.Errorf("first login's event %q, login %q; want user.created, accepted", first.Event.Kind, first.Login.Outcome)
		}
		p := login("okta", "ann", base.Add(time.Minute), "staff")
		p.DisplayName = "Ann Again"
		second := apply(t, s, p)
		if second.Created || second.User.ID != first.User.ID || second.User.LoginCount != 2 {
			t.Errorf("second login: created %v, ID %d (first %d), count %d", second.Created, second.User.ID, first.User.ID, second.User.LoginCount)
		}
		if second.Event.Kind != core.EventUserUpdated {
			t.Errorf("second login's event %q, want user.updated", second.Event.Kind)
		}
		if !reflect.DeepEqual(second.Added, []string{"staff"}) || !reflect.DeepEqual(second.Removed, []string{"admin"}) {
			t.Errorf("second login added %q removed %q; want staff, admin", second.Added, second.Removed)
		}
		u, err := s.GetUser(ctx, first.User.ID)
		must(t, err)
		if u.DisplayName != "Ann Again" || !u.LastLoginAt.Equal(p.At) || !reflect.DeepEqual(roleNames(u.Roles), []string{"staff"}) {
			t.Errorf("stored account %+v", u.User)
		}
		if !reflect.DeepEqual(u.Attributes, p.Attributes) {
			t.Errorf("stored attributes %v, want the last assertion's %v", u.Attributes, p.Attributes)
		}
		if len(u.Logins) != 2 || u.Logins[0].ID != second.Login.ID {
			t.Errorf("login history %+v, want 2 logins, newest first", u.Logins)
		}
	}},
	{"accounts are one per IdP and NameID", func(t *testing.T, s core.Store) {
		a := apply(t, s, login("okta", "ann", base))
		b := apply(t, s, login("entra", "ann", base))
		if a.User.ID == b.User.ID {
			t.Errorf("the same NameID at two IdPs made one account")
		}
	}},
	{"the key matches whatever its case when asked to", func(t *testing.T, s core.Store) {
		p := login("okta", "Ann@Example.com", base)
		p.CaseInsensitiveKey = true
		a := apply(t, s, p)
		q := login("okta", "ann@example.COM", base.Add(time.Minute))
		q.CaseInsensitiveKey = true
		b := apply(t, s, q)
		if b.Created || b.User.ID != a.User.ID {
			t.Errorf("a case-insensitive key made a second account")
		}
		u, err := s.UserByKey(ctx, "okta", "ANN@EXAMPLE.COM", true)
		must(t, err)
		if u.ID != a.User.ID {
			t.Errorf("UserByKey (any case) found %d, want %d", u.ID, a.User.ID)
		}
		_, err = s.UserByKey(ctx, "okta", "ANN@EXAMPLE.COM", false)
		wantCode(t, err, core.ENOTFOUND)
		_, err = s.UserByKey(ctx, "entra", "Ann@Example.com", true)
		wantCode(t, err, core.ENOTFOUND)
	}},
	{"concurrent first logins of one person make one account", func(t *testing.T, s core.Store) {
		const n = 8
		var wg sync.WaitGroup
		ids := make([]int64, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := s.ApplyLogin(ctx, login("okta", "ann", base.Add(time.Duration(i)*time.Second), "staff"))
				ids[i], errs[i] = res.User.ID, err
			}()
		}
		wg.Wait()
		must(t, errors.Join(errs...))
		for _, id := range ids[1:] {
			if id != ids[0] {
				t.Fatalf("concurrent logins made accounts %v", ids)
			}
		}
		users, err := s.ListUsers(ctx, core.UserFilter{})
		must(t, err)
		if len(users) != 1 || users[0].LoginCount != n {
			t.Errorf("%d accounts, login count %d; want 1 account with %d logins", len(users), users[0].LoginCount, n)
		}
	}},
	{"list is newest first and filters", func(t *testing.T, s core.Store) {
		apply(t, s, login("okta", "ann", base, "admin"))
		apply(t, s, login("okta", "bob", base.Add(time.Minute), "staff"))
		carl := apply(t, s, login("entra", "carl", base.Add(2*time.Minute), "staff"))
		_, _, err := s.SetUsersDisabled(ctx, []int64{carl.User.ID}, true, "tester")
		must(t, err)
		cases := []struct {
			f    core.UserFilter
			want []string
		}{
			{core.UserFilter{}, []string{"carl", "bob", "ann"}},
			{core.UserFilter{Search: "BO"}, []string{"bob"}},
			{core.UserFilter{Search: "carl@example"}, []string{"carl"}},
			{core.UserFilter{IdPSlug: "okta"}, []string{"bob", "ann"}},
			{core.UserFilter{Role: "staff"}, []string{"carl", "bob"}},
			{core.UserFilter{Status: core.UserDisabled}, []string{"carl"}},
			{core.UserFilter{Status: core.UserActive}, []string{"bob", "ann"}},
			{core.UserFilter{LastLoginBefore: base.Add(90 * time.Second)}, []string{"bob", "ann"}},
			{core.UserFilter{Limit: 2}, []string{"carl", "bob"}},
			{core.UserFilter{Limit: 2, Offset: 2}, []string{"ann"}},
			{core.UserFilter{Search: "nobody"}, []string{}},
		}
		for _, c := range cases {
			users, err := s.ListUsers(ctx, c.f)
			must(t, err)
			if got := userNames(users); !reflect.DeepEqual(got, c.want) {
				t.Errorf("ListUsers(%+v) = %q, want %q", c.f, got, c.want)
			}
		}
		_, err = s.ListUsers(ctx, core.UserFilter{Status: "asleep"})
		wantCode(t, err, core.EINVALID)
	}},
	{"get of an unknown account is not found", func(t *testing.T, s core.Store) {
		_, err := s.GetUser(ctx, 4242)
		wantCode(t, err, core.ENOTFOUND)
	}},
	{"disabling counts what changed and is audited; a disabled account cannot sign in", func(t *testing.T, s core.Store) {
		ann := apply(t, s, login("okta", "ann", base))
		bob := apply(t, s, login("okta", "bob", base))
		n, ev, err := s.SetUsersDisabled(ctx, []int64{ann.User.ID, bob.User.ID}, true, "tester")
		must(t, err)
		if n != 2 || ev.ID == 0 || ev.Kind != core.EventAdminChange {
			t.Errorf("disabled %d, event %+v; want 2 and an audit event", n, ev)
		}
		n, _, err = s.SetUsersDisabled(ctx, []int64{ann.User.ID}, true, "tester")
		must(t, err)
		if n != 0 {
			t.Errorf("disabling a disabled account changed %d", n)
		}
		_, err = s.ApplyLogin(ctx, login("okta", "ann", base.Add(time.Minute), "admin"))
		wantCode(t, err, core.EFORBIDDEN)
		u, err := s.GetUser(ctx, ann.User.ID)
		must(t, err)
		if !u.Disabled || u.LoginCount != 1 || len(u.Roles) != 0 {
			t.Errorf("a refused login of a disabled account changed it: %+v", u.User)
		}
		n, _, err = s.SetUsersDisabled(ctx, []int64{ann.User.ID}, false, "tester")
		must(t, err)
		if n != 1 {
			t.Errorf("enabling changed %d, want 1", n)
		}
		apply(t, s, login("okta", "ann", base.Add(2*time.Minute)))
	}},
	{"a denied login writes nothing", func(t *testing.T, s core.Store) {
		p := login("okta", "ann", base, "admin")
		p.Deny, p.DenyReason = true, "No rule granted a role."
		_, err := s.ApplyLogin(ctx, p)
		wantCode(t, err, core.EDENIED)
		users, err := s.ListUsers(ctx, core.UserFilter{})
		must(t, err)
		events, err := s.ListEvents(ctx, core.EventFilter{})
		must(t, err)
		if len(users) != 0 || len(events) != 0 {
			t.Errorf("a denied login left %d accounts and %d events", len(users), len(events))
		}
	}},
	{"delete removes the account, keeps its logins, is audited", func(t *testing.T, s core.Store) {
		ann := apply(t, s, login("okta", "ann", base))
		ev, err := s.DeleteUser(ctx, ann.User.ID, "tester")
		must(t, err)
		if ev.ID == 0 || ev.Kind != core.EventAdminChange {
			t.Errorf("delete's event %+v", ev)
		}
		_, err = s.GetUser(ctx, ann.User.ID)
		wantCode(t, err, core.ENOTFOUND)
		_, err = s.DeleteUser(ctx, ann.User.ID, "tester")
		wantCode(t, err, core.ENOTFOUND)
		// The next login is a new account.
		again := apply(t, s, login("okta", "ann", base.Add(time.Minute)))
		if !again.Created {
			t.Errorf("a login after the delete did not create an account")
		}
	}},
	{"link by email takes over another IdP's account", func(t *testing.T, s core.Store) {
		old := apply(t, s, login("okta", "ann", base, "staff"))
		cand, err := s.LinkCandidate(ctx, "ANN@example.com", "entra")
		must(t, err)
		if cand.ID != old.User.ID {
			t.Errorf("link candidate %d, want %d", cand.ID, old.User.ID)
		}
		_, err = s.LinkCandidate(ctx, "ann@example.com", "okta")
		wantCode(t, err, core.ENOTFOUND)
		p := login("entra", "a.n@entra", base.Add(time.Minute), "admin")
		p.Email, p.LinkByEmail = "ann@example.com", true
		res := apply(t, s, p)
		if !res.Linked || res.User.ID != old.User.ID || res.User.IdPSlug != "entra" {
			t.Errorf("link: linked %v, account %d at %q; want %d at entra", res.Linked, res.User.ID, res.User.IdPSlug, old.User.ID)
		}
		users, err := s.ListUsers(ctx, core.UserFilter{})
		must(t, err)
		if len(users) != 1 {
			t.Errorf("%d accounts after a link, want 1", len(users))
		}
	}},
	{"a login's warnings name a case-only twin and the email's other IdP", func(t *testing.T, s core.Store) {
		apply(t, s, login("okta", "Ann", base))
		other := login("entra", "ann.e", base)
		other.Email = "Ann@example.com"
		apply(t, s, other)
		res := apply(t, s, login("okta", "ann", base.Add(time.Minute)))
		if !res.Created || len(res.User.Warnings) != 2 {
			t.Fatalf("a case-sensitive login of a case twin: created %v, warnings %q; want a new account with 2", res.Created, res.User.Warnings)
		}
		if w := strings.Join(res.User.Warnings, "\n"); !strings.Contains(w, `"Ann"`) || !strings.Contains(w, "entra") {
			t.Errorf("warnings %q; want the twin's NameID \"Ann\" and the IdP entra", res.User.Warnings)
		}
		// After a link by email the account is found by its new key, and
		// no longer by its old one.
		p := login("google", "ann.g", base.Add(2*time.Minute))
		p.Email, p.LinkByEmail = "ann@EXAMPLE.com", true
		linked := apply(t, s, p)
		if !linked.Linked {
			t.Fatalf("no link by email")
		}
		if u, err := s.UserByKey(ctx, "google", "ann.g", false); err != nil || u.ID != linked.User.ID {
			t.Errorf("the linked account by its new key: %d, %v", u.ID, err)
		}
		// It was the oldest account with the email: okta's Ann.
		if _, err := s.UserByKey(ctx, "okta", "Ann", false); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("the linked account is still found under its old key (%v)", err)
		}
	}},
}
