package core

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestHealthFlightShares: probes that arrive while a write check runs wait
// for it and get its answer, so a flood of /healthz requests holds the
// database's write lock for one check at a time; a probe after that checks
// again (answers are shared, never cached).
func TestHealthFlightShares(t *testing.T) {
	var f healthFlight
	var checks atomic.Int32
	entered, release := make(chan struct{}), make(chan struct{})
	check := func() string {
		if checks.Add(1) == 1 {
			close(entered)
			<-release
			return "the database does not take writes"
		}
		return ""
	}
	const probes = 20
	answers := make(chan string, probes)
	go func() { answers <- f.share(context.Background(), check) }()
	<-entered
	for i := 1; i < probes; i++ {
		go func() { answers <- f.share(context.Background(), check) }()
	}
	for deadline := time.Now().Add(time.Minute); ; {
		f.mu.Lock()
		n := f.joined
		f.mu.Unlock()
		if n == probes-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute %d of %d probes wait for the check under way", n, probes-1)
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	for i := 0; i < probes; i++ {
		if why := <-answers; why != "the database does not take writes" {
			t.Fatalf("probe answered %q, want the shared check's answer", why)
		}
	}
	if n := checks.Load(); n != 1 {
		t.Fatalf("%d write checks for %d simultaneous probes, want 1", n, probes)
	}
	if why := f.share(context.Background(), check); why != "" || checks.Load() != 2 {
		t.Fatalf("a later probe: %q after %d checks; want a check of its own", why, checks.Load())
	}
}

// TestHealthFlightCallerGivesUp: a probe whose request ends while it waits
// returns at once; the check under way finishes for the others.
func TestHealthFlightCallerGivesUp(t *testing.T) {
	var f healthFlight
	entered, release := make(chan struct{}), make(chan struct{})
	first := make(chan string, 1)
	go func() {
		first <- f.share(context.Background(), func() string { close(entered); <-release; return "" })
	}()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if why := f.share(ctx, func() string { t.Error("a second check ran"); return "" }); why == "" {
		t.Fatal("a probe that gave up answered healthy")
	}
	close(release)
	if why := <-first; why != "" {
		t.Fatalf("the check under way: %q", why)
	}
}
