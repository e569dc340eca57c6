package main

// Tests of what the README promises about the command line, through the
// real binary: idp commands beside a running console, idp remove keeping
// accounts, the data directory's precedence, SIGINT, demo simulate's exit
// status on a partial failure, /saml/metadata and the base URL derived
// from --listen.

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

// runCLIEnv is runCLIStdin with env as the command's whole environment.
func runCLIEnv(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binaryPath, args...)
	cmd.Env = env
	var stdout, stderr strings.Builder
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &stdout, &stderr
	timer := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	err := cmd.Run()
	timer.Stop()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("jitconsole %s: %v", strings.Join(args, " "), err)
	}
	return result{code, stdout.String(), stderr.String()}
}

// httpGet returns the status and body of GET u.
func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// usersJSON is users list --json's array, as a script reads it.
type usersJSON []struct {
	IdP        string `json:"idp"`
	NameID     string `json:"name_id"`
	IdPRemoved bool   `json:"idp_removed"`
	LoginCount int    `json:"login_count"`
}

func listUsers(t *testing.T, dir string) usersJSON {
	t.Helper()
	return cliJSON[usersJSON](t, "users", "list", "--json", "--data-dir", dir)
}

// signInAt runs an SP-initiated sign-in at the console's login URL for
// slug through idp, and returns the ACS's status.
func signInAt(t *testing.T, idp *samltest.IdP, base, slug string) int {
	t.Helper()
	status, _, err := idp.SignIn(samltest.Browser(), base+"/saml/"+slug+"/login")
	if err != nil {
		t.Fatalf("sign in at /saml/%s/login: %v", slug, err)
	}
	return status
}

// TestIdPCommandsBesideServe: idp import, list and remove work beside a
// running serve, which takes the change at once: it serves the new IdP's
// endpoints and signs its users in; after idp remove it answers 404 for
// them, and the accounts stay, marked as from a removed IdP.
func TestIdPCommandsBesideServe(t *testing.T) {
	dir := t.TempDir()
	serve := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	base := serve.waitFor(t, listeningRE, time.Minute)[2]
	keysInKeyring(t, dir, serve.stderr.String())
	idp := samltest.Start(t, func() core.Endpoints {
		return core.Endpoints{EntityID: base + "/saml/metadata", MetadataURL: base + "/saml/partner/metadata"}
	})
	md := idp.Metadata()

	r := runCLIStdin(t, string(md), "idp", "import", "--stdin", "--slug", "partner", "--name", "Partner", "--base-url", base, "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, `Connected identity provider Partner as "partner".`) ||
		!strings.Contains(r.stdout, base+"/saml/partner/acs") {
		t.Fatalf("idp import beside serve: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if got := listIdPs(t, dir).slugs(); !slices.Equal(got, []string{"demo", "partner"}) {
		t.Errorf("idp list beside serve: %v", got)
	}
	if status, body := httpGet(t, base+"/saml/partner/metadata"); status != http.StatusOK || !strings.Contains(body, base+"/saml/partner/acs") {
		t.Fatalf("serve's metadata for the imported IdP: HTTP %d\n%s", status, body)
	}
	if status := signInAt(t, idp, base, "partner"); status != http.StatusSeeOther {
		t.Fatalf("a sign-in through the IdP imported beside serve: HTTP %d\nserve's stderr:\n%s", status, serve.stderr)
	}
	if us := listUsers(t, dir); len(us) != 1 || us[0].IdP != "partner" || us[0].IdPRemoved {
		t.Fatalf("accounts after the sign-in: %+v", us)
	}

	r = runCLI(t, "idp", "remove", "partner", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "Removed identity provider Partner (partner). Its 1 account stays, marked as from a removed IdP.") {
		t.Fatalf("idp remove beside serve: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if got := listIdPs(t, dir).slugs(); !slices.Equal(got, []string{"demo"}) {
		t.Errorf("idp list after idp remove: %v", got)
	}
	if us := listUsers(t, dir); len(us) != 1 || us[0].IdP != "partner" || !us[0].IdPRemoved || us[0].LoginCount != 1 {
		t.Errorf("accounts after idp remove: %+v, want Pat's, marked as from a removed IdP", us)
	}
	for _, path := range []string{"/saml/partner/metadata", "/saml/partner/login"} {
		if status, _ := httpGet(t, base+path); status != http.StatusNotFound {
			t.Errorf("serve answers GET %s with HTTP %d after idp remove, want 404", path, status)
		}
	}
	answers(t, serve, base)
	stopServe(t, serve)
}

// TestDataDirPrecedence: --data-dir wins over $JITCONSOLE_DATA_DIR, which
// wins over jitconsole/ in the user's configuration directory.
func TestDataDirPrecedence(t *testing.T) {
	flagDir, envDir, config := t.TempDir(), t.TempDir(), t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "JITCONSOLE_DATA_DIR=") && !strings.HasPrefix(kv, "XDG_CONFIG_HOME=") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "XDG_CONFIG_HOME="+config, "HOME="+config)
	withVar := append(slices.Clone(env), "JITCONSOLE_DATA_DIR="+envDir)
	md := samltest.Start(t, func() core.Endpoints { return core.Endpoints{} }).Metadata()
	defaultDir := filepath.Join(config, "jitconsole")
	for _, run := range []struct {
		env  []string
		args []string
		dir  string
		slug string
	}{
		{withVar, []string{"--data-dir", flagDir}, flagDir, "by-flag"},
		{withVar, nil, envDir, "by-variable"},
		{env, nil, defaultDir, "by-default"},
	} {
		args := append([]string{"idp", "import", "--stdin", "--slug", run.slug}, run.args...)
		r := runCLIEnv(t, run.env, string(md), args...)
		if r.code != 0 {
			t.Fatalf("jitconsole %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
		keysInKeyring(t, run.dir, r.stderr)
	}
	for dir, want := range map[string][]string{flagDir: {"by-flag"}, envDir: {"by-variable"}, defaultDir: {"by-default"}} {
		if got := listIdPs(t, dir).slugs(); !slices.Equal(got, want) {
			t.Errorf("IdPs in %s: %v, want %v", dir, got, want)
		}
	}
}

// TestServeStopsOnSIGINT: Ctrl-C stops serve cleanly (exit 0), with the
// listener's stop on stdout, and frees the data directory.
func TestServeStopsOnSIGINT(t *testing.T) {
	dir := t.TempDir()
	serve := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	serve.waitFor(t, listeningRE, time.Minute)
	keysInKeyring(t, dir, serve.stderr.String())
	if err := serve.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := serve.waitExit(t, 30*time.Second); code != 0 {
		t.Fatalf("serve exited with status %d after SIGINT\nstderr:\n%s", code, serve.stderr)
	}
	checkGUILog(t, serve.stderr.String())
	next := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	next.waitFor(t, listeningRE, time.Minute)
	stopServe(t, next)
}

// TestSimulateExits1OnPartialFailure: when some sign-ins of demo simulate
// fail (here a proxy in front of the console answers 502 to the second
// sign-in's start), it reports them and exits 1.
func TestSimulateExits1OnPartialFailure(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	// Cookies do not tell ports apart: with the base URL on 127.0.0.1, the
	// login-binding cookie set through the proxy goes to the console.
	base := "http://127.0.0.1:" + port
	serve := start(t, "serve", "--listen", "127.0.0.1:"+port, "--base-url", base, "--data-dir", dir)
	serve.waitFor(t, listeningRE, time.Minute)
	keysInKeyring(t, dir, serve.stderr.String())
	target, _ := url.Parse(base)
	var logins atomic.Int32
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) }}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/saml/demo/login" && logins.Add(1) == 2 {
			http.Error(w, "the proxy fails this one", http.StatusBadGateway)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	sim := runCLI(t, "demo", "simulate", "--count", "3", "--concurrency", "1", "--target", front.URL, "--data-dir", dir)
	if sim.code != 1 || !strings.Contains(sim.stdout, "2 signed in, 1 failed") || !strings.Contains(sim.stderr, "1 of 3 sign-ins failed") {
		t.Fatalf("demo simulate with one failure: exit %d\nstdout:\n%s\nstderr:\n%s\nserve's stderr:\n%s", sim.code, sim.stdout, sim.stderr, serve.stderr)
	}
	if n := len(listUsers(t, dir)); n != 2 {
		t.Errorf("%d accounts, want the 2 that signed in", n)
	}
	stopServe(t, serve)
}

