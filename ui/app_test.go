package ui

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// noKeyWarning is the real service with keys (as if) in the OS keyring.
type noKeyWarning struct{ Service }

func (noKeyWarning) KeyWarning() string { return "" }

func TestKeyWarningBanner(t *testing.T) {
	// The test key store keeps keys in files, so core warns.
	h := newHarness(t, nil)
	want := h.con.KeyWarning()
	if want == "" {
		t.Fatal("the file key store gave no warning")
	}
	if h.app.banner == nil || !h.app.banner.Visible() || h.app.warning.Text != want {
		t.Fatalf("banner %v with %q, want %q", h.app.banner, h.app.warning.Text, want)
	}
	top := h.win.Content().(*fyne.Container).Objects
	if !shows(h.win.Content(), want) || len(top) != 2 {
		t.Errorf("the window does not show the warning across the top: %q", texts(h.win.Content()))
	}
	if h.win.Title() != "JIT Console" {
		t.Errorf("title = %q", h.win.Title())
	}
}

func TestNoBannerWithKeyring(t *testing.T) {
	h := newHarness(t, func(s Service) Service { return noKeyWarning{s} })
	if h.app.banner != nil {
		t.Error("a banner is shown although the keys are in the keyring")
	}
	if n := len(h.win.Content().(*fyne.Container).Objects); n != 1 {
		t.Errorf("the window has %d top-level parts, want only the navigation", n)
	}
}

func TestNavigation(t *testing.T) {
	h := newHarness(t, nil)
	var names []string
	for _, item := range h.app.tabs.Items {
		names = append(names, item.Text)
		if item.Icon == nil {
			t.Errorf("tab %s has no icon", item.Text)
		}
	}
	if got := fmt.Sprint(names); got != "[Dashboard Identity Providers Mapping Rules Users Activity Demo Settings]" {
		t.Errorf("tabs = %s", got)
	}
}

// stalledReads is a service whose store reads wait until the UI cancels
// them, so that nothing reaches a widget from another goroutine.
type stalledReads struct {
	Service
	waiting atomic.Int64
}

func (s *stalledReads) stall(ctx context.Context) error {
	s.waiting.Add(1)
	<-ctx.Done()
	return ctx.Err()
}

func (s *stalledReads) IdPs(ctx context.Context) ([]core.IdP, error) { return nil, s.stall(ctx) }
func (s *stalledReads) Users(ctx context.Context, _ core.UserFilter) ([]core.User, error) {
	return nil, s.stall(ctx)
}
func (s *stalledReads) Personas(ctx context.Context) ([]core.Persona, error) {
	return nil, s.stall(ctx)
}
func (s *stalledReads) AuditLog(ctx context.Context, _ int) ([]core.Event, error) {
	return nil, s.stall(ctx)
}
func (s *stalledReads) Roles(ctx context.Context) ([]core.RoleInfo, error) {
	return nil, s.stall(ctx)
}
func (s *stalledReads) StorageStatus(ctx context.Context) (core.StorageStatus, error) {
	return core.StorageStatus{}, s.stall(ctx)
}

// TestCreateAndClose uses the exported Create (the door is fyne.Do) and
// checks that Close cancels the reads in flight and joins their
// goroutines.
func TestCreateAndClose(t *testing.T) {
	con := newConsole(t, "127.0.0.1:0", true)
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	svc := &stalledReads{Service: con}
	app := Create(a, w, svc)
	if w.Title() != WindowTitle || len(app.tabs.Items) != 7 {
		t.Fatalf("title %q, %d tabs", w.Title(), len(app.tabs.Items))
	}
	deadline := time.Now().Add(30 * time.Second)
	for svc.waiting.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the screens did not start their reads")
		}
		time.Sleep(10 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		app.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	app.Close() // twice is harmless; the window's cleanup closes it a third time
}
