package core_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium. The browser test must run where
// make test says it does (JITCONSOLE_BROWSER_TEST=1, and in CI); elsewhere
// a missing browser skips it, with the reason.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("JITCONSOLE_BROWSER_TEST") == "1" || os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; run scripts/deps.sh test")
	}
	t.Skip("chromium is not installed (make test installs it and requires this test)")
	return ""
}

// TestBrowserSignsInThroughDemoIdP signs in as a persona in a real
// chromium: the SP redirects to the demo IdP, the person is chosen with a
// click, the signed assertion is auto-posted to the ACS, and the welcome
// page shows the new account.
func TestBrowserSignsInThroughDemoIdP(t *testing.T) {
	ctx := newBrowser(t, chromiumPath(t))
	tc := startConsole(t, t.TempDir(), "")
	// The first action starts the browser: no timeout on it.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	browserErrors := watchBrowserErrors(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(tc.Base+"/saml/demo/login")); err != nil {
		t.Fatalf("open the login URL: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID("persona-alice")),
		chromedp.Click(chromedp.ID("persona-alice")),
		chromedp.WaitVisible(chromedp.ID("welcome")),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("welcome")))
	if err != nil {
		t.Fatal(err)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("summary")))
	if err != nil {
		t.Fatal(err)
	}
	if heading != "Welcome, Alice Anderson" || !contains(summary, "created just now") || !contains(summary, "admin") {
		t.Fatalf("welcome page: %q / %q", heading, summary)
	}
	us := users(t, tc)
	if len(us) != 1 || us[0].Username != "alice" {
		t.Fatalf("accounts after the browser login: %+v", us)
	}
	if errs := browserErrors(); len(errs) > 0 {
		t.Errorf("the browser reported errors (CSP violations?):\n%s", strings.Join(errs, "\n"))
	}
}

// newBrowser starts Debian's chromium at exe, headless, with a fresh
// profile and the flags this machine needs (no background networking).
// The browser is closed when the test ends. Do not put a timeout on the
// context's first action: it starts the browser.
func newBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return ctx
}
