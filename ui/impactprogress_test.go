package ui

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/jitconsole/jitconsole/core"
)

// gatedPreview is a service whose impact preview waits until released,
// like a preview over 100,000 accounts that takes seconds.
type gatedPreview struct {
	Service
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func (g *gatedPreview) PreviewImpact(ctx context.Context, slug string, m core.Mapping) (core.Impact, error) {
	g.once.Do(func() { close(g.started) })
	select {
	case <-g.release:
	case <-ctx.Done():
		return core.Impact{}, ctx.Err()
	}
	return g.Service.PreviewImpact(ctx, slug, m)
}

// TestLongImpactPreviewKeepsTheWindowResponsive: while a preview runs, the
// tap that started it has returned, the impact tab shows a running
// progress bar, Preview cannot be pressed twice and the other screens
// can be used; when it ends, the result replaces the progress bar.
func TestLongImpactPreviewKeepsTheWindowResponsive(t *testing.T) {
	g := &gatedPreview{started: make(chan struct{}), release: make(chan struct{})}
	h := newHarness(t, func(s Service) Service { g.Service = s; return g })
	r := h.openRules()
	// Were the preview run on the UI goroutine, the tap would return
	// only when it ended: release it eventually so that the test fails
	// instead of hanging.
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(g.release) }) }
	stop := time.AfterFunc(20*time.Second, release)
	defer stop.Stop()

	test.Tap(r.previewBtn)
	select {
	case <-g.started:
	case <-time.After(30 * time.Second):
		t.Fatal("the preview did not start")
	}
	h.q.drain()
	v := r.impact
	select {
	case <-g.release:
		t.Fatal("the preview ran on the UI goroutine: the tap returned only after it ended")
	default:
	}
	if !v.progress.Visible() || v.summary.Text != "Working…" {
		t.Errorf("while the preview runs: progress bar visible %v, summary %q", v.progress.Visible(), v.summary.Text)
	}
	if r.side.Selected() != r.impactTab {
		t.Error("the impact tab is not shown while the preview runs")
	}
	if !r.previewBtn.Disabled() {
		t.Error("Preview can be pressed again while a preview runs")
	}
	h.showTab("Users")
	h.q.drain()
	h.showTab("Mapping Rules")
	h.q.drain()
	if v.last != nil || !v.progress.Visible() {
		t.Error("the preview ended before it was released")
	}

	release()
	h.waitFor("the preview's result", func() bool { return v.last != nil })
	if v.progress.Visible() {
		t.Error("the progress bar is still shown after the preview ended")
	}
	if r.previewBtn.Disabled() {
		t.Error("Preview stays disabled after the preview ended")
	}
}
