package main

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMakeInstall runs make install into a fresh HOME, as a user would,
// validates the menu entry with desktop-file-validate, runs the installed
// binary, then checks that make uninstall removes every installed file.
func TestMakeInstall(t *testing.T) {
	requireTool(t, "desktop-file-validate", "desktop-file-utils")
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	home := t.TempDir()
	env := installEnv(t, home)
	if out, err := makeIn(env, "install"); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	bin := filepath.Join(home, ".local/bin/jitconsole")
	desktop := filepath.Join(home, ".local/share/applications", AppID+".desktop")
	icon := filepath.Join(home, ".local/share/icons/hicolor/512x512/apps", AppID+".png")

	if fi, err := os.Stat(bin); err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Fatalf("installed binary %s: %v (mode %v)", bin, err, fi)
	}
	checkVersion(t, bin)
	out, err := exec.Command("desktop-file-validate", desktop).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("desktop-file-validate %s: %v\n%s", desktop, err, out)
	}
	entry, err := os.ReadFile(desktop)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"Exec=" + bin, "Icon=" + AppID, "Name=JIT Console", "StartupWMClass=JIT Console"} {
		if !strings.Contains(string(entry), line+"\n") {
			t.Errorf("%s lacks the line %q:\n%s", desktop, line, entry)
		}
	}
	checkIcon(t, icon, 512)

	if out, err := makeIn(env, "uninstall"); err != nil {
		t.Fatalf("make uninstall: %v\n%s", err, out)
	}
	for _, f := range []string{bin, desktop, icon} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("after make uninstall, %s is still there (%v)", f, err)
		}
	}
}

// checkVersion runs bin --version: make build passes the version and the
// commit (git's HEAD, when this is a git checkout) with -ldflags -X.
func checkVersion(t *testing.T, bin string) {
	t.Helper()
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "jitconsole "+appVersion()+" (commit ") {
		t.Fatalf("%s --version: %v, %q", bin, err, out)
	}
	head, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return // not a git checkout: the commit is "unknown"
	}
	if want := "(commit " + strings.TrimSpace(string(head)); !strings.Contains(string(out), want) {
		t.Errorf("%s --version printed %q, want the commit: %q", bin, out, want)
	}
}

// checkIcon fails unless path is a side×side PNG, as its hicolor
// directory says.
func checkIcon(t *testing.T, path string, side int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("icon %s: %v", path, err)
	}
	if cfg.Width != side || cfg.Height != side {
		t.Errorf("icon %s is %dx%d, its directory says %dx%d", path, cfg.Width, cfg.Height, side, side)
	}
}

// installEnv is this environment with HOME set to home, keeping the Go
// build and module caches (which default to places under HOME) where
// they are, so that make's go build is warm and offline.
func installEnv(t *testing.T, home string) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	v := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(v) != 3 {
		t.Fatalf("go env printed %q", out)
	}
	var env []string
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "HOME", "PREFIX", "MAKEFLAGS", "MAKELEVEL", "XDG_DATA_HOME":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "GOCACHE="+v[0], "GOMODCACHE="+v[1], "GOPATH="+v[2])
}

// makeIn runs make TARGET in the source directory with env.
func makeIn(env []string, target string) ([]byte, error) {
	cmd := exec.Command("make", "--no-print-directory", target)
	cmd.Env = env
	return cmd.CombinedOutput()
}
