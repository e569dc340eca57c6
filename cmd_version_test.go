package main

import (
	"bytes"
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
