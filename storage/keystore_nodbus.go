//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package storage

// sessionBusMissing is nil where the OS keyring does not use D-Bus.
func sessionBusMissing() error { return nil }
