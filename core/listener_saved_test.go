package core_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestListenerChosenInSettingsLastsAcrossLaunches moves the listener with
// RestartAt (Settings' "Apply and restart"), closes the console and opens
// another on the same data dir: it serves at the saved address and base
// URL, unless --listen or --base-url is given, which win for that run
// and are named by ListenerOverride.
func TestListenerChosenInSettingsLastsAcrossLaunches(t *testing.T) {
	dir := t.TempDir()
	launch := func(edit func(*core.Options)) *testConsole {
		return startConsoleWith(t, dir, func(o *core.Options) {
			o.UseSavedListener = true
			o.ListenAddr, o.BaseURL = core.DefaultListenAddr, core.DefaultBaseURL
			edit(o)
		})
	}
	// The first launch has nothing saved: it takes what it is given (a
	// free port standing in for the default).
	first := launch(func(o *core.Options) { o.ListenAddr, o.BaseURL = "127.0.0.1:0", "" })
	if err := first.RestartAt("127.0.0.1:0", "http://127.0.0.1:1234/jit"); err != nil {
		t.Fatal(err)
	}
	saved := first.Listener().Addr
	first.close()

	second := launch(func(*core.Options) {})
	if got := second.Listener().Addr; got != saved || second.BaseURL() != "http://127.0.0.1:1234/jit" {
		t.Fatalf("the next launch serves at %s, %s; want the saved %s, http://127.0.0.1:1234/jit", got, second.BaseURL(), saved)
	}
	if note := second.ListenerOverride(); note != "" {
		t.Errorf("no flag, yet: %q", note)
	}
	resp, err := http.Get("http://" + saved + "/saml/demo/metadata")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the saved address answers HTTP %d", resp.StatusCode)
	}
	second.close()

	// --listen wins, with its own base URL; the saved pair stays saved.
	third := launch(func(o *core.Options) {
		o.ListenAddr, o.BaseURL, o.ListenAddrSet = "127.0.0.1:0", "", true
	})
	if third.Listener().Addr == saved || strings.Contains(third.BaseURL(), "/jit") {
		t.Errorf("--listen given, yet it serves at %s, %s", third.Listener().Addr, third.BaseURL())
	}
	if note := third.ListenerOverride(); !strings.Contains(note, "--listen 127.0.0.1:0 (saved: "+saved+")") {
		t.Errorf("the override note: %q", note)
	}
	third.close()

	// --base-url alone wins for the URL; the saved address still applies.
	fourth := launch(func(o *core.Options) { o.BaseURL, o.BaseURLSet = "http://localhost:9999", true })
	if fourth.Listener().Addr != saved || fourth.BaseURL() != "http://localhost:9999" ||
		!strings.Contains(fourth.ListenerOverride(), "--base-url http://localhost:9999 (saved: http://127.0.0.1:1234/jit)") {
		t.Errorf("--base-url given: %s, %s, %q", fourth.Listener().Addr, fourth.BaseURL(), fourth.ListenerOverride())
	}
}
