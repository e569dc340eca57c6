package core

import (
	"testing"
	"time"
)

// TestWelcomePagesExpire: a welcome page is shown until welcomeLifetime
// after its login, and expired pages leave memory as new logins come.
func TestWelcomePagesExpire(t *testing.T) {
	var ws welcomeSessions
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	old := ws.put(welcomePage{IdPName: "old"}, t0)
	for i := range 100 {
		ws.put(welcomePage{}, t0.Add(time.Duration(i)*time.Millisecond))
	}
	if p, ok := ws.get(old, t0.Add(welcomeLifetime)); !ok || p.IdPName != "old" {
		t.Fatalf("page at the end of its lifetime: %v, %v", p, ok)
	}
	late := t0.Add(welcomeLifetime + time.Second)
	if _, ok := ws.get(old, late); ok {
		t.Fatal("an expired page is still shown")
	}
	fresh := ws.put(welcomePage{IdPName: "fresh"}, late)
	if n := len(ws.pages); n != 1 {
		t.Errorf("%d pages in memory after they expired, want only the fresh one", n)
	}
	if p, ok := ws.get(fresh, late); !ok || p.IdPName != "fresh" {
		t.Errorf("fresh page: %v, %v", p, ok)
	}
}

// TestWelcomePagesAreBounded: however many logins arrive within the
// lifetime, at most maxWelcomePages pages are kept, the newest.
func TestWelcomePagesAreBounded(t *testing.T) {
	var ws welcomeSessions
	t0 := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var tokens []string
	for i := range maxWelcomePages + 500 {
		tokens = append(tokens, ws.put(welcomePage{LoginCount: i}, t0))
		if len(ws.pages) > maxWelcomePages {
			t.Fatalf("%d pages after %d logins, cap %d", len(ws.pages), i+1, maxWelcomePages)
		}
	}
	if _, ok := ws.get(tokens[0], t0); ok {
		t.Error("the oldest page survived the cap")
	}
	if p, ok := ws.get(tokens[len(tokens)-1], t0); !ok || p.LoginCount != maxWelcomePages+499 {
		t.Errorf("the newest page: %v, %v", p, ok)
	}
	if len(ws.order)-ws.head != len(ws.pages) {
		t.Errorf("order holds %d live tokens, pages %d", len(ws.order)-ws.head, len(ws.pages))
	}
}
