package core_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

// TestAdminOperationsAreAudited: each admin operation of the Console
// either changes something and adds exactly one audit event saying what,
// or is refused with a code and adds none.
func TestAdminOperationsAreAudited(t *testing.T) {
	con := memConsoleWithPat(t)
	ctx := context.Background()
	users, err := con.Users(ctx, core.UserFilter{})
	if err != nil || len(users) != 1 {
		t.Fatalf("accounts after a sign-in: %v, %v", users, err)
	}
	pat := users[0].ID

	steps := []struct {
		what    string
		do      func() error
		code    string // "" for a change
		message string // of the one audit event a change adds ("" for none)
	}{
		{"a role", func() error { return con.SaveRole(ctx, "auditor", "") }, "", "Role auditor created by"},
		{"its description", func() error { return con.SaveRole(ctx, "auditor", "reads logs") }, "", "Role auditor changed by"},
		{"the same description", func() error { return con.SaveRole(ctx, "auditor", "reads logs") }, "", ""},
		{"a role without a name", func() error { return con.SaveRole(ctx, " ", "") }, core.EINVALID, ""},
		{"a grant", func() error { return con.GrantRole(ctx, pat, "auditor") }, "", "Role auditor granted to Pat Partner by"},
		{"the grant again", func() error { return con.GrantRole(ctx, pat, "auditor") }, core.ECONFLICT, ""},
		{"a role not in the catalogue", func() error { return con.GrantRole(ctx, pat, "ghost") }, core.ENOTFOUND, ""},
		{"a held role deleted", func() error { return con.DeleteRole(ctx, "auditor") }, core.ECONFLICT, ""},
		{"the grant revoked", func() error { return con.RevokeRole(ctx, pat, "auditor") }, "", "Manual grant of auditor revoked from Pat Partner by"},
		{"a grant not held", func() error { return con.RevokeRole(ctx, pat, "auditor") }, core.ENOTFOUND, ""},
		{"the role deleted", func() error { return con.DeleteRole(ctx, "auditor") }, "", "Role auditor deleted by"},
		{"the clock skew", func() error { return con.SetClockSkew(ctx, 2*time.Minute) }, "", "Allowed clock skew changed by"},
		{"a clock skew too large", func() error { return con.SetClockSkew(ctx, time.Hour) }, core.EINVALID, ""},
		{"the account disabled", func() error { _, err := con.SetUsersDisabled(ctx, []int64{pat}, true); return err }, "", "Pat Partner disabled by"},
		{"disabled again", func() error { _, err := con.SetUsersDisabled(ctx, []int64{pat}, true); return err }, "", ""},
		{"the account deleted", func() error { return con.DeleteUser(ctx, pat) }, "", "Pat Partner deleted by"},
		{"a deleted account deleted", func() error { return con.DeleteUser(ctx, pat) }, core.ENOTFOUND, ""},
		{"the listener moved", func() error { return con.RestartAt("127.0.0.1:0", "") }, "", "Listener moved to"},
		{"the listener where it is", func() error { return con.RestartAt(con.Listener().Addr, "") }, "", ""},
		{"the demo IdP switched off", func() error { _, err := con.SetDemoIdPEnabled(ctx, false); return err }, "", "Demo IdP switched off by"},
		{"retention", func() error { return con.SetRetention(ctx, core.DefaultRetention()) }, "", "Retention set by"},
		{"an IdP's settings", func() error {
			idp, err := con.IdP(ctx, "p")
			if err != nil {
				return err
			}
			idp.Security.AllowIdPInitiated = !idp.Security.AllowIdPInitiated
			_, err = con.UpdateIdP(ctx, idp)
			return err
		}, "", "Settings of Partner changed by"},
		{"the demo IdP removed", func() error { return con.RemoveIdP(ctx, core.DemoSlug) }, core.EINVALID, ""},
		{"the IdP removed", func() error { return con.RemoveIdP(ctx, "p") }, "", "Identity provider Partner removed by"},
		{"an unknown IdP removed", func() error { return con.RemoveIdP(ctx, "p") }, core.ENOTFOUND, ""},
	}
	for _, st := range steps {
		before, err := con.AuditLog(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		err = st.do()
		after, _ := con.AuditLog(ctx, 1000)
		added := len(after) - len(before)
		switch {
		case st.code != "" && core.ErrorCode(err) != st.code:
			t.Errorf("%s: %v, want code %q", st.what, err, st.code)
		case st.code == "" && err != nil:
			t.Errorf("%s: %v", st.what, err)
		case st.message == "" && added != 0:
			t.Errorf("%s: %d audit events, want none (newest %q)", st.what, added, after[0].Message)
		case st.message != "" && (added != 1 || !strings.HasPrefix(after[0].Message, st.message)):
			t.Errorf("%s: %d audit events (newest %q), want one saying %q", st.what, added, newest(after), st.message)
		}
		if st.message != "" && added == 1 && (after[0].Subject == "" || !strings.Contains(after[0].Message, after[0].Subject)) {
			t.Errorf("%s: audit event %q names no actor (subject %q)", st.what, after[0].Message, after[0].Subject)
		}
	}
	if got := con.ClockSkew(ctx); got != 2*time.Minute {
		t.Errorf("clock skew %s after setting 2m", got)
	}
}

// newest is the message of the newest of events, "" for none.
func newest(events []core.Event) string {
	if len(events) == 0 {
		return ""
	}
	return events[0].Message
}

// TestConsoleReadsOfARecordedSignIn: the rule tester on a recorded
// sign-in, the sign-ins per minute, the personas and the SP metadata, as
// the screens read them.
func TestConsoleReadsOfARecordedSignIn(t *testing.T) {
	con := memConsoleWithPat(t)
	ctx := context.Background()
	recs, err := con.Recordings(ctx, core.RecordingFilter{IdPSlug: "p"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("recordings: %v, %v", recs, err)
	}
	m := core.Mapping{RoleRules: []core.RoleRule{{Name: "eng", Roles: []string{"engineering"},
		Conditions: []core.Condition{{Attribute: "groups", Operator: core.OpContains, Value: "Engineering"}}}}}
	rt, err := con.TestRules(ctx, "p", m, recs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if rt.NameID != "pat@partner.example" || rt.Decision != "update" || len(rt.Evaluation.Fields.Roles) != 1 ||
		rt.Evaluation.Fields.Roles[0].Role != "engineering" {
		t.Errorf("rule test: NameID %q, decision %q, roles %+v", rt.NameID, rt.Decision, rt.Evaluation.Fields.Roles)
	}
	if _, err := con.TestRules(ctx, "p", m, recs[0].ID+1000); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("an unknown recording: %v", err)
	}

	perMinute, err := con.LoginsPerMinute(ctx, 30)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, mc := range perMinute {
		total += mc.Count
	}
	if len(perMinute) < 30 || total != 1 {
		t.Errorf("%d minutes with %d sign-ins, want at least 30 minutes and 1", len(perMinute), total)
	}

	if err := con.SavePersona(ctx, core.Persona{ID: "zed", Email: "zed@example.com", Groups: []string{"Finance"}}); err != nil {
		t.Fatal(err)
	}
	ps, err := con.Personas(ctx)
	if err != nil || !strings.Contains(personaIDs(ps), "zed") {
		t.Errorf("personas %s, %v; want zed among them", personaIDs(ps), err)
	}

	md, err := con.SPMetadataXML(ctx, "p")
	if err != nil || !strings.Contains(string(md), con.Endpoints("p").ACSURL) {
		t.Errorf("SP metadata of p: %v\n%.300s", err, md)
	}
	if _, err := con.SPMetadataXML(ctx, "nosuch"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("SP metadata of an unknown IdP: %v", err)
	}
}

// personaIDs are the IDs of ps, comma-separated.
func personaIDs(ps []core.Persona) string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return strings.Join(ids, ",")
}

// memConsoleWithPat is a started console over the in-memory store with a
// samltest IdP connected as "p" (display name Partner), through which Pat
// Partner has signed in once.
func memConsoleWithPat(t *testing.T) *core.Console {
	t.Helper()
	con, _ := startMemConsole(t)
	idp := samltest.Start(t, func() core.Endpoints { return con.Endpoints("p") })
	if _, _, err := con.ImportIdP(context.Background(), core.ImportRequest{
		MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: idp.Metadata()}, DisplayName: "Partner", Slug: "p",
	}); err != nil {
		t.Fatal(err)
	}
	if status, page, err := idp.SignIn(samltest.Browser(), con.Endpoints("p").LoginURL); err != nil || status != http.StatusSeeOther {
		t.Fatalf("Pat's sign-in: HTTP %d, %v: %.300s", status, err, page)
	}
	return con
}
