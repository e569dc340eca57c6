package core_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

func TestBusyPortIsAClearErrorAndRestartMovesOn(t *testing.T) {
	first := startConsole(t, t.TempDir(), "")
	busy := first.Listener().Addr

	ctx := context.Background()
	dir := t.TempDir()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := core.New(ctx, core.Options{Store: db, Keys: storage.NewFileKeyStore(dir), ListenAddr: busy,
		BaseURL: "http://" + busy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Start()
	if core.ErrorCode(err) != core.EUNAVAILABLE || !strings.Contains(core.ErrorMessage(err), "already in use") {
		t.Fatalf("Start on a busy port: %v", err)
	}
	if st := c.Listener(); st.Running || st.Err == "" {
		t.Fatalf("status after failure: %+v", st)
	}
	if err := c.Restart("127.0.0.1:0"); err != nil {
		t.Fatalf("restart on a free port: %v", err)
	}
	st := c.Listener()
	if !st.Running || st.Addr == busy {
		t.Fatalf("status after restart: %+v", st)
	}
	resp, err := http.Get("http://" + st.Addr + "/saml/demo/metadata")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metadata after restart: HTTP %d", resp.StatusCode)
	}
}

func TestACSRefusesOversizeArtifactAndUnknownIdP(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	tests := []struct {
		name   string
		do     func() (*http.Response, error)
		status int
		class  core.RefusalClass
	}{
		{"body over 256 KiB", func() (*http.Response, error) {
			form := url.Values{"SAMLResponse": {strings.Repeat("A", core.MaxACSBody)}}
			return http.PostForm(tc.Base+"/saml/demo/acs", form)
		}, http.StatusRequestEntityTooLarge, core.ClassTooLarge},
		{"SAMLart GET", func() (*http.Response, error) {
			return http.Get(tc.Base + "/saml/demo/acs?SAMLart=AAQAAMh48%2FoO2Qq1S1Az2zXabcdef")
		}, http.StatusMethodNotAllowed, core.ClassArtifact},
		{"unknown IdP", func() (*http.Response, error) {
			return http.PostForm(tc.Base+"/saml/nosuch/acs", url.Values{"SAMLResponse": {"PHg+"}})
		}, http.StatusNotFound, core.ClassUnknownIdP},
		{"not base64", func() (*http.Response, error) {
			return http.PostForm(tc.Base+"/saml/demo/acs", url.Values{"SAMLResponse": {"%%%"}})
		}, http.StatusBadRequest, core.ClassMalformed},
		{"not XML", func() (*http.Response, error) {
			return http.PostForm(tc.Base+"/saml/demo/acs", url.Values{"SAMLResponse": {"bm90IHhtbA=="}})
		}, http.StatusForbidden, core.ClassMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := tt.do()
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("HTTP %d, want %d\n%s", resp.StatusCode, tt.status, body)
			}
			if got := refusalClass(t, tc, lastRefusal(t, tc)); got != tt.class {
				t.Fatalf("class %q, want %q", got, tt.class)
			}
			if n := len(users(t, tc)); n != 0 {
				t.Fatalf("%d accounts", n)
			}
		})
	}
}

// TestURLsComeFromBaseURLNotHostHeader: another Host header the guard lets
// through (a loopback alias) changes no URL the SP or the demo IdP builds.
// A foreign Host is refused before any handler: see
// TestForeignHostIsRefused.
func TestURLsComeFromBaseURLNotHostHeader(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	alias := strings.Replace(tc.Listener().Addr, "127.0.0.1", "localhost", 1)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, tc.addr()+"/saml/demo/login", nil)
	req.Host = alias
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A sign-in started on the alias goes to the base URL's host first
	// (where the binding cookie must be set: loopbackAlias).
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != tc.Base+"/saml/demo/login" {
		t.Fatalf("login on the alias: redirect %d to %q, want %s", resp.StatusCode, loc, tc.Base+"/saml/demo/login")
	}
	resp, err = client.Get(tc.Base + "/saml/demo/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, tc.Base+"/demo-idp/sso?") {
		t.Fatalf("redirect %d to %q", resp.StatusCode, loc)
	}
	req, _ = http.NewRequest(http.MethodGet, loc, nil)
	req.Host = alias
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `action="`+tc.Base+`/demo-idp/sso"`) || strings.Contains(string(body), "localhost") {
		t.Fatalf("the demo IdP page uses the Host header:\n%s", body)
	}
}
