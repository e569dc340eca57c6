//go:build linux || freebsd || openbsd || netbsd || dragonfly

package storage

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeyStoreWithoutSessionBus: with no bus address and no bus in the
// user's runtime directory, the missing bus is noticed before the keyring
// is asked (which would start a bus with dbus-launch). The runtime
// directory is a temp dir, so a session bus of the user running the test
// (a desktop, a CI runner with a session) does not skip the check.
func TestKeyStoreWithoutSessionBus(t *testing.T) {
	run := t.TempDir()
	for _, addr := range []string{"", "autolaunch:"} {
		t.Run("address "+addr, func(t *testing.T) {
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
			// The fake keyring would answer; the missing bus must be
			// noticed first.
			ks := NewKeyStore(t.TempDir())
			ks.ring = &fakeRing{}
			ks.busCheck = func() error { return sessionBusMissingUnder(run) }
			inFile, why := ks.Fallback()
			if !inFile || !strings.Contains(why, "no D-Bus session bus") {
				t.Errorf("Fallback = %v, %q", inFile, why)
			}
		})
	}
}

// TestSessionBusFound: a bus address, a bus socket or a dbus-session file
// in the runtime directory is a session bus; the check says nothing.
func TestSessionBusFound(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/jitconsole-test-bus")
	if err := sessionBusMissingUnder(t.TempDir()); err != nil {
		t.Errorf("with an address: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	withSocket := shortTempDir(t)
	l, err := net.Listen("unix", filepath.Join(withSocket, "bus"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := sessionBusMissingUnder(withSocket); err != nil {
		t.Errorf("with %s/bus: %v", withSocket, err)
	}
	withFile := t.TempDir()
	if err := os.WriteFile(filepath.Join(withFile, "dbus-session"), []byte("DBUS_SESSION_BUS_ADDRESS=unix:abstract=/tmp/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := sessionBusMissingUnder(withFile); err != nil {
		t.Errorf("with %s/dbus-session: %v", withFile, err)
	}
}

// shortTempDir is a temp dir with a path short enough for a Unix socket.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "jc-bus-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
