package main

import (
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// stuckWriter blocks every Write until release is closed.
type stuckWriter struct{ release chan struct{} }

func (w stuckWriter) Write(p []byte) (int, error) { <-w.release; return len(p), nil }

// failingWriter takes ok lines, then fails with err.
type failingWriter struct {
	mu    sync.Mutex
	ok    int
	lines []string
	err   error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.lines) >= w.ok {
		return 0, w.err
	}
	w.lines = append(w.lines, string(p))
	return len(p), nil
}

func TestEventStream(t *testing.T) {
	tests := []struct {
		name      string
		out       func() (w interface{ Write([]byte) (int, error) }, release func())
		queue     int
		events    int
		wantWarn  []string // each exactly once on stderr
		wantLines int      // -1: don't check
	}{
		{"reader keeps up", func() (interface{ Write([]byte) (int, error) }, func()) {
			return &failingWriter{ok: 1000}, func() {}
		}, 8, 5, nil, 5},
		{"reader went away", func() (interface{ Write([]byte) (int, error) }, func()) {
			return &failingWriter{ok: 2, err: syscall.EPIPE}, func() {}
		}, 100, 10, []string{"writing events to stdout failed (broken pipe)", "8 event lines did not reach stdout"}, 2},
		{"reader stalls", func() (interface{ Write([]byte) (int, error) }, func()) {
			w := stuckWriter{release: make(chan struct{})}
			return w, func() { close(w.release) }
		}, 4, 50, []string{"the reader of stdout is not keeping up", "stdout did not take the last event lines", "event lines did not reach stdout"}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, release := tt.out()
			defer release()
			var warn syncBuffer
			s := newEventStream(out, &warn, tt.queue)
			offered := make(chan struct{})
			go func() {
				defer close(offered)
				for i := 1; i <= tt.events; i++ {
					s.offer(core.Event{ID: int64(i), Kind: core.EventLoginStarted, Message: "m", At: time.Unix(0, 0)})
				}
			}()
			select {
			case <-offered:
			case <-time.After(30 * time.Second):
				t.Fatal("offer blocked")
			}
			done := make(chan struct{})
			grace := 30 * time.Second // the writer finishes well before
			if tt.wantLines < 0 {
				grace = 100 * time.Millisecond // the writer is stuck
			}
			go func() { s.close(grace); close(done) }()
			select {
			case <-done:
			case <-time.After(grace + 30*time.Second):
				t.Fatal("close did not return")
			}
			for _, w := range tt.wantWarn {
				if n := strings.Count(warn.String(), w); n != 1 {
					t.Errorf("%q is on stderr %d times, want once:\n%s", w, n, warn.String())
				}
			}
			if tt.wantWarn == nil && warn.String() != "" {
				t.Errorf("unexpected warnings:\n%s", warn.String())
			}
			if fw, ok := out.(*failingWriter); ok && tt.wantLines >= 0 {
				fw.mu.Lock()
				defer fw.mu.Unlock()
				if len(fw.lines) != tt.wantLines || !strings.HasPrefix(fw.lines[0], `{"id":1,`) || !strings.HasSuffix(fw.lines[0], "}\n") {
					t.Errorf("lines written: %q", fw.lines)
				}
			}
		})
	}
}
