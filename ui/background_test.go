package ui

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// lockedBuffer is a log sink the background goroutines and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// bareApp is an App with only what background needs: a context, a bridge
// over a test queue and a logger writing to the returned buffer.
func bareApp(t *testing.T) (*App, *uiQueue, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	q := newUIQueue()
	logs := &lockedBuffer{}
	a := &App{ctx: ctx, cancel: cancel, bridge: newBridge(q.do, nil),
		log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	return a, q, logs
}

func TestBackgroundHandsResultToUIQueue(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		wantLog string // "" for no log line
	}{
		{"success", nil, ""},
		{"refusal core explained", core.Errorf(core.EINVALID, "The slug is taken."), "level=INFO msg=\"console: save IdP okta failed\" op=\"save IdP okta\" err=\"The slug is taken.\""},
		{"which IdP of an aggregate", &core.ChooseEntityError{EntityIDs: []string{"a", "b"}}, "level=INFO msg=\"console: save IdP okta failed\""},
		{"unclassified failure", errors.New("disk I/O error"), "level=ERROR msg=\"console: save IdP okta failed\" op=\"save IdP okta\" err=\"disk I/O error\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, q, logs := bareApp(t)
			workDone := make(chan struct{})
			var got []string
			background(a, "save IdP okta", func(ctx context.Context) (string, error) {
				defer close(workDone)
				return "saved", tt.err
			}, func(v string, err error) {
				got = append(got, v)
				if !errors.Is(err, tt.err) {
					t.Errorf("done got err %v, want %v", err, tt.err)
				}
			})
			<-workDone
			a.bridge.wait(30 * time.Second)
			if len(got) != 0 {
				t.Fatalf("done ran before the UI queue was drained: %v", got)
			}
			q.drain()
			if len(got) != 1 || got[0] != "saved" {
				t.Fatalf("done got %v, want [saved] once", got)
			}
			log := logs.String()
			if tt.wantLog == "" && log != "" {
				t.Errorf("logged %q for a success", log)
			}
			if tt.wantLog != "" && !strings.Contains(log, tt.wantLog) {
				t.Errorf("log = %q, want it to contain %q", log, tt.wantLog)
			}
		})
	}
}

func TestBackgroundDropsResultWhenClosing(t *testing.T) {
	a, q, logs := bareApp(t)
	started, release := make(chan struct{}), make(chan struct{})
	called := false
	backgroundErr(a, "remove IdP okta", func(ctx context.Context) error {
		close(started)
		<-release
		return ctx.Err()
	}, func(error) { called = true })
	<-started
	a.cancel() // the window closes while the work runs
	close(release)
	a.bridge.wait(30 * time.Second)
	q.drain()
	if called {
		t.Error("done ran after the App closed")
	}
	if log := logs.String(); log != "" {
		t.Errorf("logged %q for work cut short by closing", log)
	}
}

func TestBackgroundAfterCloseRunsNothing(t *testing.T) {
	a, q, _ := bareApp(t)
	a.cancel()
	a.bridge.wait(30 * time.Second)
	ran := false
	backgroundErr(a, "read the settings", func(context.Context) error { ran = true; return nil }, func(error) {})
	a.bridge.wait(30 * time.Second)
	q.drain()
	if ran {
		t.Error("work started after the bridge was closed")
	}
}
