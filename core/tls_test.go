package core_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// selfSigned makes a pair for host with core's helper.
func selfSigned(t *testing.T, host string, now time.Time, days int) (certPEM, keyPEM []byte) {
	t.Helper()
	certPEM, keyPEM, err := core.SelfSignedTLS(core.SelfSignedOptions{Host: host, Days: days, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, keyPEM
}

// trustingClient is a browser-like client that trusts only certPEM.
func trustingClient(t *testing.T, certPEM []byte) *http.Client {
	t.Helper()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(certPEM) {
		t.Fatal("no certificate in the PEM")
	}
	return &http.Client{Jar: core.NewBrowserJar(), Timeout: 30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
}

// TestHTTPSListenerSignsInThroughHTTPSACS serves with the command line's
// pair: the base URL is https, the SP metadata advertises the https ACS,
// a real signed response posted there over TLS makes the account, and
// plain http is not answered as a sign-in.
func TestHTTPSListenerSignsInThroughHTTPSACS(t *testing.T) {
	certPEM, keyPEM := selfSigned(t, "localhost", time.Now(), 30)
	pair, err := core.ParseTLSPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	tc := startConsoleWith(t, t.TempDir(), func(o *core.Options) { o.TLS = pair })
	if !strings.HasPrefix(tc.Base, "https://127.0.0.1:") {
		t.Fatalf("base URL with HTTPS: %s", tc.Base)
	}
	client := trustingClient(t, certPEM)
	code, md := getPage(t, client, tc.Base+"/saml/demo/metadata")
	if code != http.StatusOK || !strings.Contains(md, `Location="`+tc.Base+`/saml/demo/acs"`) {
		t.Fatalf("metadata over https: HTTP %d, no https ACS in\n%s", code, md)
	}
	acs, form, err := core.DemoResponse(context.Background(), client, tc.Base, url.Values{"persona": {"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(acs, "https://") {
		t.Fatalf("the demo IdP posts to %s", acs)
	}
	resp, err := client.PostForm(acs, form)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `id="welcome"`) {
		t.Fatalf("post to the https ACS: HTTP %d\n%s", resp.StatusCode, page)
	}
	if n := len(users(t, tc)); n != 1 {
		t.Errorf("%d accounts after one sign-in over https", n)
	}
	if st := tc.TLS(); !st.On || st.Source != core.TLSFromFiles || !strings.Contains(strings.Join(st.Warnings, " "), "self-signed") {
		t.Errorf("TLS status: %+v", st)
	}
	plain, err := http.Get("http://" + tc.Listener().Addr + "/saml/demo/metadata")
	if err == nil {
		plain.Body.Close()
		if plain.StatusCode == http.StatusOK {
			t.Error("plain http is answered with the metadata")
		}
	}
	if err := tc.DisableTLS(context.Background()); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("turning off the command line's HTTPS: %v", err)
	}
}

// TestSetTLSRestartsAndLastsAcrossLaunches turns HTTPS on as Settings
// does: the running listener restarts with HTTPS at the https base URL,
// the event says the IdPs need new metadata, an http base URL is
// refused, the console's own simulation works over it, and the next
// launch serves the stored pair; turned off, the next launch is http.
func TestSetTLSRestartsAndLastsAcrossLaunches(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	launch := func() *testConsole {
		return startConsoleWith(t, dir, func(o *core.Options) { o.UseSavedListener = true })
	}
	first := launch()
	if !strings.HasPrefix(first.BaseURL(), "http://") {
		t.Fatalf("base URL before HTTPS: %s", first.BaseURL())
	}
	certPEM, keyPEM := selfSigned(t, "localhost", time.Now(), 30)
	other, _ := selfSigned(t, "localhost", time.Now(), 30)
	if _, err := first.SetTLS(ctx, other, keyPEM); core.ErrorCode(err) != core.EINVALID || !strings.Contains(core.ErrorMessage(err), "does not belong") {
		t.Fatalf("a key of another certificate: %v", err)
	}
	if first.TLS().On {
		t.Fatal("HTTPS on after a refused pair")
	}
	warnings, err := first.SetTLS(ctx, certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(warnings, " "), "self-signed") {
		t.Errorf("warnings: %q", warnings)
	}
	base := first.BaseURL()
	if !strings.HasPrefix(base, "https://127.0.0.1:") || !first.Listener().Running {
		t.Fatalf("after SetTLS: %s, %+v", base, first.Listener())
	}
	client := trustingClient(t, certPEM)
	if code, md := getPage(t, client, base+"/saml/demo/metadata"); code != http.StatusOK || !strings.Contains(md, base+"/saml/demo/acs") {
		t.Fatalf("metadata after SetTLS: HTTP %d\n%s", code, md)
	}
	audit, err := first.AuditLog(ctx, 5)
	if err != nil || len(audit) == 0 || !strings.Contains(audit[0].Message, "HTTPS turned on") || !strings.Contains(audit[0].Message, "new SP metadata") {
		t.Fatalf("audit: %+v, %v", audit, err)
	}
	if res, err := first.SimulateOnboarding(ctx, 2, 2, nil); err != nil || res.Succeeded != 2 {
		t.Fatalf("simulation over https: %+v, %v", res, err)
	}
	if err := first.RestartAt(first.Listener().Addr, "http://localhost:1"); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("an http base URL while HTTPS is on: %v", err)
	}
	first.close()

	second := launch()
	if st := second.TLS(); !st.On || st.Source != core.TLSFromStored || second.BaseURL() != base {
		t.Fatalf("next launch: %+v at %s, want the stored pair at %s", st, second.BaseURL(), base)
	}
	if code, _ := getPage(t, client, base+"/saml/demo/metadata"); code != http.StatusOK {
		t.Fatalf("next launch over https: HTTP %d", code)
	}
	if err := second.DisableTLS(ctx); err != nil {
		t.Fatal(err)
	}
	httpBase := "http://" + strings.TrimPrefix(base, "https://")
	if second.BaseURL() != httpBase || second.TLS().On {
		t.Fatalf("after DisableTLS: %s, %+v", second.BaseURL(), second.TLS())
	}
	if code, _ := getPage(t, http.DefaultClient, httpBase+"/saml/demo/metadata"); code != http.StatusOK {
		t.Fatalf("plain http after DisableTLS: HTTP %d", code)
	}
	if _, err := second.Console.StoredTLS(ctx); err != nil {
		t.Errorf("stored TLS after off: %v", err)
	}
	second.close()

	third := launch()
	if third.TLS().On || third.BaseURL() != httpBase {
		t.Errorf("launch after off: %+v at %s", third.TLS(), third.BaseURL())
	}
}

// TestCheckTLSPair: what makes a pair unusable, and what only warns.
func TestCheckTLSPair(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name        string
		host        string
		made        time.Time
		days        int
		base        string
		wantErr     string
		wantWarning string
	}{
		{name: "good for localhost", host: "localhost", made: now, days: 90, base: "https://localhost:8443", wantWarning: "self-signed"},
		{name: "names 127.0.0.1 too", host: "localhost", made: now, days: 90, base: "https://127.0.0.1:8443"},
		{name: "another host", host: "jit.example.com", made: now, days: 90, base: "https://localhost:8443", wantWarning: "does not name localhost"},
		{name: "expires soon", host: "localhost", made: now, days: 10, base: "https://localhost:8443", wantWarning: "renew it soon"},
		{name: "expired", host: "localhost", made: now.AddDate(0, 0, -40), days: 30, base: "https://localhost:8443", wantErr: "expired on"},
		{name: "not yet valid", host: "localhost", made: now.AddDate(0, 0, 2), days: 30, base: "https://localhost:8443", wantErr: "not valid before"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			certPEM, keyPEM := selfSigned(t, tc.host, tc.made, tc.days)
			pair, err := core.ParseTLSPair(certPEM, keyPEM)
			if err != nil {
				t.Fatal(err)
			}
			warnings, err := core.CheckTLSPair(pair, tc.base, now)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(core.ErrorMessage(err), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			joined := strings.Join(warnings, " ")
			if tc.wantWarning != "" && !strings.Contains(joined, tc.wantWarning) {
				t.Errorf("warnings %q, want %q", warnings, tc.wantWarning)
			}
			if strings.Contains(joined, "does not name") && tc.wantWarning == "" {
				t.Errorf("unexpected warnings %q", warnings)
			}
		})
	}
}

// TestParseTLSPairRefuses: files that are not a usable pair.
func TestParseTLSPairRefuses(t *testing.T) {
	certPEM, keyPEM := selfSigned(t, "localhost", time.Now(), 30)
	otherCert, _ := selfSigned(t, "localhost", time.Now(), 30)
	for _, tc := range []struct {
		name       string
		cert, key  []byte
		wantPhrase string
	}{
		{"key of another certificate", otherCert, keyPEM, "does not belong to the certificate"},
		{"certificate and key swapped", keyPEM, certPEM, "no PEM certificate"},
		{"no key", certPEM, []byte("not a key"), "no PEM private key"},
		{"encrypted key", certPEM, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"), "encrypted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := core.ParseTLSPair(tc.cert, tc.key)
			if core.ErrorCode(err) != core.EINVALID || !strings.Contains(core.ErrorMessage(err), tc.wantPhrase) {
				t.Errorf("got %v, want EINVALID with %q", err, tc.wantPhrase)
			}
		})
	}
}
