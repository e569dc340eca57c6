package main

// These tests run the real jitconsole binary, built once in TestMain with
// the same -race and -tags as the test itself: the command line, serve with
// simulate and users list beside it, and the GUI on an X display (make test
// provides Xvfb, a session bus and an unlocked gnome-keyring).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// binaryPath is the jitconsole executable TestMain builds.
var binaryPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "jitconsole-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binaryPath = filepath.Join(dir, "jitconsole")
	args := append([]string{"build"}, buildFlags()...)
	args = append(args, "-o", binaryPath, ".")
	cmd := exec.Command("go", args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "go %s: %v\n", strings.Join(args, " "), err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	// A race-enabled binary sleeps a second at exit by default.
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildFlags repeats the test binary's -race and -tags for the binary under
// test, so that make test's race detector watches the real GUI too.
func buildFlags() []string {
	flags := []string{"-tags", "migrated_fynedo"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "-race" && s.Value == "true":
				flags = append(flags, "-race")
			case s.Key == "-tags" && s.Value != "":
				flags[1] = s.Value
			}
		}
	}
	return flags
}

// result is how a finished command went.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the command line in this process, through run as main
// does, with empty standard input (at most a minute). The commands whose
// point is the process (serve, the GUI, signals, the environment) run
// the binary instead: runBinary.
//
// What run reads besides its arguments: standard input only through its
// stdin parameter; $JITCONSOLE_DATA_DIR only without --data-dir (every
// in-process call passes it); no flag.CommandLine and no slog default
// (each command has its own FlagSet and logger). idp import and demo
// simulate hold a SIGINT handler while they run, removed when they
// return; check-response sets crewjam's package-wide clock skew, the same
// value every time here. So these calls need no t.Setenv and leave
// nothing behind; they run one at a time, as the tests do not call
// t.Parallel.
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	return runCLIStdin(t, "", args...)
}

// runCLIStdin is runCLI with stdin as the command's standard input.
func runCLIStdin(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(args, strings.NewReader(stdin), &stdout, &stderr) }()
	select {
	case code := <-done:
		return result{code, stdout.String(), stderr.String()}
	case <-time.After(time.Minute):
		t.Fatalf("jitconsole %s did not finish within a minute\nstderr:\n%s", strings.Join(args, " "), stderr.String())
		return result{}
	}
}

// runBinary runs the binary to completion (at most a minute).
func runBinary(t *testing.T, args ...string) result {
	t.Helper()
	return runBinaryStdin(t, "", args...)
}

// runBinaryStdin is runBinary with stdin as the command's standard input.
func runBinaryStdin(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binaryPath, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("jitconsole %s: %v", strings.Join(args, " "), err)
		}
		return result{code, stdout.String(), stderr.String()}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("jitconsole %s did not finish within a minute\nstderr:\n%s", strings.Join(args, " "), stderr.String())
		return result{}
	}
}

func TestCommandLineUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		out  string // expected in stdout when code is 0, in stderr otherwise
	}{
		{[]string{"--help"}, 0, "Usage: jitconsole [--listen ADDR]"},
		{[]string{"-h"}, 0, "-data-dir DIR"},
		{[]string{"help"}, 0, "jitconsole demo simulate --count N"},
		{[]string{"serve", "--help"}, 0, "Usage: jitconsole serve"},
		{[]string{"users", "--help"}, 0, "jitconsole users delete|disable|enable|grant|list|revoke|show|stale"},
		{[]string{"users", "list", "--help"}, 0, "-search S"},
		{[]string{"demo", "--help"}, 0, "jitconsole demo simulate"},
		{[]string{"demo", "simulate", "--help"}, 0, "-concurrency C"},
		{[]string{"help"}, 0, "jitconsole check-response --response FILE"},
		{[]string{"idp", "--help"}, 0, "jitconsole idp import|list|remove"},
		{[]string{"idp", "import", "--help"}, 0, "-entity-id ID"},
		{[]string{"idp", "list", "-h"}, 0, "Usage: jitconsole idp list"},
		{[]string{"idp", "remove", "--help"}, 0, "Usage: jitconsole idp remove SLUG"},
		{[]string{"check-response", "--help"}, 0, "-idp-metadata FILE"},

		{[]string{"--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"serve", "--bogus"}, 2, "Usage: jitconsole serve"},
		{[]string{"serve", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"serve", "--listen", "8080"}, 2, "not HOST:PORT"},
		{[]string{"serve", "--base-url", "localhost:8080"}, 2, "not an http(s) URL"},
		{[]string{"serve", "--keep-events", "0"}, 2, "whole number of days"},
		{[]string{"users"}, 2, "missing command"},
		{[]string{"users", "purge"}, 2, `unknown command "purge"`},
		{[]string{"users", "delete"}, 2, "usage: jitconsole users delete (ID | --idp SLUG NAMEID)"},
		{[]string{"users", "list", "--nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"demo", "simulate"}, 2, "--count must be at least 1"},
		{[]string{"demo", "simulate", "--count", "x"}, 2, "invalid value"},
		{[]string{"demo", "simulate", "--count", "3", "--target", "ftp://x"}, 2, "not an http(s) URL"},

		{[]string{"check-response"}, 2, "--response FILE is required"},
		{[]string{"check-response", "--response", "r.xml"}, 2, "exactly one of --idp, --idp-metadata and --idp-cert"},
		{[]string{"check-response", "--response", "r.xml", "--idp", "a", "--idp-cert", "c.pem"}, 2, "exactly one of"},
		{[]string{"check-response", "--response", "r.xml", "--idp", "a", "--issuer", "x"}, 2, "--issuer goes with --idp-cert"},
		{[]string{"check-response", "--response", "r.xml", "--idp-metadata", "m.xml", "--acs", "https://sp/acs"}, 2, "both --audience and --acs are required"},
		{[]string{"check-response", "--response", "r.xml", "--idp", "a", "--at", "yesterday"}, 2, `--at "yesterday" is not an RFC 3339 time`},
		{[]string{"check-response", "--response", "r.xml", "--idp", "a", "--acs", "sp/acs"}, 2, "--acs: "},
		{[]string{"check-response", "--response", "/nonexistent/r.xml", "--idp-cert", "c.pem", "--audience", "a", "--acs", "https://sp/acs"}, 2, "no such file or directory"},
		{[]string{"check-response", "--response", "r.xml", "--idp", "a", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"idp"}, 2, "missing command"},
		{[]string{"idp", "add"}, 2, `unknown command "add"`},
		{[]string{"idp", "import"}, 2, "exactly one of --file, --url and --stdin"},
		{[]string{"idp", "import", "--file", "m.xml", "--stdin"}, 2, "exactly one of --file, --url and --stdin"},
		{[]string{"idp", "import", "--url", "ftp://idp.example/md"}, 2, "not an http(s) URL"},
		{[]string{"idp", "import", "--file", "/nonexistent/m.xml"}, 2, "no such file or directory"},
		{[]string{"idp", "import", "--stdin", "--slug", "Not A Slug"}, 2, "lower-case letters"},
		{[]string{"idp", "list", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"idp", "remove"}, 2, "which IdP? Give its SLUG"},
		{[]string{"idp", "remove", "a", "b"}, 2, `unexpected argument "b"`},
		{[]string{"idp", "remove", "--bogus", "a"}, 2, "flag provided but not defined: -bogus"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := runCLI(t, c.args...)
			if r.code != c.code {
				t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, c.code, r.stdout, r.stderr)
			}
			got, other := r.stdout, r.stderr
			if c.code != 0 {
				got, other = r.stderr, r.stdout
			}
			if !strings.Contains(got, c.out) {
				t.Fatalf("output lacks %q:\n%s", c.out, got)
			}
			// (Fyne itself may log a locale complaint on stderr under
			// LANG=C.UTF-8; usage text must not go there on success.)
			if strings.Contains(other, "Usage") || strings.Contains(other, "jitconsole") {
				t.Fatalf("usage text on the wrong stream:\n%s", other)
			}
		})
	}
}

func TestUsersListWithoutDatabase(t *testing.T) {
	r := runCLI(t, "users", "list", "--data-dir", filepath.Join(t.TempDir(), "none"))
	if r.code != 1 || !strings.Contains(r.stderr, "no JIT Console database at") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

func TestSimulateWithoutConsole(t *testing.T) {
	r := runCLI(t, "demo", "simulate", "--count", "2", "--target", "http://127.0.0.1:"+freePort(t))
	if r.code != 1 || !strings.Contains(r.stderr, "no JIT Console answers at") {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// process is a running jitconsole whose output is collected.
type process struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start starts the binary. Cleanup kills it if the test left it running.
func start(t *testing.T, args ...string) *process {
	t.Helper()
	return startEnv(t, nil, args...)
}

// startEnv starts the binary with env (nil: this process's environment).
func startEnv(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(binaryPath, args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr, p.cmd.Env = p.stdout, p.stderr, env
	return launch(t, p, nil)
}

// launch starts p's command, runs afterStart (if any) once it runs, and
// kills it at the end of the test if it is still running.
func launch(t *testing.T, p *process, afterStart func()) *process {
	t.Helper()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if afterStart != nil {
		afterStart()
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitExit waits up to d for the process to end and returns its status.
func (p *process) waitExit(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		// SIGQUIT makes the Go runtime print every goroutine: the log
		// then says where the process hangs.
		_ = p.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
		}
		t.Fatalf("%s did not exit within %v\nstderr (with the goroutines at SIGQUIT):\n%s", p.cmd.Path, d, p.stderr)
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

// waitFor polls the process's stderr for re until timeout and returns the
// submatches.
func (p *process) waitFor(t *testing.T, re *regexp.Regexp, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if m := re.FindStringSubmatch(p.stderr.String()); m != nil {
			return m
		}
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("no %q on stderr (exited: %v, %v)\nstderr:\n%s", re, p.exited(), p.err, p.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// keysInKeyring checks where the console in dataDir put its keys: under
// make test (JITCONSOLE_REQUIRE_KEYRING=1) they must be in the keyring. It
// also makes the test's cleanup delete the keyring entries it caused, so
// that tests leave nothing in a developer's own keyring.
func keysInKeyring(t *testing.T, dataDir string, stderr string) {
	t.Helper()
	_, err := os.Stat(filepath.Join(dataDir, "keys"))
	inFiles := err == nil
	// Every fallback warning speaks of the private keys ("the private
	// keys are kept in …"); other warnings (an HTTPS certificate's) are
	// not about the keyring.
	keyWarning := strings.Contains(strings.ToLower(stderr), "private keys")
	if os.Getenv("JITCONSOLE_REQUIRE_KEYRING") == "1" && (inFiles || keyWarning) {
		t.Errorf("the keys went to files although the keyring is required\nstderr:\n%s", stderr)
	}
	if inFiles || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, name := range []string{core.SPKeyName, core.DemoIdPKeyName} {
			err := keyring.Delete(storage.KeyringService, name+" @ "+abs)
			if err != nil && !errors.Is(err, keyring.ErrNotFound) {
				t.Logf("delete the keyring entry of %s: %v", name, err)
			}
		}
	})
}

var listeningRE = regexp.MustCompile(`listening on (\S+), public URL (\S+)`)

// TestServeSimulateAndList runs serve, signs five new hires in with demo
// simulate, lists them with users list while serve still runs, and stops
// serve with SIGTERM.
func TestServeSimulateAndList(t *testing.T) {
	dir := t.TempDir()
	serve := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	base := serve.waitFor(t, listeningRE, time.Minute)[2]
	keysInKeyring(t, dir, serve.stderr.String())

	resp, err := http.Get(base + "/saml/demo/metadata")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("EntityDescriptor")) {
		t.Fatalf("GET /saml/demo/metadata: %s\n%s", resp.Status, body)
	}

	// The demo IdP signs hires only with the running console's secret, in
	// its data directory (0600); another directory has none.
	secretFile := filepath.Join(dir, "demo-idp.secret")
	if fi, err := os.Stat(secretFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the hire secret file: %v, %v", fi, err)
	}
	other := t.TempDir()
	if r := runCLI(t, "demo", "simulate", "--count", "1", "--target", base, "--data-dir", other); r.code != 1 ||
		!strings.Contains(r.stderr, "no console is running on the data directory "+other) {
		t.Fatalf("demo simulate with another data dir: exit %d\n%s", r.code, r.stderr)
	}
	sim := runCLI(t, "demo", "simulate", "--count", "5", "--concurrency", "2", "--target", base, "--data-dir", dir)
	if sim.code != 0 || !strings.Contains(sim.stdout, "5 signed in, 0 failed") || !strings.Contains(sim.stderr, "5/5 signed in, 0 failed") {
		t.Fatalf("demo simulate: exit %d\nstdout:\n%s\nstderr:\n%s\nserve's stderr:\n%s", sim.code, sim.stdout, sim.stderr, serve.stderr)
	}

	list := runCLI(t, "users", "list", "--json", "--data-dir", dir)
	var users []struct {
		ID         int64  `json:"id"`
		IdP        string `json:"idp"`
		Username   string `json:"username"`
		LoginCount int    `json:"login_count"`
		Roles      []struct {
			Role string `json:"role"`
		} `json:"roles"`
	}
	if list.code != 0 {
		t.Fatalf("users list --json: exit %d\n%s", list.code, list.stderr)
	}
	if err := json.Unmarshal([]byte(list.stdout), &users); err != nil {
		t.Fatalf("users list --json: %v\n%s", err, list.stdout)
	}
	if len(users) != 5 {
		t.Fatalf("users list --json shows %d accounts, want 5:\n%s", len(users), list.stdout)
	}
	for _, u := range users {
		if u.IdP != core.DemoSlug || u.Username == "" || u.LoginCount != 1 || len(u.Roles) == 0 {
			t.Errorf("account %+v", u)
		}
	}
	table := runCLI(t, "users", "list", "--data-dir", dir, "--search", users[0].Username)
	if table.code != 0 || !strings.HasPrefix(table.stdout, "ID ") || !strings.Contains(table.stdout, users[0].Username) {
		t.Fatalf("users list --search: exit %d\n%s%s", table.code, table.stdout, table.stderr)
	}

	if err := serve.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := serve.waitExit(t, 20*time.Second); code != 0 {
		t.Fatalf("serve exited with status %d after SIGTERM\nstderr:\n%s", code, serve.stderr)
	}
	if _, err := os.Stat(secretFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the hire secret file outlives serve: %v", err)
	}
	kinds := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(serve.stdout.String()))
	for sc.Scan() {
		var e struct {
			ID      int64  `json:"id"`
			At      string `json:"at"`
			Kind    string `json:"kind"`
			Outcome string `json:"outcome"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("serve's stdout line %q is not JSON: %v", sc.Text(), err)
		}
		if _, err := time.Parse(time.RFC3339Nano, e.At); err != nil || e.ID == 0 || e.Kind == "" || e.Message == "" {
			t.Errorf("event line %s", sc.Text())
		}
		kinds[e.Kind]++
	}
	if kinds[string(core.EventUserCreated)] != 5 || kinds[string(core.EventListener)] == 0 {
		t.Fatalf("events by kind %v, want 5 %s and a %s\nstdout:\n%s", kinds, core.EventUserCreated, core.EventListener, serve.stdout)
	}
}

// TestServeWarnsWithoutKeyring: with no session bus the keys go to files,
// serve says so on stderr, and the event about it is on stdout too. The
// bus address names a socket that does not exist, so that no session bus
// of this user (found under /run/user without the variable) is reached.
func TestServeWarnsWithoutKeyring(t *testing.T) {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			env = append(env, kv)
		}
	}
	env = append(env, "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	dir := t.TempDir()
	serve := startEnv(t, env, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	serve.waitFor(t, listeningRE, time.Minute)
	if err := serve.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := serve.waitExit(t, 20*time.Second); code != 0 {
		t.Fatalf("serve exited with status %d\nstderr:\n%s", code, serve.stderr)
	}
	if !strings.Contains(serve.stderr.String(), "WARNING: ") || !strings.Contains(serve.stderr.String(), filepath.Join(dir, "keys")) {
		t.Errorf("serve's stderr lacks the key warning:\n%s", serve.stderr)
	}
	if !strings.Contains(serve.stdout.String(), `"kind":"`+string(core.EventKeyFallback)+`"`) {
		t.Errorf("serve's stdout lacks the %s event:\n%s", core.EventKeyFallback, serve.stdout)
	}
	if fi, err := os.Stat(filepath.Join(dir, "keys")); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("keys directory: %v, %v", fi, err)
	}
}

// requireDisplay skips the test without an X display, unless make test or
// CI say that it must run.
func requireDisplay(t *testing.T) {
	t.Helper()
	var why string
	if os.Getenv("DISPLAY") == "" {
		why = "no X display (DISPLAY is empty; make test runs the tests under xvfb-run)"
	}
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil && why == "" {
			why = tool + " is not installed (scripts/deps.sh test installs it)"
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("JITCONSOLE_REQUIRE_DISPLAY") == "1" || os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// startGUI starts the console window on a free port and returns the
// process, the listener's URL and the X window's ID.
func startGUI(t *testing.T) (*process, string, string) {
	t.Helper()
	requireDisplay(t)
	dir := t.TempDir()
	port := freePort(t)
	gui := start(t, "--listen", "127.0.0.1:"+port, "--data-dir", dir)
	find := exec.Command("xdotool", "search", "--sync", "--onlyvisible", "--name", "^JIT Console$")
	var out bytes.Buffer
	find.Stdout = &out
	if err := find.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan error, 1)
	go func() { found <- find.Wait() }()
	select {
	case err := <-found:
		if err != nil {
			t.Fatalf("xdotool search: %v\nstderr:\n%s", err, gui.stderr)
		}
	case <-gui.done:
		find.Process.Kill()
		<-found
		t.Fatalf("the console exited before its window appeared (%v)\nstderr:\n%s", gui.err, gui.stderr)
	case <-time.After(90 * time.Second):
		find.Process.Kill()
		<-found
		t.Fatalf("no window named \"JIT Console\" within 90 s\nstderr:\n%s", gui.stderr)
	}
	wid := strings.Fields(out.String())[0]
	keysInKeyring(t, dir, gui.stderr.String())
	return gui, "http://localhost:" + port, wid
}

// TestGUISmoke starts the real binary on the X display, finds its window,
// checks that it serves, takes a screenshot, closes the window as a window
// manager would, and expects a clean exit.
func TestGUISmoke(t *testing.T) {
	gui, base, wid := startGUI(t)

	resp, err := http.Get(base + "/saml/demo/metadata")
	if err != nil {
		t.Fatalf("the window is up but its SP listener is not: %v\nstderr:\n%s", err, gui.stderr)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /saml/demo/metadata: %s", resp.Status)
	}

	shot := filepath.Join(t.TempDir(), "window.png")
	img := screenshot(t, wid, shot)
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 500 {
		t.Errorf("the window is %dx%d, want about 1280x820", b.Dx(), b.Dy())
	}
	// The first frames may show the window half drawn: shoot again until
	// the dashboard is there, for at most 30 s.
	for deadline := time.Now().Add(30 * time.Second); ; {
		err := dashboardShown(img)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the window does not show the dashboard: %v", err)
			break
		}
		time.Sleep(200 * time.Millisecond)
		img = screenshot(t, wid, shot)
	}
	if t.Failed() {
		keepFailed(t, shot, "gui-smoke.png")
	}

	if err := closeWindow(wid); err != nil {
		t.Fatalf("close the window: %v", err)
	}
	if code := gui.waitExit(t, 20*time.Second); code != 0 {
		t.Fatalf("the console exited with status %d after its window closed\nstderr:\n%s", code, gui.stderr)
	}
	checkGUILog(t, gui.stderr.String())
}

// TestGUIStopsOnSIGTERM: a session logging out sends SIGTERM; the console
// quits like on a closed window.
//
// The pointer sweeps across the window while the signal arrives: a cursor
// event that lands after the window began closing crashed Fyne's driver
// (a nil viewport in processMouseMoved) when the console quit through
// App.Quit.
func TestGUIStopsOnSIGTERM(t *testing.T) {
	gui, _, wid := startGUI(t)
	stop := sweepPointer(t, wid)
	defer stop()
	if err := gui.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := gui.waitExit(t, 20*time.Second); code != 0 {
		t.Fatalf("the console exited with status %d after SIGTERM\nstderr:\n%s", code, gui.stderr)
	}
	checkGUILog(t, gui.stderr.String())
}

// withoutFyneShutdownRace removes from log the race detector's reports of
// one known race inside Fyne 2.7.1's shutdown, and only those: the loop
// drains and closes its main-thread queue while the lifecycle goroutine
// sends the OnStopped callback to it (fyne-io/fyne#5748, the open fix
// fyne-io/fyne#6442). Both sides are Fyne's own frames; the console's
// watchdog (cmd_gui.go) bounds the hang it can cause. Any other race,
// including one with a console frame in it, stays in the log.
func withoutFyneShutdownRace(log string) string {
	const start, end = "WARNING: DATA RACE", "=================="
	var out strings.Builder
	for {
		i := strings.Index(log, start)
		if i < 0 {
			out.WriteString(log)
			return out.String()
		}
		j := strings.Index(log[i:], end)
		if j < 0 {
			out.WriteString(log)
			return out.String()
		}
		report := log[i : i+j]
		// The access stacks come before "Goroutine N (running) created
		// at:"; the console's frames may appear after it (cmdGUI started
		// the app), which does not make the race the console's.
		accesses := report
		if k := strings.Index(report, "\nGoroutine "); k >= 0 {
			accesses = report[:k]
		}
		known := strings.Contains(accesses, "internal/async.(*UnboundedChan") &&
			strings.Contains(accesses, "runOnMainWithWait") &&
			!strings.Contains(accesses, "github.com/jitconsole/jitconsole/")
		if known {
			out.WriteString(log[:i])
		} else {
			out.WriteString(log[:i+j])
		}
		log = log[i+j+len(end):]
	}
}

// sweepPointer moves the X pointer back and forth over the window wid, from
// the navigation to the content (over text, buttons and entries, so the
// cursor shape changes), until the returned stop is called.
func sweepPointer(t *testing.T, wid string) (stop func()) {
	t.Helper()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			x := 40 + (i*37)%900
			y := 60 + (i*23)%600
			// The window may be gone already: errors end nothing here.
			_ = exec.Command("xdotool", "mousemove", "--window", wid, strconv.Itoa(x), strconv.Itoa(y)).Run()
		}
	}()
	// Let a few moves happen before the caller goes on.
	for i := 0; i < 5; i++ {
		_ = exec.Command("xdotool", "mousemove", "--window", wid, strconv.Itoa(100+i*50), "200").Run()
	}
	return func() {
		close(done)
		<-finished
	}
}

// checkGUILog fails on what Fyne and the race detector report without
// failing the process: widgets touched off the UI goroutine, data races.
func checkGUILog(t *testing.T, log string) {
	t.Helper()
	log = withoutFyneShutdownRace(log)
	for _, bad := range []string{"Error in Fyne call thread", "WARNING: DATA RACE", "panic:"} {
		if strings.Contains(log, bad) {
			t.Errorf("the console's stderr reports %q:\n%s", bad, log)
		}
	}
}

// screenshot shoots the window with import(1) until the picture shows more
// than a blank frame (the first frames may not be drawn yet).
func screenshot(t *testing.T, wid, path string) image.Image {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := exec.Command("import", "-window", wid, path).CombinedOutput()
		if err != nil {
			t.Fatalf("import -window %s: %v\n%s", wid, err, out)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("the screenshot is not a PNG: %v", err)
		}
		n := colours(img, 64)
		if n >= 16 {
			return img
		}
		if time.Now().After(deadline) {
			keepFailed(t, path, "gui-smoke.png")
			t.Fatalf("after 30 s the window shows only %d colours: nothing is drawn", n)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// colours counts the distinct colours of img, up to limit.
func colours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// keepFailed copies a picture of a failed test to testdata/failed (ignored
// by git) so that it can be looked at.
func keepFailed(t *testing.T, path, name string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	if err := os.MkdirAll(filepath.Join("testdata", "failed"), 0o755); err == nil {
		dst := filepath.Join("testdata", "failed", name)
		if os.WriteFile(dst, data, 0o644) == nil {
			t.Logf("screenshot kept in %s", dst)
		}
	}
}

// closeWindow asks the window to close the way a window manager does, with
// a WM_DELETE_WINDOW client message. xdotool's windowclose destroys the
// window under the client instead, and Xvfb runs no window manager, so
// this speaks the few X11 requests needed itself.
func closeWindow(wid string) error {
	win, err := strconv.ParseUint(wid, 0, 32)
	if err != nil {
		return fmt.Errorf("window id %q: %v", wid, err)
	}
	x, err := dialX(os.Getenv("DISPLAY"))
	if err != nil {
		return err
	}
	defer x.conn.Close()
	protocols, err := x.internAtom("WM_PROTOCOLS")
	if err != nil {
		return err
	}
	deleteWindow, err := x.internAtom("WM_DELETE_WINDOW")
	if err != nil {
		return err
	}
	ev := make([]byte, 32)
	ev[0] = 33 // ClientMessage
	ev[1] = 32 // format
	binary.LittleEndian.PutUint32(ev[4:], uint32(win))
	binary.LittleEndian.PutUint32(ev[8:], protocols)
	binary.LittleEndian.PutUint32(ev[12:], deleteWindow)
	req := make([]byte, 12, 44)
	req[0] = 25 // SendEvent, propagate false
	binary.LittleEndian.PutUint16(req[2:], 11)
	binary.LittleEndian.PutUint32(req[4:], uint32(win))
	// event mask 0: the event goes to the client that created the window.
	req = append(req, ev...)
	if _, err := x.conn.Write(req); err != nil {
		return err
	}
	// GetInputFocus is a round trip: when it answers, the event is sent.
	_, err = x.roundTrip([]byte{43, 0, 1, 0})
	return err
}

// xConn is a bare X11 connection, little-endian.
type xConn struct{ conn net.Conn }

// dialX connects to display (":99", "unix:99.0" or "host:10.0") with the
// MIT-MAGIC-COOKIE-1 from $XAUTHORITY, as xvfb-run sets it up.
func dialX(display string) (*xConn, error) {
	i := strings.LastIndex(display, ":")
	if i < 0 {
		return nil, fmt.Errorf("DISPLAY %q has no display number", display)
	}
	host, num := display[:i], display[i+1:]
	if j := strings.Index(num, "."); j >= 0 {
		num = num[:j]
	}
	var conn net.Conn
	var err error
	if host == "" || host == "unix" {
		conn, err = net.Dial("unix", "/tmp/.X11-unix/X"+num)
	} else {
		n, _ := strconv.Atoi(num)
		conn, err = net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(6000+n)))
	}
	if err != nil {
		return nil, fmt.Errorf("connect to the X display %s: %w", display, err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	name, cookie := xauthCookie(num)
	setup := make([]byte, 12)
	setup[0] = 'l'
	binary.LittleEndian.PutUint16(setup[2:], 11)
	binary.LittleEndian.PutUint16(setup[6:], uint16(len(name)))
	binary.LittleEndian.PutUint16(setup[8:], uint16(len(cookie)))
	setup = append(setup, pad4([]byte(name))...)
	setup = append(setup, pad4(cookie)...)
	if _, err := conn.Write(setup); err != nil {
		conn.Close()
		return nil, err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(conn, head); err != nil {
		conn.Close()
		return nil, fmt.Errorf("X connection setup: %w", err)
	}
	rest := make([]byte, 4*int(binary.LittleEndian.Uint16(head[6:])))
	if _, err := io.ReadFull(conn, rest); err != nil {
		conn.Close()
		return nil, fmt.Errorf("X connection setup: %w", err)
	}
	if head[0] != 1 {
		conn.Close()
		reason := rest
		if head[0] == 0 && int(head[1]) <= len(rest) {
			reason = rest[:head[1]]
		}
		return nil, fmt.Errorf("the X server refused the connection: %s", reason)
	}
	return &xConn{conn: conn}, nil
}

// xauthCookie finds the MIT-MAGIC-COOKIE-1 for display number num in
// $XAUTHORITY (or ~/.Xauthority); none means connecting without one.
func xauthCookie(num string) (string, []byte) {
	path := os.Getenv("XAUTHORITY")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".Xauthority")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil
	}
	field := func() ([]byte, bool) {
		if len(data) < 2 {
			return nil, false
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			return nil, false
		}
		f := data[2 : 2+n]
		data = data[2+n:]
		return f, true
	}
	for len(data) >= 2 {
		data = data[2:] // family
		_, ok1 := field()
		number, ok2 := field()
		name, ok3 := field()
		cookie, ok4 := field()
		if !(ok1 && ok2 && ok3 && ok4) {
			break
		}
		if string(number) == num && string(name) == "MIT-MAGIC-COOKIE-1" {
			return string(name), cookie
		}
	}
	return "", nil
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// roundTrip sends a request and returns its 32-byte reply, skipping events.
func (x *xConn) roundTrip(req []byte) ([]byte, error) {
	if _, err := x.conn.Write(req); err != nil {
		return nil, err
	}
	for {
		reply := make([]byte, 32)
		if _, err := io.ReadFull(x.conn, reply); err != nil {
			return nil, err
		}
		switch reply[0] {
		case 0:
			return nil, fmt.Errorf("X error %d for request %d", reply[1], reply[10])
		case 1:
			extra := make([]byte, 4*int(binary.LittleEndian.Uint32(reply[4:])))
			if _, err := io.ReadFull(x.conn, extra); err != nil {
				return nil, err
			}
			return reply, nil
		}
	}
}

// internAtom returns the atom named name, creating it when missing.
func (x *xConn) internAtom(name string) (uint32, error) {
	req := make([]byte, 8)
	req[0] = 16 // InternAtom, only-if-exists false
	body := pad4([]byte(name))
	binary.LittleEndian.PutUint16(req[2:], uint16(2+len(body)/4))
	binary.LittleEndian.PutUint16(req[4:], uint16(len(name)))
	reply, err := x.roundTrip(append(req, body...))
	if err != nil {
		return 0, fmt.Errorf("InternAtom %s: %w", name, err)
	}
	return binary.LittleEndian.Uint32(reply[8:]), nil
}

// crewjamTestdata is the testdata folder of the crewjam/saml module this
// build uses: responses and metadata captured from vendors' IdPs.
func crewjamTestdata(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/crewjam/saml").Output()
	if err != nil {
		t.Fatalf("find the crewjam/saml module: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "testdata")
}

// checkJSON is check-response --json's object, as a script reads it.
type checkJSON struct {
	Valid        bool                `json:"valid"`
	Class        string              `json:"class"`
	Reason       string              `json:"reason"`
	Hint         string              `json:"hint"`
	Issuer       string              `json:"issuer"`
	NameID       string              `json:"name_id"`
	NameIDFormat string              `json:"name_id_format"`
	Attributes   map[string][]string `json:"attributes"`
	Signed       []string            `json:"signed"`
	Algorithms   []string            `json:"algorithms"`
	Encrypted    bool                `json:"encrypted"`
	EvaluatedAt  time.Time           `json:"evaluated_at"`
}

func decodeCheck(t *testing.T, r result) checkJSON {
	t.Helper()
	var c checkJSON
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatalf("check-response --json printed no JSON object: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	if strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		t.Errorf("check-response --json printed more than one line:\n%s", r.stdout)
	}
	return c
}

// TestCheckResponseVendorFixtures runs check-response on the real vendor
// responses crewjam/saml ships, each at its own time with its own IdP's
// metadata: valid, with the right identity; a day later, expired.
func TestCheckResponseVendorFixtures(t *testing.T) {
	dir := crewjamTestdata(t)
	tests := []struct {
		name, response, metadata, at, audience, acs, requestID string
		nameID, signed                                         string
		encrypted                                              bool
		attribute, value                                       string // one attribute value the response carries
	}{
		{"OneLogin", "TestSPCanHandleOneloginResponse_response", "TestSPCanHandleOneloginResponse_IDPMetadata",
			"2016-01-05T17:53:12Z", "https://29ee6d2e.ngrok.io/saml/metadata", "https://29ee6d2e.ngrok.io/saml/acs",
			"id-d40c15c104b52691eccf0a2a5c8a15595be75423", "ross@kndr.org", "", false, "", ""},
		{"Okta plaintext", "TestSPCanHandlePlaintextResponse_response", "TestSPCanHandlePlaintextResponse_IDPMetadata",
			"2016-01-05T16:55:39Z", "https://29ee6d2e.ngrok.io/saml/metadata", "https://29ee6d2e.ngrok.io/saml/acs",
			"id-fd419a5ab0472645427f8e07d87a3a5dd0b2e9a6", "ross@octolabs.io", "", false, "", ""},
		{"Okta encrypted", "TestSPCanHandleOktaSignedResponseEncryptedAssertion_response", "TestSPCanHandleOktaSignedResponseEncryptedAssertion_IDPMetadata",
			"2020-03-03T19:24:28Z", "http://localhost:8000/saml/metadata", "http://localhost:8000/saml/acs",
			"id-a7364d1e4432aa9085a7a8bd824ea2fa8fa8f684", "testuser@testrsc.com", "response", true, "", ""},
		{"Entra ID", "TestSPCanHandleEntraIDResponse_response_and_assertion_signed", "TestSPCanHandleEntraIDResponse_IDPMetadata",
			"2025-06-02T15:04:06Z", "https://sp.example.com/saml/metadata", "https://sp.example.com/saml/acs",
			"id-4f6e2c9d8a7b1e3f5d0c2b4a6e8f1d3c5b7a9e0f", "alice@contoso.example", "assertion", false,
			"http://schemas.microsoft.com/identity/claims/displayname", "Alice Example"},
		{"SimpleSAMLphp-style", "TestServiceProviderCanHandleSignedAssertionsResponse_response", "TestServiceProviderCanHandleSignedAssertionsResponse_IDPMetadata",
			"2014-07-17T01:02:59Z", "http://sp.example.com/demo1/metadata.php", "http://sp.example.com/demo1/index.php?acs",
			"ONELOGIN_4fee3b046395c4e751011e97f8900b5273d56685", "_ce3d2948b4cf20146dee0a0b3dd6f69b6cf86f62d7", "assertion", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"check-response", "--json",
				"--response", filepath.Join(dir, tt.response), "--idp-metadata", filepath.Join(dir, tt.metadata),
				"--audience", tt.audience, "--acs", tt.acs, "--request-id", tt.requestID, "--at", tt.at}
			if tt.encrypted {
				args = append(args, "--sp-key", filepath.Join(dir, "sp_key.pem"))
			}
			r := runCLI(t, args...)
			if tt.name == "SimpleSAMLphp-style" {
				// Verified, then refused as the ACS refuses a transient
				// NameID without an account key attribute.
				if c := decodeCheck(t, r); r.code != 1 || c.Class != string(core.ClassTransientNameID) || c.NameID != tt.nameID {
					t.Fatalf("exit %d, %+v, want refused as %s", r.code, c, core.ClassTransientNameID)
				}
				return
			}
			if r.code != 0 {
				t.Fatalf("exit status %d, want 0\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			c := decodeCheck(t, r)
			at, _ := time.Parse(time.RFC3339, tt.at)
			if !c.Valid || c.Class != "" || c.NameID != tt.nameID || c.Issuer == "" || c.Hint == "" ||
				c.Encrypted != tt.encrypted || !c.EvaluatedAt.Equal(at) {
				t.Errorf("report %+v", c)
			}
			if tt.signed != "" && !slices.Contains(c.Signed, tt.signed) {
				t.Errorf("signed = %q, want %s among them", c.Signed, tt.signed)
			}
			if len(c.Signed) > 0 && len(c.Algorithms) == 0 {
				t.Errorf("signed %q, but no algorithms", c.Signed)
			}
			if tt.attribute != "" && !slices.Contains(c.Attributes[tt.attribute], tt.value) {
				t.Errorf("attribute %s = %q, want %q among them", tt.attribute, c.Attributes[tt.attribute], tt.value)
			}

			// A day later the same response has expired: exit status 1.
			later := slices.Clone(args)
			later[slices.Index(later, "--at")+1] = at.Add(24 * time.Hour).Format(time.RFC3339)
			r = runCLI(t, later...)
			if c := decodeCheck(t, r); r.code != 1 || c.Valid || c.Class != string(core.ClassExpired) || c.Hint == "" {
				t.Errorf("a day later: exit %d, %+v\nstderr:\n%s", r.code, c, r.stderr)
			}
		})
	}
}

// TestCheckResponseInputs: base64 on stdin, a PEM certificate as trust, a
// wrong issuer, the human report, and inputs that are not a response.
func TestCheckResponseInputs(t *testing.T) {
	dir := crewjamTestdata(t)
	response, err := os.ReadFile(filepath.Join(dir, "TestSPCanHandleEntraIDResponse_response_signed"))
	if err != nil {
		t.Fatal(err)
	}
	certPath := filepath.Join(t.TempDir(), "entra.pem")
	writeCertPEM(t, filepath.Join(dir, "TestSPCanHandleEntraIDResponse_IDPMetadata"), certPath)
	sp := []string{"--audience", "https://sp.example.com/saml/metadata", "--acs", "https://sp.example.com/saml/acs", "--at", "2025-06-02T15:04:06Z"}
	posted := base64.StdEncoding.EncodeToString(response)

	r := runCLIStdin(t, posted, append([]string{"check-response", "--json", "--response", "-", "--idp-cert", certPath}, sp...)...)
	if c := decodeCheck(t, r); r.code != 0 || !c.Valid || c.NameID != "alice@contoso.example" {
		t.Fatalf("base64 on stdin with --idp-cert: exit %d, %+v\nstderr:\n%s", r.code, c, r.stderr)
	}
	r = runCLIStdin(t, posted, append([]string{"check-response", "--json", "--response", "-", "--idp-cert", certPath,
		"--issuer", "https://idp.other.example/"}, sp...)...)
	if c := decodeCheck(t, r); r.code != 1 || c.Valid || c.Class != string(core.ClassIssuer) {
		t.Errorf("another --issuer: exit %d, %+v", r.code, c)
	}

	r = runCLI(t, append([]string{"check-response", "--response", filepath.Join(dir, "TestSPCanHandleEntraIDResponse_response_signed"),
		"--idp-cert", certPath}, sp...)...)
	for _, want := range []string{"VALID\n", "Issuer:", "NameID:        alice@contoso.example (urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress)",
		"Signed:        response", "rsa-sha256", "ATTRIBUTE", "Alice Example"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the report lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCLI(t, append([]string{"check-response", "--response", filepath.Join(dir, "TestSPCanHandleEntraIDResponse_response_signed"),
		"--idp-cert", certPath, "--request-id", "id-other"}, sp...)...)
	if r.code != 1 || !strings.HasPrefix(r.stdout, "REFUSED: "+string(core.ClassInResponseTo)+"\n") || !strings.Contains(r.stdout, "Hint:") {
		t.Errorf("another --request-id: exit %d\n%s", r.code, r.stdout)
	}

	notResponse := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notResponse, []byte("this is not a SAML response!"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, append([]string{"check-response", "--response", notResponse, "--idp-cert", certPath}, sp...)...)
	if r.code != 2 || !strings.Contains(r.stderr, "neither XML nor base64") || r.stdout != "" {
		t.Errorf("a text file as response: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, append([]string{"check-response", "--response", notResponse, "--idp-cert", notResponse}, sp...)...)
	if r.code != 2 || !strings.Contains(r.stderr, "The certificate cannot be read") {
		t.Errorf("a text file as certificate: exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	r = runCLI(t, "check-response", "--response", notResponse, "--idp", "x", "--data-dir", filepath.Join(t.TempDir(), "none"))
	if r.code != 2 || !strings.Contains(r.stderr, "no JIT Console database at") {
		t.Errorf("--idp without a database: exit %d\nstderr:\n%s", r.code, r.stderr)
	}
}

// writeCertPEM writes the first certificate of metadata as PEM to path.
func writeCertPEM(t *testing.T, metadata, path string) {
	t.Helper()
	md, err := os.ReadFile(metadata)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<(?:\w+:)?X509Certificate>([^<]+)<`).FindSubmatch(md)
	if m == nil {
		t.Fatalf("no certificate in %s", metadata)
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(m[1])), ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

// idpListJSON is idp list --json's array, as a script reads it.
type idpListJSON []struct {
	Slug           string `json:"slug"`
	DisplayName    string `json:"display_name"`
	EntityID       string `json:"entity_id"`
	Enabled        bool   `json:"enabled"`
	MetadataSource string `json:"metadata_source"`
	MetadataURL    string `json:"metadata_url"`
	Certificates   []struct {
		Use         string    `json:"use"`
		Fingerprint string    `json:"sha256_fingerprint"`
		NotAfter    time.Time `json:"not_after"`
	} `json:"certificates"`
}

func listIdPs(t *testing.T, dataDir string) idpListJSON {
	t.Helper()
	return cliJSON[idpListJSON](t, "idp", "list", "--json", "--data-dir", dataDir)
}

// cliJSON runs the CLI with args, which must exit 0, and decodes what it
// printed as a T.
func cliJSON[T any](t *testing.T, args ...string) T {
	t.Helper()
	what := strings.Join(args, " ")
	r := runCLI(t, args...)
	if r.code != 0 {
		t.Fatalf("%s: exit %d\n%s", what, r.code, r.stderr)
	}
	var out T
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, r.stdout)
	}
	return out
}

func (l idpListJSON) slugs() []string {
	var s []string
	for _, i := range l {
		s = append(s, i.Slug)
	}
	return s
}

const entraEntityID = "https://sts.windows.net/8c3a9b2e-4f1d-4e6a-9b7c-2d5e8f1a3c4b/"

// TestIdPImportListRemove connects Entra ID's real metadata to a fresh data
// directory, lists it, checks a response against it, refuses an SP's
// metadata and an aggregate without a choice, imports by URL and from
// stdin, and removes it again.
func TestIdPImportListRemove(t *testing.T) {
	fixtures := crewjamTestdata(t)
	entra := filepath.Join(fixtures, "TestSPCanHandleEntraIDResponse_IDPMetadata")
	dir := t.TempDir()

	r := runCLI(t, "idp", "import", "--file", entra, "--name", "Entra ID", "--slug", "entra", "--data-dir", dir)
	keysInKeyring(t, dir, r.stderr)
	if r.code != 0 {
		t.Fatalf("idp import --file: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{`Connected identity provider Entra ID as "entra".`, entraEntityID,
		"HTTP-Redirect", "CN=Microsoft Azure Federated SSO Certificate (signing)", "SHA-256 13:3E:CC:4A:", "to 2028-01-15",
		"SP entity ID     http://localhost:8080/saml/metadata", "ACS URL          http://localhost:8080/saml/entra/acs",
		"SP metadata URL  http://localhost:8080/saml/entra/metadata", "nameid-format:unspecified"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("idp import's output lacks %q:\n%s", want, r.stdout)
		}
	}
	// The import made the console's keys; check-response reads the SP key
	// (for encrypted assertions) without making one where there is none.
	if key, err := readerOf(t, dir).SPKeyForCheck(); err != nil || key == nil {
		t.Errorf("read the SP key after idp import: %v", err)
	}
	empty := t.TempDir()
	db, err := storage.OpenReadOnly(context.Background(), storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keyless, err := core.NewReader(context.Background(), core.Options{Store: db, Keys: storage.NewKeyStore(empty)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyless.SPKeyForCheck(); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("read the SP key of an empty data dir: %v, want ENOTFOUND", err)
	}
	if names, _ := os.ReadDir(empty); len(names) != 0 {
		t.Errorf("reading the SP key left %v in an empty data dir", names)
	}

	idps := listIdPs(t, dir)
	if len(idps) != 1 || idps[0].Slug != "entra" || idps[0].DisplayName != "Entra ID" || idps[0].EntityID != entraEntityID ||
		!idps[0].Enabled || idps[0].MetadataSource != string(core.SourceFile) || len(idps[0].Certificates) != 1 ||
		!strings.HasPrefix(idps[0].Certificates[0].Fingerprint, "13:3E:CC:4A:") {
		t.Fatalf("idp list --json: %+v", idps)
	}
	table := runCLI(t, "idp", "list", "--data-dir", dir)
	if table.code != 0 || !strings.HasPrefix(table.stdout, "SLUG ") || !strings.Contains(table.stdout, "entra") || !strings.Contains(table.stdout, "2028-01-15") {
		t.Errorf("idp list: exit %d\n%s", table.code, table.stdout)
	}

	// The console started the sign-in this response answers (a pending
	// request), as the ACS needs for a solicited response.
	pendRequest(t, dir, "entra", "id-4f6e2c9d8a7b1e3f5d0c2b4a6e8f1d3c5b7a9e0f")
	// check-response against the connected IdP: the console's own SP
	// values (its entity ID, its ACS URL) do not match a response captured
	// for another SP ...
	response := filepath.Join(fixtures, "TestSPCanHandleEntraIDResponse_response_signed")
	r = runCLI(t, "check-response", "--json", "--response", response, "--idp", "entra", "--data-dir", dir, "--at", "2025-06-02T15:04:06Z",
		"--acs", "https://sp.example.com/saml/acs")
	if c := decodeCheck(t, r); r.code != 1 || c.Class != string(core.ClassAudience) || !strings.Contains(c.Reason, "http://localhost:8080/saml/metadata") {
		t.Errorf("check-response --idp with the console's entity ID: exit %d, %+v", r.code, c)
	}
	r = runCLI(t, "check-response", "--json", "--response", response, "--idp", "entra", "--data-dir", dir, "--at", "2025-06-02T15:04:06Z",
		"--audience", "https://sp.example.com/saml/metadata")
	if c := decodeCheck(t, r); r.code != 1 || c.Class != string(core.ClassDestination) {
		t.Errorf("check-response --idp with the console's ACS URL: exit %d, %+v", r.code, c)
	}
	// ... and --audience and --acs say which SP it was for.
	r = runCLI(t, "check-response", "--json", "--response", response, "--idp", "entra", "--data-dir", dir, "--at", "2025-06-02T15:04:06Z",
		"--audience", "https://sp.example.com/saml/metadata", "--acs", "https://sp.example.com/saml/acs")
	if c := decodeCheck(t, r); r.code != 0 || !c.Valid || c.NameID != "alice@contoso.example" {
		t.Errorf("check-response --idp --audience --acs: exit %d, %+v\nstderr:\n%s", r.code, c, r.stderr)
	}
	r = runCLI(t, "check-response", "--response", response, "--idp", "okta", "--data-dir", dir)
	if r.code != 2 || !strings.Contains(r.stderr, `no identity provider is connected as "okta" (connected: entra;`) {
		t.Errorf("check-response --idp okta: exit %d\n%s", r.code, r.stderr)
	}

	// An SP's metadata: the clear message, nothing saved.
	r = runCLI(t, "idp", "import", "--file", filepath.Join(fixtures, "TestSPCanProduceMetadataWithEncryptionCert_metadata"), "--slug", "sp", "--data-dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "This is a service provider's metadata") || !strings.Contains(r.stderr, "Nothing was saved.") {
		t.Errorf("importing an SP's metadata: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if got := listIdPs(t, dir).slugs(); !slices.Equal(got, []string{"entra"}) {
		t.Errorf("after importing an SP's metadata the IdPs are %v", got)
	}

	// An aggregate of two IdPs: the entity IDs to choose from, nothing
	// saved; with --entity-id, the one chosen.
	onelogin := filepath.Join(fixtures, "TestSPCanHandleOneloginResponse_IDPMetadata")
	aggregate := filepath.Join(t.TempDir(), "aggregate.xml")
	writeAggregate(t, aggregate, entra, onelogin)
	r = runCLI(t, "idp", "import", "--file", aggregate, "--data-dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "holds 2 identity providers") ||
		!strings.Contains(r.stderr, "--entity-id "+entraEntityID) || !strings.Contains(r.stderr, "--entity-id https://app.onelogin.com/saml/metadata/503983") {
		t.Errorf("importing an aggregate: exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	if got := listIdPs(t, dir).slugs(); !slices.Equal(got, []string{"entra"}) {
		t.Errorf("after importing an aggregate the IdPs are %v", got)
	}
	r = runCLI(t, "idp", "import", "--file", aggregate, "--entity-id", "https://app.onelogin.com/saml/metadata/503983",
		"--slug", "onelogin", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "https://app.onelogin.com/saml/metadata/503983") {
		t.Errorf("importing from an aggregate with --entity-id: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}

	// By URL (served on loopback), replacing the metadata of "entra"; and
	// from stdin, with the slug made from the entity ID.
	data, err := os.ReadFile(entra)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		w.Write(data)
	}))
	defer srv.Close()
	r = runCLI(t, "idp", "import", "--url", srv.URL+"/federationmetadata.xml", "--slug", "entra", "--name", "Entra ID", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, `Replaced the metadata of identity provider Entra ID as "entra".`) {
		t.Errorf("idp import --url: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLIStdin(t, string(data), "idp", "import", "--stdin", "--base-url", "https://jit.example.com", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "https://jit.example.com/saml/sts/acs") {
		t.Errorf("idp import --stdin: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	idps = listIdPs(t, dir)
	if got := idps.slugs(); !slices.Equal(got, []string{"entra", "onelogin", "sts"}) {
		t.Fatalf("the IdPs are %v, want entra, onelogin, sts", got)
	}
	if idps[0].MetadataSource != string(core.SourceURL) || idps[0].MetadataURL != srv.URL+"/federationmetadata.xml" || idps[2].MetadataSource != string(core.SourcePaste) {
		t.Errorf("sources: %+v", idps)
	}

	r = runCLI(t, "idp", "remove", "entra", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "Removed identity provider Entra ID (entra).") {
		t.Errorf("idp remove entra: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if got := listIdPs(t, dir).slugs(); !slices.Equal(got, []string{"onelogin", "sts"}) {
		t.Errorf("after idp remove entra the IdPs are %v", got)
	}
	r = runCLI(t, "idp", "remove", "--data-dir", dir, "entra")
	if r.code != 1 || !strings.Contains(r.stderr, `No identity provider is connected as "entra".`) {
		t.Errorf("idp remove entra again: exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	r = runCLI(t, "idp", "list", "--data-dir", filepath.Join(t.TempDir(), "none"))
	if r.code != 1 || !strings.Contains(r.stderr, "no JIT Console database at") {
		t.Errorf("idp list without a database: exit %d\n%s", r.code, r.stderr)
	}
}

// writeAggregate writes an EntitiesDescriptor holding the EntityDescriptors
// of the metadata files.
func writeAggregate(t *testing.T, path string, files ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n" + `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" Name="test federation">` + "\n")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		if strings.HasPrefix(s, "<?xml") {
			s = s[strings.Index(s, "?>")+2:]
		}
		b.WriteString(s + "\n")
	}
	b.WriteString("</EntitiesDescriptor>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRulesExportImportAndDecision: rules export and import round-trip
// through a file, an invalid file changes nothing and names the field, and
// check-response --idp --json says what the mapping would do.
func TestRulesExportImportAndDecision(t *testing.T) {
	fixtures := crewjamTestdata(t)
	dir := t.TempDir()
	if r := runCLI(t, "idp", "import", "--file", filepath.Join(fixtures, "TestSPCanHandleEntraIDResponse_IDPMetadata"),
		"--slug", "entra", "--data-dir", dir); r.code != 0 {
		t.Fatalf("idp import: exit %d\n%s", r.code, r.stderr)
	}
	r := runCLI(t, "rules", "export", "--idp", "entra", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, `"version": 1`) {
		t.Fatalf("rules export: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var doc core.RulesDocument
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	doc.Mapping.RoleRules = append(doc.Mapping.RoleRules, core.RoleRule{Name: "staff", Roles: []string{"staff"},
		Conditions: []core.Condition{{Attribute: "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", Operator: core.OpExists}}})
	b, _ := json.MarshalIndent(doc, "", "  ")
	good := filepath.Join(dir, "rules.json")
	if err := os.WriteFile(good, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "rules", "import", "--idp", "entra", good, "--data-dir", dir); r.code != 0 || !strings.Contains(r.stdout, "1 rule(s)") {
		t.Fatalf("rules import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	exported := runCLI(t, "rules", "export", "--idp", "entra", "--data-dir", dir).stdout

	doc.Mapping.RoleRules[0].Conditions[0] = core.Condition{Attribute: "groups", Operator: core.OpMatches, Value: "(unclosed"}
	b, _ = json.Marshal(doc)
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "rules", "import", "--idp", "entra", bad, "--data-dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "role_rules[0].conditions[0].value") || !strings.Contains(r.stderr, "Nothing was changed") {
		t.Fatalf("invalid rules import: exit %d\n%s", r.code, r.stderr)
	}
	if again := runCLI(t, "rules", "export", "--idp", "entra", "--data-dir", dir).stdout; again != exported {
		t.Fatal("an invalid import changed the rules")
	}

	pendRequest(t, dir, "entra", "id-4f6e2c9d8a7b1e3f5d0c2b4a6e8f1d3c5b7a9e0f")
	r = runCLI(t, "check-response", "--response", filepath.Join(fixtures, "TestSPCanHandleEntraIDResponse_response_signed"),
		"--idp", "entra", "--data-dir", dir, "--at", "2025-06-02T15:04:06Z",
		"--audience", "https://sp.example.com/saml/metadata", "--acs", "https://sp.example.com/saml/acs", "--json")
	var rep core.CheckReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 {
		t.Fatalf("check-response: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if rep.Decision != "create" || rep.Fields["email"] == "" || len(rep.Roles) == 0 || !strings.Contains(rep.Reason, "first login creates it") {
		t.Fatalf("decision %q, fields %v, roles %v, reason %q", rep.Decision, rep.Fields, rep.Roles, rep.Reason)
	}
}

// pendRequest records, as the console's login endpoint does, a pending
// sign-in request of the IdP slug in the data dir, so that a captured
// response answering it counts as solicited.
func pendRequest(t *testing.T, dir, slug, requestID string) {
	t.Helper()
	db, err := storage.Open(context.Background(), storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.TrackRequest(context.Background(), "token-"+requestID, requestID, slug, "", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// TestCheckResponseAggregateTrustIsChosen: with aggregate metadata the
// admin chooses whose key to trust (--entity-id); the response's own,
// unverified Issuer never does.
func TestCheckResponseAggregateTrustIsChosen(t *testing.T) {
	fixtures := crewjamTestdata(t)
	aggregate := filepath.Join(t.TempDir(), "federation.xml")
	onelogin := filepath.Join(fixtures, "TestSPCanHandleOneloginResponse_IDPMetadata")
	writeAggregate(t, aggregate, filepath.Join(fixtures, "TestSPCanHandleEntraIDResponse_IDPMetadata"), onelogin)
	data, err := os.ReadFile(onelogin)
	if err != nil {
		t.Fatal(err)
	}
	var entity struct {
		ID string `xml:"entityID,attr"`
	}
	if err := xml.Unmarshal(data, &entity); err != nil || entity.ID == "" {
		t.Fatalf("OneLogin's entity ID: %q, %v", entity.ID, err)
	}
	ids := []string{entity.ID}
	args := []string{"check-response", "--json", "--response", filepath.Join(fixtures, "TestSPCanHandleEntraIDResponse_response_signed"),
		"--idp-metadata", aggregate, "--at", "2025-06-02T15:04:06Z",
		"--audience", "https://sp.example.com/saml/metadata", "--acs", "https://sp.example.com/saml/acs"}
	r := runCLI(t, args...)
	if r.code != 2 || !strings.Contains(r.stderr, "--entity-id") || !strings.Contains(r.stderr, entraEntityID) || r.stdout != "" {
		t.Errorf("an aggregate without --entity-id: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, append(args, "--entity-id", ids[0])...)
	if c := decodeCheck(t, r); r.code != 1 || c.Valid {
		t.Errorf("Entra's response checked against OneLogin's key: exit %d, %+v", r.code, c)
	}
	r = runCLI(t, append(args, "--entity-id", entraEntityID)...)
	if c := decodeCheck(t, r); r.code != 0 || !c.Valid || c.NameID != "alice@contoso.example" {
		t.Errorf("Entra's response checked against Entra's key: exit %d, %+v\n%s", r.code, c, r.stderr)
	}
}

// TestProcessExitStatus: the real binary's exit status for success, a
// failed command and a usage error (the in-process tests see run's return
// value; this sees what a shell sees).
func TestProcessExitStatus(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"help"}, 0, "Usage:"},
		{[]string{"users", "list", "--data-dir", filepath.Join(t.TempDir(), "none")}, 1, "no JIT Console database at"},
		{[]string{"users", "frobnicate"}, 2, `unknown command "frobnicate"`},
	} {
		r := runBinary(t, c.args...)
		if r.code != c.code || !strings.Contains(r.stdout+r.stderr, c.out) {
			t.Errorf("jitconsole %s: exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", strings.Join(c.args, " "), r.code, c.code, c.out, r.stdout, r.stderr)
		}
	}
}
