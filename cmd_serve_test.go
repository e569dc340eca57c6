package main

// Real-binary tests of serve in a hostile environment: a stdout reader
// that goes away or stalls, and a second console on the same data dir.

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// startWithStdout starts the binary with stdout going to w (the write end
// of a pipe the test holds the read end of).
func startWithStdout(t *testing.T, w *os.File, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(binaryPath, args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = w, p.stderr
	return launch(t, p, func() { w.Close() }) // the child has its copy
}

// simulate signs n new hires in at base and fails the test unless all
// succeed.
func simulate(t *testing.T, base, dir string, n int, serve *process) {
	t.Helper()
	sim := runCLI(t, "demo", "simulate", "--count", strconv.Itoa(n), "--concurrency", "4", "--target", base, "--data-dir", dir)
	if want := strconv.Itoa(n) + " signed in, 0 failed"; sim.code != 0 || !strings.Contains(sim.stdout, want) {
		t.Fatalf("demo simulate: exit %d\n%s%s\nserve's stderr:\n%s", sim.code, sim.stdout, sim.stderr, serve.stderr)
	}
}

// stopServe sends SIGTERM and wants exit status 0 within 30 s.
func stopServe(t *testing.T, serve *process) {
	t.Helper()
	if err := serve.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := serve.waitExit(t, 30*time.Second); code != 0 {
		t.Fatalf("serve exited with status %d after SIGTERM\nstderr:\n%s", code, serve.stderr)
	}
}

// answers fails the test unless serve is up and serves its metadata.
func answers(t *testing.T, serve *process, base string) {
	t.Helper()
	if serve.exited() {
		t.Fatalf("serve exited: %v\nstderr:\n%s", serve.err, serve.stderr)
	}
	resp, err := http.Get(base + "/saml/demo/metadata")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /saml/demo/metadata: %s", resp.Status)
	}
}

// countUsers runs users list --json beside the console.
func countUsers(t *testing.T, dir string) int {
	t.Helper()
	list := runCLI(t, "users", "list", "--json", "--data-dir", dir)
	if list.code != 0 {
		t.Fatalf("users list: exit %d\n%s", list.code, list.stderr)
	}
	return strings.Count(list.stdout, `"name_id"`)
}

var stdoutFailedRE = regexp.MustCompile(`WARNING: writing events to stdout failed`)

// TestServeSurvivesStdoutReaderExit: like serve | head -n 1. The reader
// reads one line and exits; the next logins must not kill serve (SIGPIPE,
// exit 141): it warns once, goes on serving, and exits 0 on SIGTERM.
func TestServeSurvivesStdoutReaderExit(t *testing.T) {
	dir := t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	serve := startWithStdout(t, w, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	base := serve.waitFor(t, listeningRE, time.Minute)[2]
	keysInKeyring(t, dir, serve.stderr.String())
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, `{"id":`) {
		t.Fatalf("first stdout line %q: %v", line, err)
	}
	r.Close()

	simulate(t, base, dir, 3, serve)
	serve.waitFor(t, stdoutFailedRE, 30*time.Second)
	simulate(t, base, dir, 2, serve)
	answers(t, serve, base)
	if n := countUsers(t, dir); n != 5 {
		t.Fatalf("users list shows %d accounts, want 5", n)
	}
	stopServe(t, serve)
	if n := len(stdoutFailedRE.FindAllString(serve.stderr.String(), -1)); n != 1 {
		t.Errorf("the stdout warning is on stderr %d times, want once:\n%s", n, serve.stderr)
	}
}

