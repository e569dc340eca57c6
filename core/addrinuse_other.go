//go:build !windows

package core

import (
	"errors"
	"syscall"
)

// isAddrInUse reports whether err says the listen address is taken.
func isAddrInUse(err error) bool { return errors.Is(err, syscall.EADDRINUSE) }
