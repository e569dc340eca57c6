package main

import (
	"os"
	"syscall"
)

// shrinkPipe makes a Linux pipe's buffer one page (F_SETPIPE_SZ) and
// reports whether it could.
func shrinkPipe(f *os.File) bool {
	const fSetPipeSz = 1031
	size, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), fSetPipeSz, 4096)
	return errno == 0 && size <= 4096
}
