package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// localeEnvs are the locale settings of servers, containers and odd
// desktops under which no command may print Fyne's locale error.
var localeEnvs = []struct {
	name string
	vars []string
}{
	{"LANG=C", []string{"LANG=C"}},
	{"LANG=C.UTF-8", []string{"LANG=C.UTF-8"}},
	{"LANG=POSIX", []string{"LANG=POSIX"}},
	{"LC_ALL=C", []string{"LC_ALL=C", "LANG=xx_YY.UTF-8"}},
	{"unset", nil},
	{"LANG=xx_YY.UTF-8", []string{"LANG=xx_YY.UTF-8"}},
	{"LC_ALL=C.UTF-8", []string{"LC_ALL=C.UTF-8", "LANG=en_US.UTF-8"}},
	{"LANGUAGE=xx:C.UTF-8", []string{"LANG=C.UTF-8", "LANGUAGE=xx:C.UTF-8"}},
	{"LANG=de_DE@euro", []string{"LANG=de_DE@euro"}},
}

// localeEnv is this process's environment with the locale variables
// replaced by vars.
func localeEnv(vars []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES":
			continue
		}
		env = append(env, kv)
	}
	return append(env, vars...)
}

// prefsReloadRE matches the error Fyne logs when its preferences file
// watcher reloads the file while the same process is rewriting it (on
// quit): an empty read, "Cause: EOF". It has nothing to do with the
// locale, and it came and went from run to run (seen before and after
// issue 9 under make test), so noLocaleError leaves it out.
var prefsReloadRE = regexp.MustCompile(`(?m)^.*Fyne error:  Preferences load error:\n.*Cause: EOF\n.*At: .*/app/preferences\.go:\d+\n?`)

// noLocaleError fails when stderr holds Fyne's locale error or any word
// of a locale. (The tests' names avoid the word: their temporary
// directories, named after them, are on stderr.)
func noLocaleError(t *testing.T, what, stderr string) {
	t.Helper()
	stderr = prefsReloadRE.ReplaceAllString(stderr, "")
	if strings.Contains(stderr, "Fyne error") || strings.Contains(strings.ToLower(stderr), "locale") {
		t.Errorf("%s: stderr tells of the locale:\n%s", what, stderr)
	}
}

// runEnv runs the binary to completion (at most a minute) with env.
func runEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binaryPath, args...)
	var stdout, stderr bytes.Buffer
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("jitconsole %s did not finish within a minute\nstderr:\n%s", strings.Join(args, " "), stderr.String())
	case errors.As(err, &exit):
		return result{exit.ExitCode(), stdout.String(), stderr.String()}
	case err != nil:
		t.Fatalf("jitconsole %s: %v", strings.Join(args, " "), err)
	}
	return result{0, stdout.String(), stderr.String()}
}

// TestCommandsQuietUnderAnyLANG runs serve and the other commands under
// each locale setting: none prints Fyne's locale error, which Fyne's
// package init logs for a locale it cannot parse (internal/fynelocale).
func TestCommandsQuietUnderAnyLANG(t *testing.T) {
	for _, le := range localeEnvs {
		t.Run(le.name, func(t *testing.T) {
			t.Parallel()
			env := localeEnv(le.vars)
			dir := t.TempDir()

			serve := startEnv(t, env, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
			serve.waitFor(t, listeningRE, time.Minute)
			if err := serve.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if code := serve.waitExit(t, 30*time.Second); code != 0 {
				t.Fatalf("serve exited with status %d\nstderr:\n%s", code, serve.stderr)
			}
			noLocaleError(t, "serve", serve.stderr.String())

			for _, c := range []struct {
				args []string
				code int
			}{
				{[]string{"--help"}, 0},
				{[]string{"serve", "--help"}, 0},
				{[]string{"users", "list", "--data-dir", dir}, 0},
				{[]string{"idp", "list", "--data-dir", dir}, 0},
				{[]string{"db", "check", "--data-dir", dir}, 0},
				{[]string{"check-response", "--data-dir", dir}, 2},
			} {
				r := runEnv(t, env, c.args...)
				what := "jitconsole " + strings.Join(c.args, " ")
				if r.code != c.code {
					t.Errorf("%s: exit %d, want %d\nstderr:\n%s", what, r.code, c.code, r.stderr)
				}
				noLocaleError(t, what, r.stderr)
			}
		})
	}
}

// TestGUIQuietUnderUnparsableLANG opens the console window under a locale Fyne
// cannot parse: it comes up (in English) without Fyne's locale error.
func TestGUIQuietUnderUnparsableLANG(t *testing.T) {
	requireDisplay(t)
	for _, vars := range [][]string{{"LANG=C.UTF-8"}, {"LANG=xx_YY.UTF-8"}} {
		t.Run(vars[0], func(t *testing.T) {
			// A config dir of its own: Fyne's preferences file is not
			// shared with the other windows the tests open at the same
			// time (one reading it while another writes it logs a Fyne
			// error that has nothing to do with the locale).
			env := append(localeEnv(vars), "XDG_CONFIG_HOME="+t.TempDir())
			gui := startEnv(t, env, "--listen", "127.0.0.1:0", "--data-dir", t.TempDir())
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			find := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--name", "^JIT Console$")
			found := make(chan error, 1)
			go func() { found <- find.Run() }()
			select {
			case err := <-found:
				if err != nil {
					t.Fatalf("no console window within 90 s: %v\nstderr:\n%s", err, gui.stderr)
				}
			case <-gui.done:
				cancel()
				<-found
				t.Fatalf("the console exited before its window appeared (%v)\nstderr:\n%s", gui.err, gui.stderr)
			}
			if err := gui.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if code := gui.waitExit(t, 20*time.Second); code != 0 {
				t.Fatalf("the console exited with status %d\nstderr:\n%s", code, gui.stderr)
			}
			noLocaleError(t, "the console window", gui.stderr.String())
			checkGUILog(t, gui.stderr.String())
		})
	}
}
