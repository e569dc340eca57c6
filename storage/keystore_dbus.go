//go:build linux || freebsd || openbsd || netbsd || dragonfly

package storage

import (
	"errors"
	"fmt"
	"os"
)

// sessionBusMissing returns an error when there is no D-Bus session bus to
// reach the Secret Service on. Without this check the D-Bus library would
// start one with dbus-launch, which never exits and has no keyring on it.
func sessionBusMissing() error {
	return sessionBusMissingUnder(fmt.Sprintf("/run/user/%d", os.Getuid()))
}

// sessionBusMissingUnder is sessionBusMissing with the user's runtime
// directory (where the D-Bus library looks for the bus) given.
func sessionBusMissingUnder(run string) error {
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return nil
	}
	for _, f := range []string{run + "/bus", run + "/dbus-session"} {
		if _, err := os.Stat(f); err == nil {
			return nil
		}
	}
	return errors.New("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set")
}
