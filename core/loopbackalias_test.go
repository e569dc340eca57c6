package core_test

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

// TestLoginStartedOnAnotherLoopbackName: a sign-in started at
// 127.0.0.1 on a console whose base URL is localhost (serve's default for
// --listen 127.0.0.1:PORT) is sent to localhost first, so that the binding
// cookie is where the IdP posts the response, and the sign-in succeeds.
func TestLoginStartedOnAnotherLoopbackName(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).AddrPort().Port()
	ln.Close()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port)))
	tc := startConsoleWith(t, t.TempDir(), func(o *core.Options) {
		o.ListenAddr, o.BaseURL = addr, "http://localhost:"+strconv.Itoa(int(port))
	})
	idp := samltest.Start(t, func() core.Endpoints { return tc.Endpoints("p") })
	if _, _, err := tc.ImportIdP(context.Background(), core.ImportRequest{
		MetadataInput: core.MetadataInput{Source: core.SourceURL, Name: idp.MetadataURL()}, DisplayName: "Partner", Slug: "p",
	}); err != nil {
		t.Fatal(err)
	}
	loginAt127 := strings.Replace(tc.Endpoints("p").LoginURL, "localhost", "127.0.0.1", 1)

	// The first hop is a redirect to the same path on localhost.
	resp, err := samltest.Browser().Get(loginAt127)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != tc.Endpoints("p").LoginURL {
		t.Errorf("login at 127.0.0.1: HTTP %d to %q, want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), tc.Endpoints("p").LoginURL)
	}

	// A browser that follows it signs in.
	browser := &http.Client{Jar: core.NewBrowserJar()}
	status, page, err := idp.SignIn(browser, loginAt127)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK || !strings.Contains(page, "pat@partner.example") {
		t.Errorf("sign-in started at 127.0.0.1 ended in HTTP %d: %.400s", status, page)
	}

	// Another port is not this console: no redirect.
	req, _ := http.NewRequest(http.MethodGet, loginAt127, nil)
	req.Host = "127.0.0.1:1"
	resp, err = samltest.Browser().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, "http://localhost") {
		t.Errorf("a request for another port was sent to %s", loc)
	}
}
