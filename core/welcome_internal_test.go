package core

import (
	"testing"
	"time"
)

// TestWelcomePagesExpire: a welcome page is shown until welcomeLifetime
// after its login, and expired pages leave memory within
// welcomeSweepEvery of expiring (put does not scan on every login).
func TestWelcomePagesExpire(t *testing.T) {
	var ws welcomeSessions
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	old := ws.put(welcomePage{IdPName: "old"}, t0)
	for i := range 100 { // logins within one sweep interval: no scan
		ws.put(welcomePage{}, t0.Add(time.Duration(i)*time.Millisecond))
	}
	if p, ok := ws.get(old, t0.Add(welcomeLifetime)); !ok || p.IdPName != "old" {
		t.Fatalf("page at the end of its lifetime: %v, %v", p, ok)
	}
	late := t0.Add(welcomeLifetime + welcomeSweepEvery)
	if _, ok := ws.get(old, late); ok {
		t.Fatal("an expired page is still shown")
	}
	fresh := ws.put(welcomePage{IdPName: "fresh"}, late)
	if n := len(ws.pages); n != 1 {
		t.Errorf("%d pages in memory after the sweep, want only the fresh one", n)
	}
	if p, ok := ws.get(fresh, late); !ok || p.IdPName != "fresh" {
		t.Errorf("fresh page: %v, %v", p, ok)
	}
}
