//go:build linux && cgo

package ui

// #include <malloc.h>
import "C"

// trimCHeap hands the C heap's free memory back to the system. The window's
// OpenGL driver (Mesa's software renderer under Xvfb, and the glyph
// textures Fyne uploads) allocates with malloc; glibc keeps what is freed
// for reuse, so a dialog or a long list that came and went stayed in the
// process's resident memory.
func trimCHeap() { C.malloc_trim(0) }
