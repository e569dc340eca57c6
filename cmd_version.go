package main

import (
	_ "embed"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"runtime/debug"
)

// fyneAppTOML is FyneApp.toml, the one place the version is written down.
//
//go:embed FyneApp.toml
var fyneAppTOML string

// version and commit are set by release builds (make windows, make dist)
// with -ldflags "-X main.version=... -X main.commit=...". Empty, they come
// from FyneApp.toml and the Go build's VCS stamp.
var (
	version string
	commit  string
)

// tomlVersion matches the Version line of FyneApp.toml's [Details].
var tomlVersion = regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`)

// appVersion is the version this binary reports: -X main.version, else
// FyneApp.toml's.
func appVersion() string {
	if version != "" {
		return version
	}
	if m := tomlVersion.FindStringSubmatch(fyneAppTOML); m != nil {
		return m[1]
	}
	return "unknown"
}

// appCommit is the commit this binary was built from: -X main.commit, else
// the VCS stamp of the go build (with "+dirty" for uncommitted changes),
// else "unknown" (go run, go test, a build outside a checkout).
func appCommit() string {
	if commit != "" {
		return commit
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}

// cmdVersion prints the version, the commit and the Go version:
// `jitconsole --version` and `jitconsole version`.
func cmdVersion(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "jitconsole version: takes no arguments (got %q)\n", args[0])
		return errUsage
	}
	fmt.Fprintf(stdout, "jitconsole %s (commit %s, %s %s/%s)\n",
		appVersion(), appCommit(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
