package ui

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// TestSettingsTurnsHTTPSOn chooses a certificate and key in Settings'
// HTTPS card: a key of another certificate is refused and nothing
// changes; the right pair restarts the listener with HTTPS, the base URL
// (in the listener card too) becomes https, the listener answers https
// with that certificate and its metadata advertises the https ACS; turned
// off, it speaks http again.
func TestSettingsTurnsHTTPSOn(t *testing.T) {
	h := newHarness(t, nil)
	s := h.app.settings.tls
	h.showTab("Settings")
	h.waitFor("the HTTPS state", func() bool { return strings.HasPrefix(s.current.Text, "HTTPS is off") })
	if !s.turnOff.Disabled() {
		t.Error("Turn HTTPS off is enabled while HTTPS is off")
	}

	dir := t.TempDir()
	certPEM, keyPEM, err := core.SelfSignedTLS(core.SelfSignedOptions{Host: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	otherPEM, _, err := core.SelfSignedTLS(core.SelfSignedOptions{Host: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, otherFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem"), filepath.Join(dir, "o.pem")
	for f, data := range map[string][]byte{certFile: certPEM, keyFile: keyPEM, otherFile: otherPEM} {
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	test.Type(s.certPath, otherFile)
	test.Type(s.keyPath, keyFile)
	test.Tap(s.turnOn)
	h.waitFor("the refusal", func() bool { return strings.HasPrefix(s.status.Text, "Not changed as asked") })
	if !strings.Contains(s.status.Text, "does not belong to the certificate") || s.status.Importance != widget.DangerImportance {
		t.Errorf("refusal: %q", s.status.Text)
	}
	if h.con.TLS().On || !strings.HasPrefix(h.con.BaseURL(), "http://") {
		t.Fatalf("a refused pair changed the listener: %+v at %s", h.con.TLS(), h.con.BaseURL())
	}

	s.certPath.SetText("")
	test.Type(s.certPath, certFile)
	test.Tap(s.turnOn)
	h.waitFor("HTTPS on", func() bool { return strings.HasPrefix(s.status.Text, "HTTPS is on") })
	base := h.con.BaseURL()
	if !strings.HasPrefix(base, "https://") || !strings.Contains(s.status.Text, "new metadata") ||
		!strings.Contains(s.status.Text, "self-signed") {
		t.Fatalf("after turning on: %s, %q", base, s.status.Text)
	}
	if h.app.settings.system.base.Text != base {
		t.Errorf("the listener card's base URL: %q, want %q", h.app.settings.system.base.Text, base)
	}
	if !strings.HasPrefix(s.current.Text, "HTTPS is on with CN=localhost") || s.turnOff.Disabled() {
		t.Errorf("current: %q, turn off disabled %v", s.current.Text, s.turnOff.Disabled())
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(certPEM)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := client.Get(base + "/saml/demo/metadata")
	if err != nil {
		t.Fatalf("the listener over https: %v", err)
	}
	md, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(md), base+"/saml/demo/acs") {
		t.Fatalf("metadata over https: HTTP %d\n%s", resp.StatusCode, md)
	}

	test.Tap(s.turnOff)
	h.waitFor("HTTPS off", func() bool { return strings.HasPrefix(s.status.Text, "HTTPS is off") })
	if b := h.con.BaseURL(); !strings.HasPrefix(b, "http://") || h.con.TLS().On {
		t.Fatalf("after turning off: %s, %+v", b, h.con.TLS())
	}
	resp, err = http.Get(h.con.BaseURL() + "/saml/demo/metadata")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("plain http after turning off: HTTP %d", resp.StatusCode)
	}
}
