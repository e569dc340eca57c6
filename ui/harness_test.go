package ui

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

var _ Service = (*core.Console)(nil)

// uiQueue stands in for the app's UI goroutine. The test driver's fyne.Do
// runs a function at once on the calling goroutine, which would let
// worker goroutines touch widgets while the test reads them; instead the
// bridge queues work here and the test goroutine runs it, in order, in
// drain, like the app's event loop does.
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) do(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
}

func (q *uiQueue) drain() {
	for {
		q.mu.Lock()
		fns := q.fns
		q.fns = nil
		q.mu.Unlock()
		if len(fns) == 0 {
			return
		}
		for _, fn := range fns {
			fn()
		}
	}
}

// harness is the UI over a real console: a SQLite file in a temp dir,
// keys in files, the listener on a free loopback port.
type harness struct {
	t   *testing.T
	con *core.Console
	app *App
	win fyne.Window
	q   *uiQueue
}

// newConsole opens a real console in a temp dir. listen is its address;
// when start is set the listener is started.
func newConsole(t *testing.T, listen string, start bool) *core.Console {
	t.Helper()
	return newConsoleWith(t, listen, start, nil)
}

// newConsoleWith is newConsole with a clock (nil for the system's).
func newConsoleWith(t *testing.T, listen string, start bool, clock core.Clock) *core.Console {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	con, err := core.New(ctx, core.Options{
		Store: db, Keys: storage.NewFileKeyStore(dir),
		ListenAddr: listen, Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		db.Close()
		t.Fatalf("new console: %v", err)
	}
	t.Cleanup(func() {
		con.Close()
		db.Close()
	})
	if start {
		if err := con.Start(); err != nil {
			t.Fatalf("start console: %v", err)
		}
	}
	return con
}

// newHarness shows the UI over a started console. wrap, if set, wraps
// the service the UI sees.
func newHarness(t *testing.T, wrap func(Service) Service) *harness {
	t.Helper()
	con := newConsole(t, "127.0.0.1:0", true)
	return newHarnessFor(t, con, wrap)
}

func newHarnessFor(t *testing.T, con *core.Console, wrap func(Service) Service) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	// Registered after the console's cleanup, so it runs first: the UI
	// stops before the console and the database close.
	win := test.NewTempWindow(t, widget.NewLabel(""))
	win.Resize(fyne.NewSize(1280, 820))
	var svc Service = con
	if wrap != nil {
		svc = wrap(con)
	}
	h := &harness{t: t, con: con, win: win, q: &uiQueue{}}
	h.app = create(a, win, svc, h.q.do)
	t.Cleanup(h.q.drain)
	return h
}

// waitFor runs the UI queue until cond holds, or fails the test after a
// deadline.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		h.q.drain()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// texts collects the text of every visible label, entry, button and
// canvas text under o, as rendered.
func texts(o fyne.CanvasObject) []string {
	var out []string
	visitVisible(o, func(o fyne.CanvasObject) bool {
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *widget.Button:
			out = append(out, w.Text)
		case *widget.Entry:
			out = append(out, w.Text)
		case *widget.Card:
			out = append(out, w.Title, w.Subtitle)
		case *canvas.Text:
			out = append(out, w.Text)
		}
		return true
	})
	return out
}

// visitVisible calls fn on o and every visible object under it, depth
// first in layout order; fn returns false to skip what is under o.
func visitVisible(o fyne.CanvasObject, fn func(fyne.CanvasObject) bool) {
	if o == nil || !o.Visible() || !fn(o) {
		return
	}
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			visitVisible(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			visitVisible(c, fn)
		}
	}
}

// shows reports whether some visible text under o contains s.
func shows(o fyne.CanvasObject, s string) bool {
	for _, t := range texts(o) {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// showTab selects the navigation tab named name.
func (h *harness) showTab(name string) {
	h.t.Helper()
	for _, item := range h.app.tabs.Items {
		if item.Text == name {
			h.app.tabs.Select(item)
			return
		}
	}
	h.t.Fatalf("no tab %q", name)
}
