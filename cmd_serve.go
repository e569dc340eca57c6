// jitconsole serve: the listener without a window, events as JSON lines.

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// stdoutGrace is how long serve, once told to stop, waits for stdout to
// take the last event lines.
const stdoutGrace = 2 * time.Second

const serveUsage = `jitconsole serve [--listen ADDR] [--base-url URL] [--data-dir DIR]
         [--no-demo-idp | --demo-idp] [--new-sp-key] [--tls-cert FILE --tls-key FILE]
         [--keep-recordings DAYS] [--keep-events DAYS] [--recorder-cap MiB]
         [--metrics=false] [--log-format text|json]

Runs the SP listener and the demo IdP without a window. Every event is one
JSON line on stdout; logs go to stderr. Stops cleanly on SIGINT or SIGTERM.
If stdout's reader goes away or stalls, serve keeps running (events are in
the database regardless) and warns once on stderr.

GET /healthz (200 "ok", or 503 with the reason) and GET /metrics
(Prometheus) answer on the listener unless --metrics=false. Every flag
can also be set by the environment variable named under it (flags on the
command line win): JITCONSOLE_LISTEN, JITCONSOLE_METRICS=false, ...
`

// cmdServe runs the listener without a window until SIGINT or SIGTERM.
func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole serve", flag.ContinueOnError)
	sf := addServerFlags(fs)
	fs.BoolVar(&sf.newSPKey, "new-sp-key", false, "make a new SP key when the SP's key is missing from the keyring\n(the IdPs then need the SP's new metadata)")
	rf := addRetentionFlags(fs)
	annotateEnv(fs)
	if err := parseFlags(fs, serveUsage, args, stdout, stderr); err != nil {
		return err
	}
	if err := applyEnv(fs, os.LookupEnv, stderr); err != nil {
		return err
	}
	if err := sf.check(fs, stderr); err != nil {
		return err
	}
	var err error
	if sf.retention, err = rf.policy(fs, stderr); err != nil {
		return err
	}
	// A reader of stdout that goes away must not kill serve: with SIGPIPE
	// ignored, a write to the broken pipe fails with EPIPE instead.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := sf.ops.logger(stderr)
	con, err := lockAndOpenConsole(ctx, sf, logger)
	if err != nil {
		return err
	}
	// Subscribing before reading the events of the start leaves no gap
	// between the two. The stream's own queue is bounded; the broker's
	// buffer only has to cover the moments the pump is not scheduled.
	events, unsubscribe := con.Subscribe(4096)
	backlog := con.eventsSinceOpen(ctx)
	stream := newEventStream(stdout, sf.ops.lines(stderr, logger), eventLineQueue)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		streamEvents(stream, backlog, events)
	}()
	defer func() {
		con.close()
		unsubscribe()
		wg.Wait()
		stream.close(stdoutGrace)
	}()
	if warning := con.KeyWarning(); warning != "" {
		sf.ops.notice(stderr, logger, slog.LevelWarn, warning, "private keys are not in the OS keyring", "why", warning)
	}
	for _, e := range backlog {
		if e.Kind == core.EventSPKeyReplaced {
			sf.ops.notice(stderr, logger, slog.LevelWarn, e.Message, e.Message)
		}
	}
	if err := con.Start(); err != nil {
		return plainError(err)
	}
	removeSecret, err := con.startDemoIdP(ctx, sf.ops.lines(stderr, nil)) // core logs the demo IdP's warning too
	if err != nil {
		return err
	}
	defer removeSecret()
	st := con.listening()
	sf.ops.notice(stderr, logger, slog.LevelInfo, fmt.Sprintf("jitconsole: listening on %s, public URL %s", st.Addr, st.BaseURL),
		"listening", "addr", st.Addr, "base_url", st.BaseURL)
	warnTLS(con, sf.ops.lines(stderr, logger))
	if on, why := con.BrowserBinding(); !on {
		sf.ops.notice(stderr, logger, slog.LevelWarn, why, why)
	}
	<-ctx.Done()
	logger.Info("shutting down")
	return nil
}
