// The listener's health check: GET /healthz answers 200 while the
// listener serves and the database takes writes, 503 with the reason
// otherwise.

package core

import (
	"context"
	"fmt"
	"net/http"
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
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
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
