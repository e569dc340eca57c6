package core_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestRestartAtMovesAddressAndBaseURL: RestartAt serves at the new address
// under the new base URL, which the SP's metadata then names; a bad
// address or base URL is refused with EINVALID before the listener stops.
func TestRestartAtMovesAddressAndBaseURL(t *testing.T) {
	c, _ := startMemConsole(t)
	before := c.Listener()

	for _, bad := range []struct{ addr, base string }{
		{"not an address", ""},
		{"127.0.0.1:0", "ftp://sp.example"},
		{"127.0.0.1:0", "localhost:8080"},
		{"127.0.0.1:0", "http://localhost:8080/?x=1"},
	} {
		if err := c.RestartAt(bad.addr, bad.base); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("RestartAt(%q, %q) = %v, want EINVALID", bad.addr, bad.base, err)
		}
	}
	if st := c.Listener(); !st.Running || st.Addr != before.Addr {
		t.Fatalf("a refused RestartAt stopped or moved the listener: %+v, was %+v", st, before)
	}

	if err := c.RestartAt("127.0.0.1:0", ""); err != nil {
		t.Fatalf("RestartAt: %v", err)
	}
	st := c.Listener()
	if !st.Running || st.Addr == before.Addr {
		t.Fatalf("after RestartAt: %+v, was %+v", st, before)
	}
	// A base URL naming the new port, as an admin would give it.
	base := "http://" + st.Addr
	if err := c.RestartAt(st.Addr, base+"/"); err != nil {
		t.Fatalf("RestartAt on the same address: %v", err)
	}
	if got := c.BaseURL(); got != base {
		t.Fatalf("base URL = %q, want %q (no trailing slash)", got, base)
	}
	resp, err := http.Get(base + "/saml/demo/metadata")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), base+"/saml/demo/acs") {
		t.Fatalf("metadata at the new base: HTTP %d: %.300s", resp.StatusCode, body)
	}
}

// TestCheckBaseURL: what a base URL may be.
func TestCheckBaseURL(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"https://sso.example.com/", "https://sso.example.com", true},
		{" http://localhost:8080 ", "http://localhost:8080", true},
		{"https://example.com/jit", "https://example.com/jit", true},
		{"example.com", "", false},
		{"http://", "", false},
		{"https://example.com/#x", "", false},
	} {
		got, err := core.CheckBaseURL(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("CheckBaseURL(%q) = %q, %v; want %q, ok %t", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
