//go:build !linux || !cgo

package ui

// trimCHeap does nothing where the C library has no malloc_trim.
func trimCHeap() {}
