package main

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeWarnsWhenSignInsCannotBeBound: with a plain-http base URL on a
// host name that is not loopback, serve says at start-up that sign-ins are
// not bound to the browser (login CSRF protection off), and how to fix it;
// with the default localhost base URL it does not.
func TestServeWarnsWhenSignInsCannotBeBound(t *testing.T) {
	port := freePort(t)
	tests := []struct {
		name, base string
		warn       bool
	}{
		{"plain http on a LAN name", "http://console.lan:" + port, true},
		{"localhost", "http://localhost:" + port, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serve := start(t, "serve", "--listen", "127.0.0.1:"+port, "--base-url", tt.base, "--data-dir", t.TempDir())
			serve.waitFor(t, listeningRE, time.Minute)
			if err := serve.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if code := serve.waitExit(t, 20*time.Second); code != 0 {
				t.Fatalf("serve exited with status %d\nstderr:\n%s", code, serve.stderr)
			}
			got := strings.Contains(serve.stderr.String(), "login CSRF protection is off")
			if got != tt.warn || (got && !strings.Contains(serve.stderr.String(), "https base URL")) {
				t.Errorf("warning shown = %v, want %v; stderr:\n%s", got, tt.warn, serve.stderr)
			}
		})
	}
}
