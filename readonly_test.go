package main

// The read-only commands write nothing, proven in a way that holds even as
// root (for whom permission bits stop nothing): every file of the data
// directory keeps its size, its modification time and its content, and no
// file appears (no key, no lock file) but the two that SQLite's read
// protocol for a WAL database makes in a writable directory: an empty
// -wal (a write would fill it, or, checkpointed, change the database's
// bytes) and the -shm index. TestReadOnlyCommandsOnReadOnlyDataDir
// (cmd_db_test.go) runs the same commands as an unprivileged user on a
// read-only data directory, where not even those two may appear.

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// snapshot describes every file under dir: path, size, modification time
// and a hash of the content.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			lines = append(lines, fmt.Sprintf("%s/ %v", rel, fi.Mode()))
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("%s %d %s %x", rel, fi.Size(), fi.ModTime().UTC().Format("15:04:05.000000000"), sha256.Sum256(data)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestReadOnlyCommandsWriteNothing runs every read-only command on a data
// directory with an IdP and a pending sign-in, and checks that the
// directory is exactly as before, file by file.
func TestReadOnlyCommandsWriteNothing(t *testing.T) {
	dir := t.TempDir()
	seedDataDir(t, dir, 3)
	imp := runCLI(t, "idp", "import", "--file", filepath.Join("testdata", "metadata", "entra-id.xml"), "--slug", "entra", "--data-dir", dir)
	if imp.code != 0 {
		t.Fatalf("idp import: exit %d\n%s", imp.code, imp.stderr)
	}
	keysInKeyring(t, dir, imp.stderr)
	pendRequest(t, dir, "entra", "id-4f6e2c9d8a7b1e3f5d0c2b4a6e8f1d3c5b7a9e0f")
	if _, err := os.Stat(filepath.Join(dir, "jitconsole.db-wal")); err == nil {
		t.Fatal("the database was left open (a -wal file): the test would not see one appear")
	}

	before := snapshot(t, dir)
	response := filepath.Join("testdata", "responses", "entra-id-both-signed.xml")
	for _, args := range [][]string{
		{"users", "list"},
		{"users", "list", "--json", "--search", "hire0001"},
		{"idp", "list", "--json"},
		{"rules", "export", "--idp", "entra"},
		{"check-response", "--json", "--idp", "entra", "--response", response, "--at", goldenAt,
			"--audience", "https://sp.example.com/saml/metadata", "--acs", "https://sp.example.com/saml/acs"},
		{"idp", "import", "--dry-run", "--file", filepath.Join("testdata", "metadata", "okta.xml")},
		{"db", "check"},
	} {
		r := runCLI(t, append(args, "--data-dir", dir)...)
		if r.code != 0 {
			t.Errorf("jitconsole %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		if after := snapshot(t, dir); withoutReadIndex(t, dir, after) != before {
			t.Fatalf("jitconsole %s changed the data directory:\nbefore:\n%s\nafter:\n%s", strings.Join(args, " "), before, after)
		}
	}
}

// withoutReadIndex drops from a snapshot of dir the lines of the files
// SQLite's readers make beside a WAL database: the -shm index, and the
// -wal when it is empty (any write would have filled it).
func withoutReadIndex(t *testing.T, dir, snap string) string {
	t.Helper()
	var kept []string
	for _, line := range strings.Split(snap, "\n") {
		name, rest, _ := strings.Cut(line, " ")
		switch {
		case name == "jitconsole.db-shm":
		case name == "jitconsole.db-wal" && strings.HasPrefix(rest, "0 "):
		default:
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}