// TestBaseURLFromListen: with only --listen, the public URL is
// http://localhost:PORT, and every SAML URL is built from it: the entity
// metadata at /saml/metadata and the demo IdP's SP metadata.
func TestBaseURLFromListen(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	serve := start(t, "serve", "--listen", "127.0.0.1:"+port, "--data-dir", dir)
	m := serve.waitFor(t, listeningRE, time.Minute)
	keysInKeyring(t, dir, serve.stderr.String())
	base := "http://localhost:" + port
	if m[1] != "127.0.0.1:"+port || m[2] != base {
		t.Fatalf("serve listens on %s with public URL %s, want 127.0.0.1:%s and %s", m[1], m[2], port, base)
	}
	for _, path := range []string{"/saml/metadata", "/saml/demo/metadata"} {
		status, body := httpGet(t, base+path)
		if status != http.StatusOK {
			t.Fatalf("GET %s: HTTP %d\n%s", path, status, body)
		}
		var md struct {
			EntityID string `xml:"entityID,attr"`
			ACS      []struct {
				Location string `xml:"Location,attr"`
			} `xml:"SPSSODescriptor>AssertionConsumerService"`
		}
		if err := xml.Unmarshal([]byte(body), &md); err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, body)
		}
		if md.EntityID != base+"/saml/metadata" || !slices.ContainsFunc(md.ACS, func(a struct {
			Location string `xml:"Location,attr"`
		}) bool {
			return a.Location == base+"/saml/demo/acs"
		}) {
			t.Errorf("GET %s: entity ID %q, ACS %+v; want %s/saml/metadata and %s/saml/demo/acs", path, md.EntityID, md.ACS, base, base)
		}
	}
	stopServe(t, serve)
}