// TestServeWithStalledStdoutReader: the reader never reads. Logins go on
// while the pipe is full, and SIGTERM still ends serve promptly.
func TestServeWithStalledStdoutReader(t *testing.T) {
	dir := t.TempDir()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	logins := 100 // some 80 KB of event lines fill a 64 KiB pipe
	if shrinkPipe(w) {
		logins = 20
	}
	serve := startWithStdout(t, w, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	base := serve.waitFor(t, listeningRE, time.Minute)[2]
	keysInKeyring(t, dir, serve.stderr.String())

	simulate(t, base, dir, logins, serve)
	answers(t, serve, base)
	stopServe(t, serve)
	if !strings.Contains(serve.stderr.String(), "stdout did not take the last event lines") {
		t.Fatalf("stdout was not stalled (the test proves nothing):\n%s", serve.stderr)
	}
	if n := countUsers(t, dir); n != logins {
		t.Fatalf("users list shows %d accounts, want %d", n, logins)
	}
}

// TestSecondConsoleRefused: a second serve or GUI on the same data dir
// refuses with the first one's PID and address; the read-only and the
// configuration commands work beside it, db restore and db reset do not;
// and a lock left by a killed console is no obstacle.
func TestSecondConsoleRefused(t *testing.T) {
	dir := t.TempDir()
	first := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	m := first.waitFor(t, listeningRE, time.Minute)
	addr, base := m[1], m[2]
	keysInKeyring(t, dir, first.stderr.String())
	simulate(t, base, dir, 2, first)

	want := "another JIT Console (PID " + strconv.Itoa(first.cmd.Process.Pid) + ", listening on " + addr + ") is using " + dir +
		"; stop it first, or use another --data-dir"
	for _, args := range [][]string{
		{"serve", "--listen", "127.0.0.1:0", "--data-dir", dir},
		{"db", "restore", filepath.Join(dir, "jitconsole.db"), "--data-dir", dir},
		{"db", "reset", "--data-dir", dir},
	} {
		second := runCLI(t, args...)
		if args[0] == "serve" {
			second = runBinary(t, args...)
		}
		if second.code != 1 || !strings.Contains(second.stderr, want) {
			t.Errorf("jitconsole %s: exit %d\nstderr:\n%s\nwant %q", strings.Join(args, " "), second.code, second.stderr, want)
		}
	}
	// The GUI with no display says it on stderr (with one, in a window:
	// TestGUIRefusesSecondConsole).
	gui := startEnv(t, withoutDisplay(), "--listen", "127.0.0.1:0", "--data-dir", dir)
	if code := gui.waitExit(t, time.Minute); code != 1 || !strings.Contains(gui.stderr.String(), want) {
		t.Errorf("a second GUI: exit %d\nstderr:\n%s\nwant %q", code, gui.stderr, want)
	}
	metadata := filepath.Join(t.TempDir(), "idp.xml")
	resp, err := http.Get(base + "/demo-idp/metadata")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := os.WriteFile(metadata, body, 0o600); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	for _, args := range [][]string{
		{"users", "list"},
		{"idp", "list"},
		{"rules", "export", "--idp", "demo"},
		{"idp", "import", "--file", metadata, "--slug", "copy", "--name", "Copy"},
		{"rules", "export", "--idp", "copy"},
		{"idp", "remove", "copy"},
		{"db", "check"},
		{"db", "backup", backup},
	} {
		beside := runCLI(t, append(args, "--data-dir", dir)...)
		if beside.code != 0 {
			t.Errorf("jitconsole %s beside serve: exit %d\n%s%s", strings.Join(args, " "), beside.code, beside.stdout, beside.stderr)
		}
	}
	if n := countUsers(t, dir); n != 2 {
		t.Errorf("users list shows %d accounts, want 2", n)
	}
	answers(t, first, base)

	// A console killed outright leaves its lock file; the OS lock went
	// with the process.
	first.cmd.Process.Kill()
	first.waitExit(t, 30*time.Second)
	next := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	next.waitFor(t, listeningRE, time.Minute)
	stopServe(t, next)
}

// TestServeRefusesLostSPKey: the SP key gone (key file or keyring entry)
// while the database remains: serve refuses and says what to do; with
// --new-sp-key it starts, warns, and the key.replaced event is on stdout.
func TestServeRefusesLostSPKey(t *testing.T) {
	dir := t.TempDir()
	first := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	first.waitFor(t, listeningRE, time.Minute)
	keysInKeyring(t, dir, first.stderr.String())
	stopServe(t, first)
	loseSPKey(t, dir)

	refused := runBinary(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	if refused.code != 1 || !strings.Contains(refused.stderr, "The SP's private key is missing") || !strings.Contains(refused.stderr, "--new-sp-key") {
		t.Fatalf("serve without the SP key: exit %d\n%s", refused.code, refused.stderr)
	}
	again := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--new-sp-key")
	again.waitFor(t, listeningRE, time.Minute)
	stopServe(t, again)
	if !strings.Contains(again.stderr.String(), "WARNING: A new SP signing key replaced the lost one") ||
		!strings.Contains(again.stdout.String(), `"kind":"key.replaced"`) {
		t.Fatalf("serve --new-sp-key:\nstderr:\n%s\nstdout:\n%s", again.stderr, again.stdout)
	}
}

// loseSPKey deletes the SP key where the console kept it: its file, or its
// OS keyring entry.
func loseSPKey(t *testing.T, dir string) {
	t.Helper()
	file := filepath.Join(dir, "keys", core.SPKeyName+".key")
	if err := os.Remove(file); err == nil {
		return
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := keyring.Delete(storage.KeyringService, core.SPKeyName+" @ "+abs); err != nil {
		t.Fatalf("the SP key is neither in %s nor in the keyring: %v", file, err)
	}
}

// withoutDisplay is this process's environment without an X or Wayland
// display.
func withoutDisplay() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			env = append(env, kv)
		}
	}
	return env
}

// TestGUIRefusesSecondConsole: a second console window on a data dir that
// serve uses shows why it cannot start, and exits 1 when closed.
func TestGUIRefusesSecondConsole(t *testing.T) {
	requireDisplay(t)
	dir := t.TempDir()
	first := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	addr := first.waitFor(t, listeningRE, time.Minute)[1]
	keysInKeyring(t, dir, first.stderr.String())

	gui := start(t, "--listen", "127.0.0.1:0", "--data-dir", dir)
	gui.waitFor(t, regexp.MustCompile(`another JIT Console \(PID `+strconv.Itoa(first.cmd.Process.Pid)+`, listening on `+regexp.QuoteMeta(addr)+`\)`), time.Minute)
	find := exec.Command("xdotool", "search", "--sync", "--onlyvisible", "--name", "^JIT Console$")
	out, err := runWithin(find, 90*time.Second)
	if err != nil {
		t.Fatalf("no window of the refused console: %v\nstderr:\n%s", err, gui.stderr)
	}
	wid := strings.Fields(out)[0]
	if err := dashboardShown(screenshot(t, wid, filepath.Join(t.TempDir(), "refused.png"))); err == nil {
		t.Error("the refused console's window passes for the dashboard: the check cannot tell the two apart")
	}
	if err := closeWindow(wid); err != nil {
		t.Fatalf("close the window: %v", err)
	}
	if code := gui.waitExit(t, 30*time.Second); code != 1 {
		t.Fatalf("the refused console exited with status %d, want 1\nstderr:\n%s", code, gui.stderr)
	}
	checkGUILog(t, gui.stderr.String())
	answers(t, first, "http://"+addr)
	stopServe(t, first)
}

// runWithin runs cmd, killing it after d, and returns its stdout.
func runWithin(cmd *exec.Cmd, d time.Duration) (string, error) {
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	timer := time.AfterFunc(d, func() { cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	return out.String(), err
}
