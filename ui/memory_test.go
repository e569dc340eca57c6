package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// TestMemoryIsReturnedAfterBigJobs checks that an impact preview and an
// Apply now, each a walk over every account of an IdP, hand the freed
// memory back to the system when they end.
func TestMemoryIsReturnedAfterBigJobs(t *testing.T) {
	h := newHarness(t, nil)
	h.app.settled.Stop() // only the jobs return memory in this test
	if err := core.DemoLoginAs(context.Background(), nil, h.con.BaseURL(), "alice"); err != nil {
		t.Fatal(err)
	}
	r := h.openRules()
	m := &h.app.memory
	before := m.runs.Load()
	test.Tap(r.previewBtn)
	h.waitFor("the preview", func() bool { return r.impact.last != nil || r.impact.note.Importance == widget.DangerImportance })
	h.waitFor("memory returned after the preview", func() bool { return m.runs.Load() > before })

	before = m.runs.Load()
	r.doApply()
	h.waitFor("Apply now", func() bool { return !r.busy })
	h.waitFor("memory returned after Apply now", func() bool { return m.runs.Load() > before })
}

// TestMemoryReturnerFoldsRequests checks that requests made while one
// return runs are folded into it, and that a later one runs again.
func TestMemoryReturnerFoldsRequests(t *testing.T) {
	var m memoryReturner
	m.running.Store(true) // one is running
	m.afterBigJob()
	if m.runs.Load() != 0 {
		t.Fatal("a request while one runs started another")
	}
	m.running.Store(false)
	m.afterBigJob()
	deadline := time.Now().Add(30 * time.Second)
	for m.running.Load() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond) // polling a condition, not waiting a time
	}
	if got := m.runs.Load(); got != 1 || m.running.Load() {
		t.Errorf("%d returns, want 1", got)
	}
}
