package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestApplyEnv: a variable sets its flag unless the command line gave
// it; an empty variable is unset; a value the flag refuses is a usage
// error naming the variable.
func TestApplyEnv(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    string // listen, metrics, tls-cert after parsing
		wantErr string
	}{
		{"defaults", nil, nil, "127.0.0.1:8080 true ", ""},
		{"from the environment", nil,
			map[string]string{"JITCONSOLE_LISTEN": "0.0.0.0:9000", "JITCONSOLE_METRICS": "false", "JITCONSOLE_TLS_CERT": "/etc/c.pem"},
			"0.0.0.0:9000 false /etc/c.pem", ""},
		{"the command line wins", []string{"--listen", "127.0.0.1:1", "--metrics=true"},
			map[string]string{"JITCONSOLE_LISTEN": "0.0.0.0:9000", "JITCONSOLE_METRICS": "false"},
			"127.0.0.1:1 true ", ""},
		{"empty is unset", nil, map[string]string{"JITCONSOLE_LISTEN": ""}, "127.0.0.1:8080 true ", ""},
		{"bad boolean", nil, map[string]string{"JITCONSOLE_METRICS": "maybe"}, "",
			`environment variable JITCONSOLE_METRICS="maybe": want true or false`},
		{"other prefixes are ignored", nil, map[string]string{"LISTEN": "x", "jitconsole_listen": "y"}, "127.0.0.1:8080 true ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("jitconsole serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			listen := fs.String("listen", "127.0.0.1:8080", "")
			metrics := fs.Bool("metrics", true, "")
			cert := fs.String("tls-cert", "", "") // a flag another part adds
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			err := applyEnv(fs, func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(stderr.String(), tt.wantErr) {
					t.Fatalf("err %v, stderr %q, want %q", err, stderr.String(), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v: %s", err, stderr.String())
			}
			if got := strings.Join([]string{*listen, map[bool]string{true: "true", false: "false"}[*metrics], *cert}, " "); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// runBinaryEnv runs the binary to completion with extra environment
// variables.
func runBinaryEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binaryPath, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("jitconsole %s did not finish within a minute", strings.Join(args, " "))
	}
	return result{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// TestServeEnvErrorsAndHelp: a bad JITCONSOLE_* value stops serve before
// it opens anything, with exit status 2 and the variable named; --help
// names each flag's variable.
func TestServeEnvErrorsAndHelp(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ env, want string }{
		{"JITCONSOLE_METRICS=maybe", `JITCONSOLE_METRICS="maybe": want true or false`},
		{"JITCONSOLE_KEEP_EVENTS=soon", `JITCONSOLE_KEEP_EVENTS="soon"`},
		{"JITCONSOLE_LOG_FORMAT=xml", `--log-format "xml": want text or json`},
		{"JITCONSOLE_LISTEN=8080", `--listen "8080" is not HOST:PORT`},
	} {
		r := runBinaryEnv(t, []string{tt.env}, "serve", "--data-dir", dir)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s jitconsole serve: exit %d\n%s\nwant %q", tt.env, r.code, r.stderr, tt.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused serve left %d files in the data dir", len(entries))
	}
	help := runCLI(t, "serve", "--help")
	for _, v := range []string{"JITCONSOLE_LISTEN", "JITCONSOLE_BASE_URL", "JITCONSOLE_DATA_DIR", "JITCONSOLE_METRICS", "JITCONSOLE_LOG_FORMAT", "JITCONSOLE_NEW_SP_KEY"} {
		if !strings.Contains(help.stdout, "environment: "+v) {
			t.Errorf("serve --help does not name %s:\n%s", v, help.stdout)
		}
	}
}

var jsonListeningRE = regexp.MustCompile(`"msg":"listening","addr":"([^"]+)","base_url":"([^"]+)"`)

// TestServeFromEnvironment: serve configured only by JITCONSOLE_*
// variables (listen, JSON log, metrics off) logs JSON lines on stderr and
// answers 404 on /healthz and /metrics; with --metrics on the command
// line over JITCONSOLE_METRICS=false, /healthz answers 200.
func TestServeFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	env := append(os.Environ(), "JITCONSOLE_LISTEN=127.0.0.1:0", "JITCONSOLE_LOG_FORMAT=json",
		"JITCONSOLE_METRICS=false", "JITCONSOLE_DATA_DIR="+dir)
	serve := startEnv(t, env, "serve")
	addr := serve.waitFor(t, jsonListeningRE, time.Minute)[1]
	for _, path := range []string{"/healthz", "/metrics"} {
		if status := httpStatus(t, "http://"+addr+path); status != http.StatusNotFound {
			t.Errorf("GET %s with JITCONSOLE_METRICS=false: %d, want 404", path, status)
		}
	}
	if _, err := os.Stat(dir + "/jitconsole.db"); err != nil {
		t.Errorf("JITCONSOLE_DATA_DIR was not used: %v", err)
	}
	stopServe(t, serve)
	lines := strings.Split(strings.TrimSpace(serve.stderr.String()), "\n")
	if len(lines) < 3 {
		t.Fatalf("stderr has %d lines:\n%s", len(lines), serve.stderr)
	}
	for _, line := range lines {
		var rec struct{ Time, Level, Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Time == "" || rec.Level == "" || rec.Msg == "" {
			t.Errorf("a stderr line is not a JSON log record (%v): %s", err, line)
		}
	}

	again := startEnv(t, env, "serve", "--metrics")
	addr = again.waitFor(t, jsonListeningRE, time.Minute)[1]
	if status := httpStatus(t, "http://"+addr+"/healthz"); status != http.StatusOK {
		t.Errorf("GET /healthz with --metrics over JITCONSOLE_METRICS=false: %d, want 200", status)
	}
	stopServe(t, again)
}

func httpStatus(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestREADMEServiceUnit: the README's systemd unit sets only variables
// that serve has, and systemd-analyze verify passes it (where systemd is
// installed).
func TestREADMEServiceUnit(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "## Run serve as a service")
	if !ok {
		t.Fatal(`README.md has no "Run serve as a service" section`)
	}
	_, rest, _ = strings.Cut(rest, "```ini\n")
	unit, _, ok := strings.Cut(rest, "```")
	if !ok || !strings.Contains(unit, "[Service]") {
		t.Fatal("the section has no systemd unit in an ini block")
	}
	help := runCLI(t, "serve", "--help").stdout
	vars := regexp.MustCompile(`(?m)^Environment=(JITCONSOLE_[A-Z_]+)=`).FindAllStringSubmatch(unit, -1)
	if len(vars) == 0 {
		t.Fatal("the unit sets no JITCONSOLE_* variable")
	}
	for _, m := range vars {
		if !strings.Contains(help, "environment: "+m[1]+"\n") && !strings.Contains(help, "environment: "+m[1]+" ") {
			t.Errorf("the unit sets %s, which names no flag of serve", m[1])
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: the unit's syntax is not checked")
	}
	// verify wants ExecStart's binary to exist: the one under test.
	unit = strings.Replace(unit, "ExecStart=/usr/local/bin/jitconsole", "ExecStart="+binaryPath, 1)
	path := t.TempDir() + "/jitconsole.service"
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestJSONLogLines: with --log-format json the lines serve writes for a
// person (the event stream's warnings) become log records.
func TestJSONLogLines(t *testing.T) {
	var stderr bytes.Buffer
	o := &opsFlags{logFormat: "json"}
	w := o.lines(&stderr, o.logger(&stderr))
	io.WriteString(w, "WARNING: stdout is gone\n")
	io.WriteString(w, "jitconsole: 3 event lines did not reach stdout\n")
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var rec struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not JSON: %s", line)
		}
		got = append(got, rec.Level+" "+rec.Msg)
	}
	want := []string{"WARN stdout is gone", "INFO jitconsole: 3 event lines did not reach stdout"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("records %q, want %q", got, want)
	}
	if text := (&opsFlags{logFormat: "text"}).lines(&stderr, nil); text != io.Writer(&stderr) {
		t.Fatal("with --log-format text the lines go to stderr as they are")
	}
}

// TestServeTLSFromEnvironment: JITCONSOLE_TLS_CERT and JITCONSOLE_TLS_KEY
// make serve speak HTTPS, and with JITCONSOLE_LOG_FORMAT=json its HTTPS
// warnings (a self-signed certificate) are JSON records like the rest.
func TestServeTLSFromEnvironment(t *testing.T) {
	certFile, keyFile := selfSignedFiles(t)
	env := append(os.Environ(), "JITCONSOLE_LISTEN=127.0.0.1:0", "JITCONSOLE_LOG_FORMAT=json",
		"JITCONSOLE_DATA_DIR="+t.TempDir(), "JITCONSOLE_TLS_CERT="+certFile, "JITCONSOLE_TLS_KEY="+keyFile)
	serve := startEnv(t, env, "serve")
	addr := serve.waitFor(t, jsonListeningRE, time.Minute)[1]
	_, port, _ := net.SplitHostPort(addr)
	resp, err := httpsClient(t, certFile).Get("https://localhost:" + port + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz over HTTPS: %v\nstderr:\n%s", err, serve.stderr)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz over HTTPS: %s", resp.Status)
	}
	stopServe(t, serve)
	log := serve.stderr.String()
	if !strings.Contains(log, "self-signed") {
		t.Errorf("no warning about the self-signed certificate:\n%s", log)
	}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var rec struct{ Time, Level, Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.Msg == "" {
			t.Errorf("a stderr line is not a JSON log record (%v): %s", err, line)
		}
	}
}
