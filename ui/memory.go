package ui

// Giving memory back after big jobs. An impact preview or an apply over
// 100,000 accounts, a CSV export or a bulk disable raises the Go heap for
// a moment; the runtime returns the freed pages to the system only slowly,
// so the window's resident memory stayed at its peak. After such a job,
// and once the window has settled after launch, the console collects and
// returns the free memory at once (issue 10, section 5).

import (
	"runtime/debug"
	"sync/atomic"
	"time"
)

// settleAfterLaunch is how long after launch the console returns the
// memory that building the window and the first reads used.
const settleAfterLaunch = 5 * time.Second

// memoryReturner runs debug.FreeOSMemory off the UI goroutine, at most
// one at a time (a request while one runs is folded into it).
type memoryReturner struct {
	running atomic.Bool
	runs    atomic.Int64 // how many times memory was returned, for tests
}

// afterBigJob returns the free memory of the Go heap and of the C heap
// (trimCHeap) to the system in the background: a full collection, which
// stops the world for a few milliseconds on the console's heap, never on
// the UI goroutine.
func (m *memoryReturner) afterBigJob() {
	if !m.running.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer m.running.Store(false)
		debug.FreeOSMemory()
		trimCHeap()
		m.runs.Add(1)
	}()
}
