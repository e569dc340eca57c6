package ui

// The live feed: core's events fanned out to the screens that follow them,
// and how an event reads in a feed row.

import (
	"fmt"

	"github.com/jitconsole/jitconsole/core"
)

// feedBuffer is how many live events may wait for the feed goroutine. The
// screens re-read what they show from the store, so an event the broker
// drops on a full buffer is still shown at the next refresh.
const feedBuffer = 1024

// feed holds the App's single subscription to core's events and fans each
// event out to the screens' listeners. Listeners run on the feed goroutine:
// they must not block and must not touch widgets (they trigger reads, whose
// results go through the bridge).
type feed struct {
	svc       Service
	listeners []func(core.Event)
	cancel    func()
	done      chan struct{}
}

func newFeed(svc Service) *feed { return &feed{svc: svc} }

// listen adds a listener. Call it before start.
func (f *feed) listen(fn func(core.Event)) { f.listeners = append(f.listeners, fn) }

// start subscribes and delivers events until stop.
func (f *feed) start() {
	events, cancel := f.svc.Subscribe(feedBuffer)
	f.cancel, f.done = cancel, make(chan struct{})
	go func() {
		defer close(f.done)
		for e := range events {
			for _, fn := range f.listeners {
				fn(e)
			}
		}
	}()
}

// stop ends the subscription and waits for the feed goroutine to finish.
func (f *feed) stop() {
	if f.cancel == nil {
		return
	}
	f.cancel()
	<-f.done
}

// eventText is an event's message as the feed lists it: with "×N" when it
// stands for N repeated requests (a compact refusal).
func eventText(e core.Event) string { return e.Message + timesSuffix(e.Count) }

// timesSuffix is " ×N" for a count over one, "" otherwise.
func timesSuffix(count int) string {
	if count <= 1 {
		return ""
	}
	return fmt.Sprintf(" ×%d", count)
}
