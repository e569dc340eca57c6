package core_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// watchBrowserErrors collects, from now on, what the browser of ctx
// reports as errors of the pages it shows: Content-Security-Policy
// violations (blocked inline scripts and styles, forms, frames), console
// errors and uncaught exceptions. The returned function lists them.
func watchBrowserErrors(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	note := func(s string) {
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
	}
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *cdplog.EventEntryAdded:
			if strings.HasSuffix(e.Entry.URL, "/favicon.ico") {
				return // browsers ask for one; the console has none
			}
			if e.Entry.Level == cdplog.EntryLevelError || strings.Contains(e.Entry.Text, "Content Security Policy") {
				note(string(e.Entry.Source) + ": " + e.Entry.Text + " (" + e.Entry.URL + ")")
			}
		case *runtime.EventExceptionThrown:
			note("exception: " + e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				note("console.error")
			}
		}
	})
	if err != nil {
		t.Fatalf("listen to the browser: %v", err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}
