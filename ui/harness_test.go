package ui

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
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
	"github.com/jitconsole/jitconsole/storage/memstore"
)

var _ Service = (*core.Console)(nil)

// testRefresh is the screens' refresh interval in harnesses: they re-read
// at most every 20 ms rather than every 500, so that tests do not wait out
// the coalescing (TestDemoSimulateDrivesProgress checks it at 500).
const testRefresh = 20 * time.Millisecond

// TestMain makes what the tests share: the test app of the harnesses (a
// new test app empties Fyne's caches of text sizes, fonts and icons, and
// filling them again is most of what building the screens costs under
// -race; a test that needs an app of its own still calls
// test.NewTempApp, whose cleanup leaves a fresh one current), and the seed
// data dir every console starts from a copy of (seedDir). The test binary
// also collects garbage less often: the screens allocate a lot, and the
// race detector makes each collection dear.
func TestMain(m *testing.M) {
	test.NewApp()
	debug.SetGCPercent(400)
	dir, err := makeSeedDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ui tests:", err)
		os.Exit(1)
	}
	seedDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// seedDir is a data dir made once for the package: an empty database with
// every migration applied, and the SP's and the demo IdP's private keys in
// key files. A UI test is about neither the migrations nor two RSA-2048
// key generations, which take about half a second under -race; the
// certificates, the demo IdP and everything else are still made by each
// console, with its own clock.
var seedDir string

func makeSeedDir() (string, error) {
	dir, err := os.MkdirTemp("", "jitconsole-ui-seed-")
	if err != nil {
		return "", err
	}
	db, err := storage.Open(context.Background(), storage.DBPath(dir))
	if err != nil {
		return "", fmt.Errorf("seed database: %w", err)
	}
	if err := db.Close(); err != nil {
		return "", fmt.Errorf("seed database: %w", err)
	}
	keys := storage.NewFileKeyStore(dir)
	for _, name := range []string{core.SPKeyName, core.DemoIdPKeyName} {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return "", fmt.Errorf("seed %s: %w", name, err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return "", fmt.Errorf("seed %s: %w", name, err)
		}
		if err := keys.Set(name, der); err != nil {
			return "", fmt.Errorf("seed %s: %w", name, err)
		}
	}
	return dir, nil
}

// copySeed copies the files of seedDir into dir, modes kept.
func copySeed(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(seedDir)
	if err != nil {
		t.Fatalf("read seed dir: %v", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			t.Fatalf("seed file %s: %v", e.Name(), err)
		}
		data, err := os.ReadFile(filepath.Join(seedDir, e.Name()))
		if err != nil {
			t.Fatalf("seed file %s: %v", e.Name(), err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, info.Mode().Perm()); err != nil {
			t.Fatalf("seed file %s: %v", e.Name(), err)
		}
	}
}

// uiQueue stands in for the app's UI goroutine. The test driver's fyne.Do
// runs a function at once on the calling goroutine, which would let
// worker goroutines touch widgets while the test reads them; instead the
// bridge queues work here and the test goroutine runs it, in order, in
// drain, like the app's event loop does.
type uiQueue struct {
	mu   sync.Mutex
	fns  []func()
	wake chan struct{} // gets a token when work is queued; see waitFor
}

func newUIQueue() *uiQueue { return &uiQueue{wake: make(chan struct{}, 1)} }

func (q *uiQueue) do(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default: // a token is already waiting
	}
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

// harness is the UI over a real console: its store in memory (or a
// SQLite file in a temp dir, newConsoleOnDisk), keys in files, the
// listener on a free loopback port.
type harness struct {
	t   *testing.T
	con *core.Console
	app *App
	win fyne.Window
	q   *uiQueue
}

// newConsole opens a real console in a temp dir, started from a copy of
// seedDir. listen is its address;
// when start is set the listener is started.
func newConsole(t *testing.T, listen string, start bool) *core.Console {
	t.Helper()
	return newConsoleWith(t, listen, start, nil)
}

// newConsoleWith is newConsole with a clock (nil for the system's) for
// the console; the store keeps the system's, as a database does. Its
// store is in memory (storage/memstore, which keeps the SQLite store's
// contract): a screen's test is not about the database. Tests of what the
// database file does use newConsoleOnDisk.
func newConsoleWith(t *testing.T, listen string, start bool, clock core.Clock) *core.Console {
	t.Helper()
	return openConsole(t, listen, start, clock, func(string) (core.Store, func(), error) {
		return memstore.New(nil), func() {}, nil
	})
}

// newConsoleOnDisk is newConsole over a SQLite file, for the screens
// whose point is the database itself (its size, its retention).
func newConsoleOnDisk(t *testing.T, listen string, start bool, clock core.Clock) *core.Console {
	t.Helper()
	return openConsole(t, listen, start, clock, func(dir string) (core.Store, func(), error) {
		db, err := storage.Open(context.Background(), storage.DBPath(dir))
		if err != nil {
			return nil, nil, err
		}
		return db, func() { db.Close() }, nil
	})
}

// openConsole makes a console in a temp dir started from a copy of
// seedDir (keys in files), over the store open returns for the dir.
func openConsole(t *testing.T, listen string, start bool, clock core.Clock,
	open func(dir string) (core.Store, func(), error)) *core.Console {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	copySeed(t, dir)
	store, closeStore, err := open(dir)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	db := closer(closeStore)
	con, err := core.New(ctx, core.Options{
		Store: store, Keys: storage.NewFileKeyStore(dir),
		ListenAddr: listen, Clock: clock, DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
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

// newHarnessOnDisk is newHarness over a console whose store is a SQLite
// file (newConsoleOnDisk).
func newHarnessOnDisk(t *testing.T) *harness {
	t.Helper()
	return newHarnessFor(t, newConsoleOnDisk(t, "127.0.0.1:0", true, nil), nil)
}

func newHarnessFor(t *testing.T, con *core.Console, wrap func(Service) Service) *harness {
	t.Helper()
	return newHarnessRefreshing(t, con, wrap, testRefresh)
}

// newHarnessRefreshing is newHarnessFor with the screens' refresh
// interval given: refreshInterval for a test of the coalescing itself.
func newHarnessRefreshing(t *testing.T, con *core.Console, wrap func(Service) Service, refresh time.Duration) *harness {
	t.Helper()
	// The package's one test app (see TestMain), not one per test: a new
	// test app empties Fyne's caches of text sizes and fonts, and filling
	// them again is most of what building the screens costs under -race.
	a := fyne.CurrentApp()
	// Registered after the console's cleanup, so it runs first: the UI
	// stops before the console and the database close.
	win := test.NewTempWindow(t, widget.NewLabel(""))
	win.Resize(fyne.NewSize(1280, 820))
	var svc Service = con
	if wrap != nil {
		svc = wrap(con)
	}
	h := &harness{t: t, con: con, win: win, q: newUIQueue()}
	h.app = createWith(a, win, svc, h.q.do, refresh)
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
		// Widgets change only when the queue runs, so wait for work to be
		// queued rather than evaluating cond (which may walk every widget
		// on screen) in a tight loop that takes the CPU from the workers
		// being waited for. A condition on other state (the store, a
		// listener) is still looked at every 50 ms.
		select {
		case <-h.q.wake:
		case <-time.After(50 * time.Millisecond):
		}
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

// closer is a func with the Close of a store.
type closer func()

func (c closer) Close() { c() }
