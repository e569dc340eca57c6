//go:build !linux

package main

import "os"

// shrinkPipe reports false: only Linux can shrink a pipe's buffer.
func shrinkPipe(*os.File) bool { return false }
