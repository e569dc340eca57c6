package core

import (
	"errors"
	"syscall"
)

// wsaeAddrInUse is Winsock's "address already in use" (WSAEADDRINUSE),
// what net.Listen returns on Windows; syscall.EADDRINUSE is a number Go
// invents there, which no socket call returns.
const wsaeAddrInUse = syscall.Errno(10048)

// isAddrInUse reports whether err says the listen address is taken.
func isAddrInUse(err error) bool { return errors.Is(err, wsaeAddrInUse) }
