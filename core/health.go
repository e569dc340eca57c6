// The listener's health check: GET /healthz answers 200 while the
// listener serves and the database takes writes, 503 with the reason
// otherwise.

package core

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// healthTimeout bounds the write check of one health probe: a database
// locked by a long write answers 503 rather than hanging the probe.
const healthTimeout = 5 * time.Second

// WriteChecker is what a Store implements when it can prove it takes
// writes without changing anything: a write in a transaction that is
// rolled back.
type WriteChecker interface {
	CheckWritable(ctx context.Context) error
}

// settingHealthCheck is the setting a store without CheckWritable is
// touched through.
const settingHealthCheck = "health.checked_at"

// Health says why the console is not healthy; "" when it is: its
// listener serves and its database takes writes.
func (c *Console) Health(ctx context.Context) string {
	if st := c.Listener(); !st.Running {
		return "the SP listener is not running"
	}
	return c.health.share(ctx, c.checkWrites)
}

// checkWrites is the write check of one probe.
func (c *Console) checkWrites() string {
	ctx, cancel := context.WithTimeout(context.Background(), healthTimeout)
	defer cancel()
	var err error
	if wc, ok := c.store.(WriteChecker); ok {
		err = wc.CheckWritable(ctx)
	} else {
		err = c.store.SetSetting(ctx, settingHealthCheck, c.clock.Now().UTC().Format(time.RFC3339))
	}
	if err != nil {
		c.log.Warn("health check: the database does not take writes", "err", err)
		return "the database does not take writes (see the console's log)"
	}
	return ""
}

// healthFlight lets probes that arrive while a write check runs share its
// answer: however many clients hammer /healthz, at most one check holds
// the database's write lock at a time, so the ACS's writes wait for one
// short rolled-back transaction at most.
type healthFlight struct {
	mu     sync.Mutex
	cur    *healthCall
	joined int // probes that waited for another's check (for tests)
}

// healthCall is one write check under way and, once done is closed, its
// answer.
type healthCall struct {
	done chan struct{}
	why  string
}

// share runs check, or waits for the one under way and returns its
// answer. A caller that gives up (ctx) leaves the check running for the
// others.
func (f *healthFlight) share(ctx context.Context, check func() string) string {
	f.mu.Lock()
	if call := f.cur; call != nil {
		f.joined++
		f.mu.Unlock()
		select {
		case <-call.done:
			return call.why
		case <-ctx.Done():
			return "the health check did not finish in time"
		}
	}
	call := &healthCall{done: make(chan struct{})}
	f.cur = call
	f.mu.Unlock()

	call.why = check()
	f.mu.Lock()
	f.cur = nil
	f.mu.Unlock()
	close(call.done)
	return call.why
}

// serveHealth answers GET and HEAD /healthz for a monitor or a service
// manager: 200 "ok", or 503 with the reason. The reason names no path or
// library error (the log has them): /healthz answers any Host.
func (c *Console) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if why := c.Health(r.Context()); why != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "unavailable: %s\n", why)
		return
	}
	fmt.Fprintln(w, "ok")
}
