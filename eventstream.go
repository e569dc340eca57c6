// The JSON event lines of serve, written to stdout without ever holding
// the console up.

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// eventLineQueue is how many event lines wait for a slow stdout reader
// before new ones are dropped (they stay in the database's event log).
const eventLineQueue = 4096

// eventStream writes events as JSON lines to out from its own goroutine,
// through a bounded queue. A reader that stalls makes the queue drop lines
// (counted, warned about once); a reader that goes away (EPIPE, or any
// write error) ends the output, with one warning. Neither ever blocks the
// caller, and close gives the writer a bounded grace. Every event is in the
// database regardless: events are stored before they are published.
type eventStream struct {
	out, warn io.Writer
	queue     chan []byte
	done      chan struct{}

	dropped   atomic.Int64
	unwritten atomic.Int64 // lines discarded after a write failed
	warnOnce  sync.Once    // the first drop
	closeOnce sync.Once
}

// newEventStream starts the writer of out; warnings go to warn.
func newEventStream(out, warn io.Writer, queue int) *eventStream {
	s := &eventStream{out: out, warn: warn, queue: make(chan []byte, queue), done: make(chan struct{})}
	go s.write()
	return s
}

// write drains the queue to out until the queue is closed.
func (s *eventStream) write() {
	defer close(s.done)
	var failed error
	for line := range s.queue {
		if failed != nil {
			s.unwritten.Add(1)
			continue
		}
		if _, err := s.out.Write(line); err != nil {
			failed = err
			s.unwritten.Add(1)
			fmt.Fprintf(s.warn, "WARNING: writing events to stdout failed (%v): no more event lines go to stdout; every event is still in the database, and serve keeps running\n", err)
		}
	}
}

// offer queues e as a JSON line without waiting.
func (s *eventStream) offer(e core.Event) {
	line, err := json.Marshal(eventLine(e))
	if err != nil {
		fmt.Fprintf(s.warn, "WARNING: event %d cannot be written as JSON: %v\n", e.ID, err)
		return
	}
	select {
	case s.queue <- append(line, '\n'):
	default:
		s.dropped.Add(1)
		s.warnOnce.Do(func() {
			fmt.Fprintf(s.warn, "WARNING: the reader of stdout is not keeping up: event lines are dropped (they are still in the database); serve keeps running\n")
		})
	}
}

// close ends the stream: it waits up to grace for the queued lines to be
// written, then reports on warn what stdout missed. It never waits longer,
// even when a write is stuck on a reader that stalls.
func (s *eventStream) close(grace time.Duration) {
	s.closeOnce.Do(func() { close(s.queue) })
	timer := time.NewTimer(grace)
	defer timer.Stop()
	stuck := false
	select {
	case <-s.done:
	case <-timer.C:
		stuck = true
	}
	missed := s.dropped.Load() + s.unwritten.Load()
	if stuck {
		missed += int64(len(s.queue))
		fmt.Fprintf(s.warn, "WARNING: stdout did not take the last event lines within %v; stopping anyway\n", grace)
	}
	if missed > 0 {
		fmt.Fprintf(s.warn, "jitconsole: %d event lines did not reach stdout; all events are in the database\n", missed)
	}
}

// eventJSON is the line serve writes for an event.
type eventJSON struct {
	ID      int64  `json:"id"`
	At      string `json:"at"`
	Kind    string `json:"kind"`
	Outcome string `json:"outcome"`
	IdP     string `json:"idp"`
	UserID  int64  `json:"user_id"`
	Subject string `json:"subject"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
	Class   string `json:"class,omitempty"`
	Count   int    `json:"count,omitempty"` // requests a compact refusal stands for, when more than one
}

// streamEvents offers the backlog, then the live events not in it, until
// events is closed.
func streamEvents(s *eventStream, backlog []core.Event, events <-chan core.Event) {
	var seen int64
	for _, e := range backlog {
		s.offer(e)
		seen = e.ID
	}
	for e := range events {
		if e.ID > seen {
			s.offer(e)
		}
	}
}
