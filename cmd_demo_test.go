package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

func TestDemoIdPFlags(t *testing.T) {
	cases := []struct {
		args []string
		want core.DemoOverride
		err  string
	}{
		{nil, core.DemoFromSetting, ""},
		{[]string{"--demo-idp"}, core.DemoForceOn, ""},
		{[]string{"--no-demo-idp"}, core.DemoForceOff, ""},
		{[]string{"--demo-idp", "--no-demo-idp"}, 0, "cannot be used together"},
	}
	for _, c := range cases {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		sf := addServerFlags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		err := sf.check(fs, &stderr)
		if c.err != "" {
			if !errors.Is(err, errUsage) || !strings.Contains(stderr.String(), c.err) {
				t.Errorf("%v: %v, %q; want a usage error %q", c.args, err, stderr.String(), c.err)
			}
			continue
		}
		if err != nil || sf.demo.override() != c.want {
			t.Errorf("%v: override %d, %v; want %d", c.args, sf.demo.override(), err, c.want)
		}
	}
	var none *demoIdPFlags
	if none.override() != core.DemoFromSetting {
		t.Error("commands without the flags do not leave the decision to the setting")
	}
}

func TestHireSecretFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := readHireSecret(dir); err == nil || !strings.Contains(err.Error(), "no console is running on the data directory") {
		t.Fatalf("no file: %v", err)
	}
	secret, err := core.NewHireSecret()
	if err != nil {
		t.Fatal(err)
	}
	remove, err := writeHireSecret(dir, secret)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, hireSecretFile)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode: %v, %v", fi, err)
	}
	got, err := readHireSecret(dir)
	if err != nil || got.Encode() != secret.Encode() {
		t.Fatalf("read back: %v", err)
	}
	// A newer console's secret is not removed by the older one's stop.
	newer, _ := core.NewHireSecret()
	removeNewer, err := writeHireSecret(dir, newer)
	if err != nil {
		t.Fatal(err)
	}
	remove()
	if got, err := readHireSecret(dir); err != nil || got.Encode() != newer.Encode() {
		t.Fatalf("the older console removed the newer secret: %v", err)
	}
	removeNewer()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file outlives its console: %v", err)
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readHireSecret(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged file: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// TestServeWithoutDemoIdP runs serve --no-demo-idp: the demo IdP's routes
// answer 404, demo simulate says why, and the stored switch is unchanged.
func TestServeWithoutDemoIdP(t *testing.T) {
	dir := t.TempDir()
	serve := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--no-demo-idp")
	base := serve.waitFor(t, listeningRE, time.Minute)[2]
	resp, err := http.Get(base + "/demo-idp/metadata")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /demo-idp/metadata with --no-demo-idp: %s", resp.Status)
	}
	sim := runCLI(t, "demo", "simulate", "--count", "1", "--target", base, "--data-dir", dir)
	if sim.code != 1 || !strings.Contains(sim.stderr, "demo IdP switched on?") {
		t.Errorf("demo simulate with --no-demo-idp: exit %d\n%s", sim.code, sim.stderr)
	}
	if err := serve.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := serve.waitExit(t, 20*time.Second); code != 0 {
		t.Fatalf("serve exited with status %d\n%s", code, serve.stderr)
	}
	db, err := storage.Open(context.Background(), storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, err := db.GetSetting(context.Background(), "demo.enabled"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("--no-demo-idp stored the switch: %q, %v", v, err)
	}
}
