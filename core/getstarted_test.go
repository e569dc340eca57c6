package core_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// TestGetStartedSurvivesRestart: the "Get started" state is read from the
// store, so a console opened again over the same database and data
// directory sees the demo sign-ins and the dismissal of the one before,
// and knows its data directory.
func TestGetStartedSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first := startConsoleWith(t, dir, func(o *core.Options) { o.DataDir = dir })
	if got := first.DataDir(); got != dir {
		t.Errorf("DataDir = %q, want %q", got, dir)
	}
	st, err := first.GetStarted(ctx)
	if err != nil || st != (core.GetStartedState{}) {
		t.Fatalf("a fresh console: %+v, %v; want nothing done", st, err)
	}
	if res, err := first.SimulateOnboarding(ctx, 2, 2, nil); err != nil || res.Succeeded != 2 {
		t.Fatalf("simulate: %+v, %v", res, err)
	}
	if err := first.DismissGetStarted(ctx); err != nil {
		t.Fatal(err)
	}
	first.close()

	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	again, err := core.NewReader(ctx, core.Options{Store: db, Keys: storage.NewFileKeyStore(dir),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	st, err = again.GetStarted(ctx)
	want := core.GetStartedState{SignedIn: true, Simulated: true, Dismissed: true}
	if err != nil || st != want || st.Done() {
		t.Errorf("after a restart: %+v, %v; want %+v, not all done", st, err, want)
	}
}
