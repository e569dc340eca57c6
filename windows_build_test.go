package main

import (
	"bytes"
	"debug/pe"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// requireTool skips the test when the command name is missing, or fails
// it where the test is required to run (CI, make test).
func requireTool(t *testing.T, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return
	}
	msg := name + " is not installed: install Debian's " + pkg + " (scripts/deps.sh test does)"
	if os.Getenv("CI") == "true" || os.Getenv("JITCONSOLE_REQUIRE_DISPLAY") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// TestWindowsBuild cross-compiles both Windows executables as make windows
// does (scripts/windows.sh) and checks their PE headers: the GUI one has
// the GUI subsystem (no console window), the CLI one the console
// subsystem, both are amd64 and carry resources (icon, version info).
func TestWindowsBuild(t *testing.T) {
	requireTool(t, "x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64")
	if testing.Short() {
		t.Skip("the Windows cross-build takes minutes cold; -short skips it")
	}
	out := t.TempDir()
	cmd := exec.Command("scripts/windows.sh", out)
	cmd.Env = append(os.Environ(), "COMMIT=test-commit-4f1e", "VERSION=9.8.7-test")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/windows.sh: %v\n%s", err, b)
	}
	for _, tc := range []struct {
		exe       string
		subsystem uint16
	}{
		{"jitconsole.exe", pe.IMAGE_SUBSYSTEM_WINDOWS_GUI},
		{"jitconsole-cli.exe", pe.IMAGE_SUBSYSTEM_WINDOWS_CUI},
	} {
		t.Run(tc.exe, func(t *testing.T) {
			path := filepath.Join(out, tc.exe)
			f, err := pe.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
				t.Errorf("machine %#x, want amd64 (%#x)", f.Machine, pe.IMAGE_FILE_MACHINE_AMD64)
			}
			oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
			if !ok {
				t.Fatalf("optional header %T, want a PE32+ header", f.OptionalHeader)
			}
			if oh.Subsystem != tc.subsystem {
				t.Errorf("subsystem %d, want %d", oh.Subsystem, tc.subsystem)
			}
			rsrc := f.Section(".rsrc")
			if rsrc == nil {
				t.Fatal("no .rsrc section: the icon and version information are missing")
			}
			data, err := rsrc.Data()
			if err != nil {
				t.Fatal(err)
			}
			// Version strings are UTF-16 in the resource section; the
			// -X values are plain strings in the binary.
			for _, want := range [][]byte{utf16le("JIT Console"), utf16le(tc.exe), []byte("\x89PNG")} {
				if !bytes.Contains(data, want) {
					t.Errorf(".rsrc does not contain %q", want)
				}
			}
			bin, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"test-commit-4f1e", "9.8.7-test"} {
				if !bytes.Contains(bin, []byte(want)) {
					t.Errorf("the executable does not contain %q (-ldflags -X)", want)
				}
			}
		})
	}
}

// utf16le encodes ASCII s as UTF-16LE, as Windows resources store text.
func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return b
}
