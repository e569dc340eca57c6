package ui

import (
	"context"
	"strings"
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

func (g *gatedPreview) PreviewImpactProgress(ctx context.Context, slug string, m core.Mapping, progress core.ImpactProgress) (core.Impact, error) {
	progress(1000, 4000)
	g.once.Do(func() { close(g.started) })
	select {
	case <-g.release:
	case <-ctx.Done():
		return core.Impact{}, ctx.Err()
	}
	return g.Service.PreviewImpactProgress(ctx, slug, m, progress)
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

// gatedApply is a service whose Apply now reports a quarter done, then
// waits for its cancellation before going on (and then finds it
// cancelled, in core).
type gatedApply struct {
	Service
	started chan struct{}
}

func (g *gatedApply) ApplyNowProgress(ctx context.Context, slug string, progress core.ImpactProgress) (core.Impact, error) {
	progress(1000, 4000)
	close(g.started)
	select {
	case <-ctx.Done():
	case <-time.After(30 * time.Second): // fail rather than hang
	}
	return g.Service.ApplyNowProgress(ctx, slug, progress)
}

// TestImpactShowsCountAndCancels: a preview and an apply show "n of N
// accounts" while they run; Cancel stops them, the tab says so, an
// apply changed nothing and the audit log has it; the buttons work again.
func TestImpactShowsCountAndCancels(t *testing.T) {
	g := &gatedPreview{started: make(chan struct{}), release: make(chan struct{})}
	ga := &gatedApply{started: make(chan struct{})}
	h := newHarness(t, func(s Service) Service { g.Service = s; ga.Service = g; return ga })
	r := h.openRules()
	v := r.impact

	test.Tap(r.previewBtn)
	<-g.started
	h.waitFor("the preview's count", func() bool { return v.count.Text == "1,000 of 4,000 accounts" })
	if v.progress.Value != 0.25 || !v.cancel.Visible() || v.cancel.Disabled() {
		t.Fatalf("progress %v, cancel shown %v enabled %v", v.progress.Value, v.cancel.Visible(), !v.cancel.Disabled())
	}
	test.Tap(v.cancel)
	h.waitFor("the cancelled preview", func() bool { return v.summary.Text == "Preview cancelled" })
	if !strings.Contains(v.note.Text, "after 1,000 of 4,000 accounts") || v.cancel.Visible() || r.previewBtn.Disabled() {
		t.Fatalf("after cancel: note %q, cancel shown %v, preview disabled %v", v.note.Text, v.cancel.Visible(), r.previewBtn.Disabled())
	}

	h.saveRole("engineering-x")
	h.addRule("groups", core.OpContains, "Engineering", "engineering-x")
	test.Tap(r.applyNow)
	h.waitFor("the apply confirmation", func() bool { return r.applyConfirm != nil })
	r.applyConfirm.Confirm()
	<-ga.started
	h.waitFor("the apply's count", func() bool { return v.count.Text == "1,000 of 4,000 accounts" })
	test.Tap(v.cancel)
	h.waitFor("the cancelled apply", func() bool { return v.summary.Text == "Apply now cancelled" })
	if r.busy || r.applyNow.Disabled() || !strings.Contains(v.note.Text, "No account changed") {
		t.Fatalf("after cancel: busy %v, apply disabled %v, note %q", r.busy, r.applyNow.Disabled(), v.note.Text)
	}
	log, err := h.con.AuditLog(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || !strings.Contains(log[0].Message, "cancelled") {
		t.Fatalf("the audit log's last entry is not the cancelled apply: %+v", log)
	}
}
