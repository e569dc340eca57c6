package core_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jitconsole/jitconsole/core"
)

// TestBrowserKeepsTheBindingCookieOnLocalhost: with the default kind of
// base URL, http://localhost:PORT, a real chromium keeps the Secure,
// SameSite=None binding cookie and sends it with the IdP's cross-site
// style POST, so the sign-in completes with the binding on.
func TestBrowserKeepsTheBindingCookieOnLocalhost(t *testing.T) {
	ctx := newBrowser(t, chromiumPath(t))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	tc := startConsoleOpts(t, func(o *core.Options) {
		o.ListenAddr, o.BaseURL = addr, "http://localhost:"+port
	})
	if on, why := tc.BrowserBinding(); !on {
		t.Fatalf("binding off on localhost: %s", why)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	browserErrors := watchBrowserErrors(t, ctx)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(tc.Base+"/saml/demo/login"),
		chromedp.WaitVisible(chromedp.ID("persona-bob")),
		chromedp.Click(chromedp.ID("persona-bob")),
		chromedp.WaitVisible(chromedp.ID("welcome")),
	); err != nil {
		t.Fatalf("sign in on localhost: %v", err)
	}
	if us := users(t, tc); len(us) != 1 {
		t.Fatalf("%d accounts after the browser login", len(us))
	}
	if errs := browserErrors(); len(errs) > 0 {
		t.Errorf("the browser reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
