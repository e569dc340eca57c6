package main

// A kill -9 of serve in the middle of a burst of logins: every login whose
// browser got the ACS's redirect to the welcome page must be in the
// database after the restart, whole, and no account may be left half made.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// crashLogin is how one login of the burst ended, as its browser saw it.
type crashLogin struct {
	hire    core.Persona
	welcome bool  // the ACS answered 303 to /welcome
	posted  bool  // the response reached the ACS's POST (the IdP steps were done)
	err     error // why it did not get its welcome, if it did not
	// acs, form and jar post the response again.
	acs  string
	form url.Values
	jar  http.CookieJar
}

// TestServeKillDuringBurst runs a burst of new hires through the demo IdP
// and the ACS of the real serve, SIGKILLs serve while logins are in
// flight, and checks after a restart that every login that got its 303 to
// /welcome is there, whole: the account with the roles its attributes
// earn, one accepted login row, its event and its flight recorder entry,
// all linked. Every other account in the database must be whole too (a
// login committed whose answer the kill cut off is fine; half of one is
// not). The database passes integrity_check, and the restarted serve
// signs a new hire in.
func TestServeKillDuringBurst(t *testing.T) {
	const (
		workers   = 8
		killAfter = 3 * workers // welcomes received before the kill
	)
	dir := t.TempDir()
	// One address for both runs: the responses name it as their
	// Destination, and they are posted again to the restarted console.
	listen := "127.0.0.1:" + freePort(t)
	serve := start(t, "serve", "--listen", listen, "--data-dir", dir)
	base := serve.waitFor(t, listeningRE, time.Minute)[2]
	keysInKeyring(t, dir, serve.stderr.String())
	secret, err := readHireSecret(dir)
	if err != nil {
		t.Fatal(err)
	}

	transport := &http.Transport{MaxIdleConnsPerHost: workers}
	defer transport.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// Enough distinct people that the workers never run out before the
	// kill; each worker signs them in one after the other.
	hires := make(chan core.Persona, 50*workers)
	for _, p := range core.GenerateHires(cap(hires), uint64(time.Now().UnixNano())) {
		hires <- p
	}
	close(hires)

	var (
		mu       sync.Mutex
		logins   []crashLogin
		welcomes atomic.Int64
		killed   atomic.Bool
		killOnce sync.Once
		wg       sync.WaitGroup
	)
	kill := func() {
		killOnce.Do(func() {
			killed.Store(true)
			if err := serve.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Errorf("SIGKILL serve: %v", err)
			}
		})
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range hires {
				if killed.Load() {
					return
				}
				l := burstLogin(ctx, transport, base, secret, p)
				mu.Lock()
				logins = append(logins, l)
				mu.Unlock()
				if l.welcome && welcomes.Add(1) == killAfter {
					kill()
				}
				if l.err != nil {
					return // serve is gone (or refused: reported below)
				}
			}
		}()
	}
	wg.Wait()
	if !killed.Load() {
		t.Fatalf("the burst ended before %d welcomes (%d): %v\nserve's stderr:\n%s",
			killAfter, welcomes.Load(), firstErrors(logins), serve.stderr)
	}
	<-serve.done
	if serve.cmd.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("serve ended with %v before the kill\nstderr:\n%s", serve.err, serve.stderr)
	}

	welcomed := map[string]crashLogin{}
	cut := 0
	for _, l := range logins {
		switch {
		case l.welcome:
			welcomed[l.hire.Username] = l
		case l.posted:
			cut++
		}
		var refused *acsRefusal
		if errors.As(l.err, &refused) {
			t.Errorf("the ACS refused %s before the kill: %v", l.hire.Username, l.err)
		}
	}
	t.Logf("%d logins welcomed, %d cut off at the ACS by the kill", len(welcomed), cut)

	// The file as the kill left it, before anything opens it for writing.
	if r := runCLI(t, "db", "check", "--data-dir", dir); r.code != 0 || !bytes.HasPrefix([]byte(r.stdout), []byte("ok: ")) {
		t.Fatalf("db check after the kill: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	serve = start(t, "serve", "--listen", listen, "--data-dir", dir)
	if again := serve.waitFor(t, listeningRE, time.Minute)[2]; again != base {
		t.Fatalf("the restarted serve's public URL is %s, was %s", again, base)
	}
	users := checkAccountsWhole(t, dir)
	t.Logf("%d accounts after the restart", len(users))
	for name := range welcomed {
		if _, ok := users[name]; !ok {
			t.Errorf("%s got the welcome page but has no account after the restart", name)
		}
	}

	// Each welcomed response was used up with its login: posted again
	// to the restarted console, it is refused as a replay.
	for name, l := range welcomed {
		ok, err := postToACS(ctx, transport, l)
		var refused *acsRefusal
		if ok || !errors.As(err, &refused) {
			t.Errorf("%s's response posted again after the restart: welcomed %v, %v", name, ok, err)
		}
	}
	checkRefusals(t, dir, len(welcomed))

	// The restarted console signs a new hire in, whole as well.
	if secret, err = readHireSecret(dir); err != nil {
		t.Fatal(err)
	}
	next := core.GenerateHires(1, uint64(time.Now().UnixNano())+1)[0]
	if l := burstLogin(ctx, transport, base, secret, next); !l.welcome {
		t.Fatalf("the restarted serve did not sign %s in: %v\nstderr:\n%s", next.Username, l.err, serve.stderr)
	}
	after := checkAccountsWhole(t, dir)
	if _, ok := after[next.Username]; !ok || len(after) != len(users)+1 {
		t.Errorf("after one more login: %d accounts (had %d), %s among them: %v", len(after), len(users), next.Username, ok)
	}

	if err := serve.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := serve.waitExit(t, 30*time.Second); code != 0 {
		t.Fatalf("the restarted serve exited with status %d\nstderr:\n%s", code, serve.stderr)
	}
	if r := runCLI(t, "db", "check", "--data-dir", dir); r.code != 0 {
		t.Fatalf("db check at the end: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// acsRefusal is an ACS answer other than the 303 to /welcome: a refusal of
// a login that should have been accepted.
type acsRefusal struct {
	status   int
	location string
}

func (e *acsRefusal) Error() string {
	return fmt.Sprintf("the ACS answered HTTP %d (Location %q), not 303 to /welcome", e.status, e.location)
}

// burstLogin signs the new hire p in at the console at base as a browser
// would, but stops at the ACS's answer: it reports whether that was the
// 303 to the welcome page, without following it.
func burstLogin(ctx context.Context, transport http.RoundTripper, base string, secret core.HireSecret, p core.Persona) crashLogin {
	l := crashLogin{hire: p}
	jar := core.NewBrowserJar()
	browser := &http.Client{Jar: jar, Transport: transport}
	acs, form, err := core.DemoHireResponse(ctx, browser, base, secret, p)
	if err != nil {
		l.err = err
		return l
	}
	l.posted, l.acs, l.form, l.jar = true, acs, form, jar
	l.welcome, l.err = postToACS(ctx, transport, l)
	return l
}

// postToACS posts l's response to the ACS with l's cookies and reports
// whether the answer was the 303 to the welcome page.
func postToACS(ctx context.Context, transport http.RoundTripper, l crashLogin) (bool, error) {
	noFollow := &http.Client{Jar: l.jar, Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.acs, strings.NewReader(l.form.Encode()))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noFollow.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc == nil || loc.Path != "/welcome" {
		return false, &acsRefusal{resp.StatusCode, resp.Header.Get("Location")}
	}
	return true, nil
}

// firstErrors lists the errors of the first few logins that failed.
func firstErrors(logins []crashLogin) []string {
	var out []string
	for _, l := range logins {
		if l.err != nil && len(out) < 5 {
			out = append(out, l.hire.Username+": "+l.err.Error())
		}
	}
	return out
}

// checkAccountsWhole lists the accounts with users list --json and checks,
// with the storage package read-only (beside the running console), that
// each is whole: the roles its stored attributes earn under the demo IdP's
// mapping, granted by its one accepted login, whose event and flight
// recorder entry exist and point back at it. Every user.created event and
// every accepted recording of the demo IdP belongs to one of them. It
// returns the accounts by username.
func checkAccountsWhole(t *testing.T, dir string) map[string]userJSON {
	t.Helper()
	list := runCLI(t, "users", "list", "--json", "--data-dir", dir)
	if list.code != 0 {
		t.Fatalf("users list --json: exit %d\n%s", list.code, list.stderr)
	}
	var users []userJSON
	if err := json.Unmarshal([]byte(list.stdout), &users); err != nil {
		t.Fatalf("users list --json: %v\n%s", err, list.stdout)
	}

	ctx := context.Background()
	db, err := storage.OpenReadOnly(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	idp, err := db.GetIdP(ctx, core.DemoSlug)
	if err != nil {
		t.Fatal(err)
	}
	created, err := db.ListEvents(ctx, core.EventFilter{Kinds: []core.EventKind{core.EventUserCreated}, IdPSlug: core.DemoSlug})
	if err != nil {
		t.Fatal(err)
	}
	events := map[int64]core.Event{}
	for _, e := range created {
		events[e.ID] = e
	}
	recs, err := db.ListRecordings(ctx, core.RecordingFilter{IdPSlug: core.DemoSlug, Outcome: core.OutcomeAccepted})
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != len(users) || len(recs) != len(users) {
		t.Errorf("%d accounts, but %d %s events and %d accepted recordings", len(users), len(created), core.EventUserCreated, len(recs))
	}

	byName := map[string]userJSON{}
	for _, u := range users {
		byName[u.Username] = u
		d, err := db.GetUser(ctx, u.ID)
		if err != nil {
			t.Errorf("account %d (%s) of users list: %v", u.ID, u.Username, err)
			continue
		}
		if u.IdP != core.DemoSlug || u.LoginCount != 1 || len(d.Logins) != 1 {
			t.Errorf("account %s: IdP %q, login count %d, %d login rows; want %s, 1, 1", u.Username, u.IdP, u.LoginCount, len(d.Logins), core.DemoSlug)
			continue
		}
		l := d.Logins[0]
		if l.Outcome != core.OutcomeAccepted || l.AssertionID == "" || l.EventID == 0 || l.RecordingID == 0 {
			t.Errorf("account %s: login row %+v, want accepted with an assertion ID, an event and a recording", u.Username, l)
			continue
		}

		// The roles: those its attributes earn, each granted by this login.
		want := idp.Mapping.Evaluate(d.NameID, d.Attributes, nil).Fields.Roles
		var got, wantNames, listed []string
		for _, g := range d.Roles {
			got = append(got, g.Role)
			if g.LoginID != l.ID || g.IdPSlug != core.DemoSlug {
				t.Errorf("account %s: grant %+v is not of its login %d", u.Username, g, l.ID)
			}
		}
		for _, g := range want {
			wantNames = append(wantNames, g.Role)
		}
		for _, r := range u.Roles {
			listed = append(listed, r.Role)
		}
		slices.Sort(got)
		slices.Sort(wantNames)
		slices.Sort(listed)
		if len(got) == 0 || !slices.Equal(got, wantNames) || !slices.Equal(got, listed) {
			t.Errorf("account %s: roles %v (users list: %v), its attributes %v earn %v", u.Username, got, listed, d.Attributes, wantNames)
		}

		if e, ok := events[l.EventID]; !ok || e.UserID != u.ID || e.Outcome != core.OutcomeAccepted {
			t.Errorf("account %s: login %d's event %d is %+v (found: %v)", u.Username, l.ID, l.EventID, e, ok)
		}
		rec, err := db.GetRecording(ctx, l.RecordingID)
		if err != nil {
			t.Errorf("account %s: login %d's recording: %v", u.Username, l.ID, err)
			continue
		}
		if rec.LoginID != l.ID || rec.EventID != l.EventID || rec.UserID != u.ID || rec.NameID != d.NameID ||
			rec.Outcome != core.OutcomeAccepted || rec.Action != "created" || !bytes.Contains(rec.Raw, []byte(l.AssertionID)) {
			t.Errorf("account %s (ID %d, login %d, event %d): recording %+v (%d raw bytes) does not match",
				u.Username, u.ID, l.ID, l.EventID, rec, len(rec.Raw))
		}
	}
	return byName
}

// checkRefusals checks that the database holds n refused logins of the
// demo IdP, each a replay.
func checkRefusals(t *testing.T, dir string, n int) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.OpenReadOnly(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.ListRecordings(ctx, core.RecordingFilter{IdPSlug: core.DemoSlug, Outcome: core.OutcomeRefused})
	if err != nil {
		t.Fatal(err)
	}
	classes := map[core.RefusalClass]int{}
	for _, r := range recs {
		classes[r.Class] += max(r.Count, 1)
	}
	if len(classes) != 1 || classes[core.ClassReplayed] != n {
		t.Errorf("refused logins by class %v, want %d %s", classes, n, core.ClassReplayed)
	}
}
