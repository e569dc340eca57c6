package main

// The admin commands of issue 11 (idp set, settings, roles, users
// show/disable/enable/grant/revoke/delete/stale): each writes the audit
// entry the GUI's call of the same core method writes, their reports and
// errors (golden files), and idp set's effect on the ACS.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
	"github.com/jitconsole/jitconsole/storage"
)

// adminDataDir is a data directory with three seeded accounts of the demo
// IdP (IDs 1 to 3, hire0000@example.com to hire0002@example.com, signed
// in on 2026-01-02), Okta's metadata connected as "okta", and the
// console's keys.
func adminDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	seedDataDir(t, dir, 3)
	if r := runCLI(t, "idp", "import", "--file", filepath.Join("testdata", "metadata", "okta.xml"), "--slug", "okta", "--data-dir", dir); r.code != 0 {
		t.Fatalf("idp import: exit %d\n%s", r.code, r.stderr)
	}
	keysInKeyring(t, dir, "")
	return dir
}

// consoleIn opens the data directory dir as the commands that change it
// do (openExistingConsole); the caller closes it.
func consoleIn(t *testing.T, dir string) *opened {
	t.Helper()
	con, err := openExistingConsole(context.Background(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return con
}

// decodeStrict decodes the JSON text s into v, refusing fields v lacks.
func decodeStrict(s string, v any) error {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// lastAudit is the newest audit entry of the data directory dir.
func lastAudit(t *testing.T, dir string) core.Event {
	t.Helper()
	log, err := readerOf(t, dir).AuditLog(context.Background(), 1)
	if err != nil || len(log) == 0 {
		t.Fatalf("audit log: %v, %d entries", err, len(log))
	}
	return log[0]
}

// TestAdminCommandsWriteTheGUIsAuditEntry runs each command on one data
// directory and the core method the GUI calls on a twin, and compares the
// newest audit entries (the actor is the OS user in both).
func TestAdminCommandsWriteTheGUIsAuditEntry(t *testing.T) {
	ctx := context.Background()
	day := 24 * time.Hour
	cases := []struct {
		name  string
		setup func(con *core.Console) error // on both directories, before
		args  []string
		gui   func(con *core.Console) error
	}{
		{"idp set", nil, []string{"idp", "set", "okta", "--allow-idp-initiated", "--allow-sha1=false", "--refresh-interval", "12h"},
			func(con *core.Console) error {
				idp, err := con.IdP(ctx, "okta")
				if err != nil {
					return err
				}
				idp.Security.AllowIdPInitiated, idp.Security.RejectSHA1, idp.RefreshEvery = true, true, 12*time.Hour
				_, err = con.UpdateIdP(ctx, idp)
				return err
			}},
		{"settings set clock-skew", nil, []string{"settings", "set", "clock-skew", "5m"},
			func(con *core.Console) error { return con.SetClockSkew(ctx, 5*time.Minute) }},
		{"settings set retention", nil, []string{"settings", "set", "retention.events-days", "30"},
			func(con *core.Console) error {
				p := core.DefaultRetention()
				p.KeepEvents = 30 * day
				return con.SetRetention(ctx, p)
			}},
		{"settings set demo-idp", nil, []string{"settings", "set", "demo-idp", "off"},
			func(con *core.Console) error { _, err := con.SetDemoIdPEnabled(ctx, false); return err }},
		{"roles add", nil, []string{"roles", "add", "auditor", "--description", "reads the logs"},
			func(con *core.Console) error { return con.SaveRole(ctx, "auditor", "reads the logs") }},
		{"roles rename", nil, []string{"roles", "rename", "member", "staff"},
			func(con *core.Console) error { return con.RenameRole(ctx, "member", "staff") }},
		{"roles delete", func(con *core.Console) error { return con.SaveRole(ctx, "temp", "") }, []string{"roles", "delete", "temp"},
			func(con *core.Console) error { return con.DeleteRole(ctx, "temp") }},
		{"users disable", nil, []string{"users", "disable", "2"},
			func(con *core.Console) error { _, err := con.SetUsersDisabled(ctx, []int64{2}, true); return err }},
		{"users disable --idp", nil, []string{"users", "disable", "--idp", "demo", "HIRE0001@example.com"},
			func(con *core.Console) error { _, err := con.SetUsersDisabled(ctx, []int64{2}, true); return err }},
		{"users enable", func(con *core.Console) error { _, err := con.SetUsersDisabled(ctx, []int64{1}, true); return err },
			[]string{"users", "enable", "1"},
			func(con *core.Console) error { _, err := con.SetUsersDisabled(ctx, []int64{1}, false); return err }},
		{"users grant", func(con *core.Console) error { return con.SaveRole(ctx, "admin", "") }, []string{"users", "grant", "3", "admin"},
			func(con *core.Console) error { return con.GrantRole(ctx, 3, "admin") }},
		{"users revoke", func(con *core.Console) error {
			if err := con.SaveRole(ctx, "admin", ""); err != nil {
				return err
			}
			return con.GrantRole(ctx, 3, "admin")
		}, []string{"users", "revoke", "3", "admin"},
			func(con *core.Console) error { return con.RevokeRole(ctx, 3, "admin") }},
		{"users delete", nil, []string{"users", "delete", "2"},
			func(con *core.Console) error { return con.DeleteUser(ctx, 2) }},
		{"users stale --disable", nil, []string{"users", "stale", "--days", "30", "--disable"},
			func(con *core.Console) error {
				_, err := con.SetMatchingUsersDisabled(ctx, core.UserFilter{Status: core.UserActive,
					LastLoginBefore: time.Now().AddDate(0, 0, -30)}, true)
				return err
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cli, gui := adminDataDir(t), adminDataDir(t)
			for _, dir := range []string{cli, gui} {
				if tc.setup != nil {
					con := consoleIn(t, dir)
					err := tc.setup(con.Console)
					con.close()
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			before := lastAudit(t, cli)
			if r := runCLI(t, append(tc.args, "--data-dir", cli)...); r.code != 0 {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			con := consoleIn(t, gui)
			err := tc.gui(con.Console)
			con.close()
			if err != nil {
				t.Fatal(err)
			}
			got, want := lastAudit(t, cli), lastAudit(t, gui)
			if got.ID == before.ID {
				t.Fatalf("the command wrote no audit entry (newest: %q)", got.Message)
			}
			got.ID, got.At, want.ID, want.At = 0, time.Time{}, 0, time.Time{}
			if got != want {
				t.Errorf("audit entry\n got: %+v\nwant: %+v (the GUI's)", got, want)
			}
			if u, err := user.Current(); err == nil && !strings.Contains(got.Subject+" "+got.Message, u.Username) {
				t.Errorf("the audit entry does not name the OS user %s as the actor: %+v", u.Username, got)
			}
		})
	}
}

// TestAdminCommandsGolden: the reports and errors of the admin commands,
// byte for byte (testdata/golden/admin/). Rewrite with -update.
func TestAdminCommandsGolden(t *testing.T) {
	dir := adminDataDir(t)
	con := consoleIn(t, dir)
	ctx := context.Background()
	if err := con.SaveRole(ctx, "admin", "everything"); err != nil {
		t.Fatal(err)
	}
	if err := con.GrantRole(ctx, 2, "admin"); err != nil {
		t.Fatal(err)
	}
	con.close()
	steps := []struct {
		golden string
		args   []string
	}{
		{"settings-get-all", []string{"settings", "get"}},
		{"settings-get-key", []string{"settings", "get", "clock-skew"}},
		{"settings-get-unknown", []string{"settings", "get", "skew"}},
		{"settings-set-bad-value", []string{"settings", "set", "clock-skew", "2h"}},
		{"settings-set-bad-days", []string{"settings", "set", "retention.recordings-days", "1.5"}},
		{"settings-set-unknown", []string{"settings", "set", "retention.logins", "3"}},
		{"settings-set", []string{"settings", "set", "retention.recordings-days", "14"}},
		{"settings-set-same", []string{"settings", "set", "retention.recordings-days", "14"}},
		{"roles-list", []string{"roles", "list"}},
		{"roles-add", []string{"roles", "add", "auditor"}},
		{"roles-add-exists", []string{"roles", "add", "auditor"}},
		{"roles-rename-unknown", []string{"roles", "rename", "nobody", "x"}},
		{"roles-delete-held", []string{"roles", "delete", "admin"}},
		{"roles-delete-unknown", []string{"roles", "delete", "nobody"}},
		{"idp-set", []string{"idp", "set", "okta", "--allow-idp-initiated", "--require-signed-assertion=true", "--enabled=false"}},
		{"idp-set-same", []string{"idp", "set", "okta", "--allow-idp-initiated=true"}},
		{"idp-set-unknown", []string{"idp", "set", "entra", "--enabled=false"}},
		{"idp-set-nothing", []string{"idp", "set", "okta"}},
		{"idp-set-bad-interval", []string{"idp", "set", "okta", "--refresh-interval", "1m"}},
		{"idp-set-bad-bool", []string{"idp", "set", "okta", "--enabled=maybe"}},
		{"idp-set-bad-url", []string{"idp", "set", "okta", "--metadata-url", "ftp://example.com/md.xml"}},
		{"users-show", []string{"users", "show", "2"}},
		{"users-show-idp", []string{"users", "show", "--idp", "demo", "hire0001@example.com"}},
		{"users-show-unknown-id", []string{"users", "show", "42"}},
		{"users-show-unknown-nameid", []string{"users", "show", "--idp", "okta", "hire0001@example.com"}},
		{"users-show-not-an-id", []string{"users", "show", "hire0001"}},
		{"users-grant-unknown-role", []string{"users", "grant", "1", "root"}},
		{"users-revoke-not-manual", []string{"users", "revoke", "1", "member"}},
		{"users-disable", []string{"users", "disable", "1"}},
		{"users-disable-again", []string{"users", "disable", "1"}},
		{"users-list-jsonl-page", []string{"users", "list", "--jsonl", "--limit", "2", "--offset", "1"}},
		{"users-stale-bad-days", []string{"users", "stale", "--days", "0"}},
		{"users-stale", []string{"users", "stale", "--days", "30", "--jsonl"}},
		{"users-delete", []string{"users", "delete", "3"}},
		{"users-stale-disable", []string{"users", "stale", "--days", "30", "--disable"}},
		{"users-stale-disable-again", []string{"users", "stale", "--days", "30", "--disable"}},
	}
	for _, s := range steps {
		r := runCLI(t, append(s.args, "--data-dir", dir)...)
		checkGolden(t, filepath.Join("admin", s.golden), adminReport(r, dir))
	}
}

// grantedAtRE matches the time of a manual grant, made when the test ran.
var grantedAtRE = regexp.MustCompile(`on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC`)

// adminReport is goldenReport with what depends on who runs the test and
// when normalized: the OS user (the actor of manual grants) and the time
// of a grant.
func adminReport(r result, dir string) []byte {
	out := string(goldenReport(r, dir))
	if u, err := user.Current(); err == nil && u.Username != "" {
		out = strings.ReplaceAll(out, " by "+u.Username, " by $USER")
	}
	return []byte(grantedAtRE.ReplaceAllString(out, "on $$GRANTED_AT"))
}

// TestUsersListStreamsPages: --jsonl writes one object a line, --limit
// and --offset page through the accounts newest first, and --json is the
// same array it always was.
func TestUsersListStreamsPages(t *testing.T) {
	dir := t.TempDir()
	seedDataDir(t, dir, 25)
	ids := func(args ...string) []int64 {
		t.Helper()
		r := runCLI(t, append(append([]string{"users", "list", "--jsonl"}, args...), "--data-dir", dir)...)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		var out []int64
		for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
			if line == "" {
				continue
			}
			var u userJSON
			if err := decodeStrict(line, &u); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			out = append(out, u.ID)
		}
		return out
	}
	all := ids()
	if len(all) != 25 || all[0] != 25 || all[24] != 1 {
		t.Fatalf("all accounts: %v", all)
	}
	if got := ids("--limit", "10", "--offset", "20"); len(got) != 5 || got[0] != 5 {
		t.Errorf("--limit 10 --offset 20: %v", got)
	}
	if got := ids("--limit", "3", "--offset", "1"); len(got) != 3 || got[0] != 24 || got[2] != 22 {
		t.Errorf("--limit 3 --offset 1: %v", got)
	}
	if got := ids("--offset", "30"); len(got) != 0 {
		t.Errorf("--offset past the end: %v", got)
	}
	var arr []userJSON
	r := runCLI(t, "users", "list", "--json", "--limit", "4", "--data-dir", dir)
	if err := decodeStrict(r.stdout, &arr); err != nil || len(arr) != 4 || arr[0].ID != 25 || !strings.HasPrefix(r.stdout, "[\n  {\n    \"id\": 25,") {
		t.Fatalf("--json --limit 4: %v, %d\n%s", err, len(arr), r.stdout)
	}
	if r := runCLI(t, "users", "list", "--json", "--search", "nobody", "--data-dir", dir); r.stdout != "[]\n" {
		t.Errorf("--json of nothing: %q", r.stdout)
	}
	if r := runCLI(t, "users", "list", "--json", "--jsonl", "--data-dir", dir); r.code != 2 {
		t.Errorf("--json --jsonl: exit %d", r.code)
	}
}

// TestIdPSetAllowsIdPInitiatedAtTheACS: an IdP-initiated, genuinely signed
// response is refused as unsolicited; after idp set --allow-idp-initiated
// the same kind of response, posted to a console opened after the change,
// signs the person in.
func TestIdPSetAllowsIdPInitiatedAtTheACS(t *testing.T) {
	dir := t.TempDir()
	base := "http://127.0.0.1:" + freePort(t)
	endpoints := func() core.Endpoints { return core.EndpointsFor(base, "p") }
	idp := samltest.Start(t, endpoints)
	meta := filepath.Join(dir, "idp.xml")
	if err := os.WriteFile(meta, idp.Metadata(), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "idp", "import", "--file", meta, "--slug", "p", "--base-url", base, "--data-dir", dir); r.code != 0 {
		t.Fatalf("idp import: exit %d\n%s", r.code, r.stderr)
	}
	keysInKeyring(t, dir, "")
	post := func() int {
		t.Helper()
		con := serving(t, dir, base)
		defer con.Close()
		client := samltest.Browser()
		action, form, err := idp.Initiated(client)
		if err != nil {
			t.Fatal(err)
		}
		status, _, err := samltest.Post(client, action, form)
		if err != nil {
			t.Fatal(err)
		}
		return status
	}
	accounts := func() int {
		t.Helper()
		users, err := readerOf(t, dir).Users(context.Background(), core.UserFilter{IdPSlug: "p"})
		if err != nil {
			t.Fatal(err)
		}
		return len(users)
	}
	if status := post(); status < 400 || accounts() != 0 {
		t.Fatalf("IdP-initiated while off: HTTP %d, %d accounts", status, accounts())
	}
	events, err := readerOf(t, dir).RecentEvents(context.Background(), 20)
	if err != nil {
		t.Fatal(err)
	}
	refused := false
	for _, e := range events {
		refused = refused || (e.Class == core.ClassUnsolicited && e.IdPSlug == "p")
	}
	if !refused {
		t.Fatal("no refusal of class unsolicited was recorded")
	}
	r := runCLI(t, "idp", "set", "p", "--allow-idp-initiated", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "allow-idp-initiated: false → true") {
		t.Fatalf("idp set: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Accepted: the ACS sends the browser on to the welcome page.
	if status := post(); (status != http.StatusSeeOther && status != http.StatusOK) || accounts() != 1 {
		t.Fatalf("IdP-initiated after idp set: HTTP %d, %d accounts", status, accounts())
	}
}

// TestIdPSetMetadataURL: --metadata-url fetches and checks the metadata
// before anything is saved; refused metadata changes nothing, the other
// flags of the same command included.
func TestIdPSetMetadataURL(t *testing.T) {
	dir := adminDataDir(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join("testdata", "metadata"))))
	t.Cleanup(srv.Close)
	before := runCLI(t, "idp", "list", "--json", "--data-dir", dir).stdout
	r := runCLI(t, "idp", "set", "okta", "--metadata-url", srv.URL+"/sp-not-an-idp.xml", "--enabled=false", "--data-dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "service provider's metadata") || !strings.Contains(r.stderr, "Nothing was saved") {
		t.Fatalf("SP metadata: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after := runCLI(t, "idp", "list", "--json", "--data-dir", dir).stdout; after != before {
		t.Fatalf("refused metadata changed the IdPs:\n%s\n%s", before, after)
	}
	r = runCLI(t, "idp", "set", "okta", "--metadata-url", srv.URL+"/onelogin.xml", "--refresh-interval", "6h", "--data-dir", dir)
	for _, want := range []string{"metadata-url: (none) → " + srv.URL + "/onelogin.xml", "refresh-interval: default (24h0m0s) → 6h0m0s", "entity ID: "} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Fatalf("exit %d, output lacks %q:\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	}
	idp, err := readerOf(t, dir).IdP(context.Background(), "okta")
	if err != nil || idp.MetadataURL != srv.URL+"/onelogin.xml" || !strings.Contains(idp.EntityID, "onelogin") || idp.RefreshEvery != 6*time.Hour {
		t.Fatalf("after idp set: %v, %q %q %s", err, idp.MetadataURL, idp.EntityID, idp.RefreshEvery)
	}
}

// serving is a console serving the data directory dir at base (its
// 127.0.0.1 port), as serve runs it.
func serving(t *testing.T, dir, base string) *core.Console {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	con, err := core.New(ctx, core.Options{Store: db, Keys: storage.NewKeyStore(dir), ListenAddr: strings.TrimPrefix(base, "http://"),
		BaseURL: base, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := con.Start(); err != nil {
		t.Fatal(err)
	}
	return con
}
