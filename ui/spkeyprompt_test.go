package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestSPKeyPrompt(t *testing.T) {
	tests := []struct {
		name        string
		openErr     string // what onNewKey returns
		tap         string // "new" or "quit"
		wantNew     int
		wantQuit    int
		wantMessage string
		wantEnabled bool
	}{
		{"make a new key", "", "new", 1, 0, "lost key", false},
		{"new key, console still refuses", "another JIT Console is using DIR", "new", 1, 0, "another JIT Console is using DIR", false},
		{"quit", "", "quit", 0, 1, "lost key", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test.NewTempApp(t)
			var newKey, quit int
			p := NewSPKeyPrompt("lost key", func() string { newKey++; return tt.openErr }, func() { quit++ })
			test.NewTempWindow(t, p.Content())
			if tt.tap == "new" {
				test.Tap(p.NewKey)
				test.Tap(p.NewKey) // disabled after the first tap
			} else {
				test.Tap(p.Quit)
			}
			if newKey != tt.wantNew || quit != tt.wantQuit {
				t.Errorf("onNewKey ran %d times, onQuit %d; want %d, %d", newKey, quit, tt.wantNew, tt.wantQuit)
			}
			if p.Message.Text != tt.wantMessage {
				t.Errorf("message %q, want %q", p.Message.Text, tt.wantMessage)
			}
			if p.NewKey.Disabled() == tt.wantEnabled {
				t.Errorf("NewKey disabled: %v", p.NewKey.Disabled())
			}
		})
	}
}

func TestStartRefusal(t *testing.T) {
	test.NewTempApp(t)
	quit := 0
	r := NewStartRefusal("another JIT Console (PID 1) is using DIR", func() { quit++ })
	test.NewTempWindow(t, r.Content())
	if r.Message.Text != "another JIT Console (PID 1) is using DIR" {
		t.Errorf("message %q", r.Message.Text)
	}
	test.Tap(r.Quit)
	if quit != 1 {
		t.Errorf("onQuit ran %d times", quit)
	}
}
