// jitconsole serve: the listener without a window, events as JSON lines.

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/jitconsole/jitconsole/core"
)

// cmdServe runs the listener without a window until SIGINT or SIGTERM.
func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole serve", flag.ContinueOnError)
	sf := addServerFlags(fs)
	rf := addRetentionFlags(fs)
	if err := parseFlags(fs, "jitconsole serve [--listen ADDR] [--base-url URL] [--data-dir DIR]\n\nRuns the SP listener and the demo IdP without a window. Every event is one\nJSON line on stdout; logs go to stderr. Stops cleanly on SIGINT or SIGTERM.\n", args, stdout, stderr); err != nil {
		return err
	}
	if err := sf.check(fs, stderr); err != nil {
		return err
	}
	var err error
	if sf.retention, err = rf.policy(fs, stderr); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	con, err := openConsole(ctx, sf, logger)
	if err != nil {
		return err
	}
	// Big enough that a reader of stdout never misses a burst; a missed
	// event would still be in the database's event log. Subscribing before
	// reading the events of the start leaves no gap between the two.
	events, unsubscribe := con.Subscribe(16384)
	backlog := con.eventsSinceOpen(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		writeEvents(stdout, backlog, events, logger)
	}()
	defer func() {
		con.close()
		unsubscribe()
		wg.Wait()
	}()
	if warning := con.KeyWarning(); warning != "" {
		fmt.Fprintf(stderr, "WARNING: %s\n", warning)
	}
	if err := con.Start(); err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	st := con.Listener()
	fmt.Fprintf(stderr, "jitconsole: listening on %s, public URL %s\n", st.Addr, st.BaseURL)
	<-ctx.Done()
	logger.Info("shutting down")
	return nil
}

// eventJSON is the line serve writes for an event.
type eventJSON struct {
	ID      int64  `json:"id"`
	At      string `json:"at"`
	Kind    string `json:"kind"`
	Outcome string `json:"outcome"`
	IdP     string `json:"idp"`
	UserID  int64  `json:"user_id"`
	Subject string `json:"subject"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
	Class   string `json:"class,omitempty"`
	Count   int    `json:"count,omitempty"` // requests a compact refusal stands for, when more than one
}

// writeEvents writes the backlog, then the live events not in it, one JSON
// line each, until events is closed.
func writeEvents(w io.Writer, backlog []core.Event, events <-chan core.Event, logger *slog.Logger) {
	enc := json.NewEncoder(w)
	write := func(e core.Event) {
		err := enc.Encode(eventLine(e))
		if err != nil {
			logger.Error("write event", "err", err)
		}
	}
	var seen int64
	for _, e := range backlog {
		write(e)
		seen = e.ID
	}
	for e := range events {
		if e.ID > seen {
			write(e)
		}
	}
}
