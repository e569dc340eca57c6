package ui

// The one door from goroutines to widgets (bridge) and the throttle that
// coalesces background reads. Background work itself starts through
// background.go.

import (
	"errors"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// bridge is the one door from goroutines to widgets. Background work runs
// in goroutines started with run; whatever it changes on screen goes
// through ui, which is fyne.Do in the app. Nothing here waits for the UI
// goroutine (no fyne.DoAndWait), so a callback can never deadlock on it.
type bridge struct {
	do  func(func())
	win fyne.Window

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func newBridge(do func(func()), win fyne.Window) *bridge {
	return &bridge{do: do, win: win}
}

// ui runs fn on the UI goroutine, later. Call it from goroutines only.
func (b *bridge) ui(fn func()) { b.do(fn) }

// run starts fn in a goroutine that Close waits for. After Close it does
// nothing.
func (b *bridge) run(fn func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		fn()
	}()
}

// showErrorNow shows err's message in a dialog, on the UI goroutine.
func (b *bridge) showErrorNow(err error) {
	dialog.ShowError(errors.New(errorText(err)), b.win)
}

// wait refuses new goroutines and waits for the running ones, at most
// timeout.
func (b *bridge) wait(timeout time.Duration) {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

// throttle runs fn in a background goroutine when triggered: at once if it
// is idle, and at most once per interval however often it is triggered.
// Triggers that arrive while fn runs or during the interval after it are
// coalesced into one more run, so the last trigger is never lost. Runs
// never overlap, so results are applied in the order they were read.
type throttle struct {
	b        *bridge
	interval time.Duration
	fn       func()

	mu       sync.Mutex
	running  bool
	pending  bool
	stopped  bool
	stopWait chan struct{}
}

func newThrottle(b *bridge, interval time.Duration, fn func()) *throttle {
	return &throttle{b: b, interval: interval, fn: fn, stopWait: make(chan struct{})}
}

// Trigger asks for a run. It never blocks; call it from any goroutine.
func (t *throttle) Trigger() {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.stopped:
	case t.running:
		t.pending = true
	default:
		t.running = true
		t.b.run(t.loop)
	}
}

func (t *throttle) loop() {
	for {
		t.fn()
		select {
		case <-time.After(t.interval):
		case <-t.stopWait:
		}
		t.mu.Lock()
		if t.stopped || !t.pending {
			t.running = false
			t.mu.Unlock()
			return
		}
		t.pending = false
		t.mu.Unlock()
	}
}

// Stop ends the throttle: no run starts after it.
func (t *throttle) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.stopped {
		t.stopped = true
		close(t.stopWait)
	}
}
