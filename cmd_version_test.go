package main

import (
	"bytes"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestVersion checks both spellings print FyneApp.toml's version, a commit
// and the Go version, and that arguments are a usage error.
func TestVersion(t *testing.T) {
	want := regexp.MustCompile(`^jitconsole 0\.1\.0 \(commit \S+, ` + regexp.QuoteMeta(runtime.Version()) + ` \w+/\w+\)\n$`)
	if v := appVersion(); v != tomlVersion.FindStringSubmatch(fyneAppTOML)[1] {
		t.Fatalf("appVersion() = %q, FyneApp.toml says otherwise", v)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"--version"}, 0},
		{[]string{"-version"}, 0},
		{[]string{"version"}, 0},
		{[]string{"version", "extra"}, 2},
		{[]string{"--version", "extra"}, 2},
	} {
		var out, errOut bytes.Buffer
		code := run(tc.args, strings.NewReader(""), &out, &errOut)
		if code != tc.code {
			t.Errorf("%q: exit %d, want %d (stderr %q)", tc.args, code, tc.code, errOut.String())
			continue
		}
		if code == 0 && !want.MatchString(out.String()) {
			t.Errorf("%q printed %q, want it to match %s", tc.args, out.String(), want)
		}
	}
}

// TestVersionBinary checks that the real binary names the commit it was
// built from (the go build's VCS stamp), when built inside a git checkout.
func TestVersionBinary(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not a git checkout (git rev-parse HEAD: %v): the binary has no commit to report", err)
	}
	r := runBinary(t, "--version")
	if r.code != 0 {
		t.Fatalf("jitconsole --version: exit %d, stderr %q", r.code, r.stderr)
	}
	if want := "(commit " + strings.TrimSpace(string(head))[:12]; !strings.Contains(r.stdout, want) {
		t.Fatalf("jitconsole --version printed %q, want it to contain %q", r.stdout, want)
	}
}
