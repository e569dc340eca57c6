// The SP listener: the HTTP handler, Start and Restart, and the loop of
// scheduled background work.

package core

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Handler is the SP listener's HTTP handler: the SP endpoints and the demo
// IdP, behind the guard (security headers, Host check). Admin functions are
// never served over HTTP.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	c.sp.routes(mux)
	c.demo.routes(mux)
	c.scimRoutes(mux)
	if c.metrics != nil {
		mux.HandleFunc("GET /healthz", c.serveHealth)
		mux.Handle("GET /metrics", c.metrics.handler(c))
	}
	return c.guard(mux)
}

// Start binds the listener and serves in the background, then makes sure
// the demo IdP is registered with metadata for the current base URL. A busy
// port is an *Error with code EUNAVAILABLE saying so.
func (c *Console) Start() error {
	if c.readOnly {
		return errReadOnly
	}
	if err := c.loadStoredTLS(context.Background()); err != nil {
		c.mu.Lock()
		c.lastErr = err
		c.mu.Unlock()
		c.publish(context.Background(), Event{Kind: EventListener, Outcome: OutcomeRefused, Message: ErrorMessage(err)})
		return err
	}
	c.mu.Lock()
	addr := c.listen
	c.mu.Unlock()
	c.applyClockSkew(context.Background())
	demoState := c.applyDemoSwitch(context.Background())
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		err = listenError(addr, err)
		c.mu.Lock()
		c.lastErr = err
		c.mu.Unlock()
		c.publish(context.Background(), Event{Kind: EventListener, Outcome: OutcomeRefused, Message: ErrorMessage(err)})
		return err
	}
	srv := newHTTPServer(c.Handler(), c.readTimeout)
	c.mu.Lock()
	c.listen = ln.Addr().String()
	ln = c.tlsListenerLocked(ln)
	c.srv, c.ln, c.running, c.lastErr = srv, ln, true, nil
	if c.baseURL == "" {
		c.baseURL = c.schemeLocked() + "://" + c.listen
	}
	base := c.baseURL
	c.mu.Unlock()
	go func() {
		err := srv.Serve(ln)
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.log.Error("SP listener stopped", "err", err)
			c.mu.Lock()
			if c.srv == srv {
				c.running, c.lastErr = false, err
			}
			c.mu.Unlock()
		}
	}()
	ctx := context.Background()
	if stored, err := c.store.GetSetting(ctx, settingBaseURL); err != nil || stored != base {
		if err := c.store.SetSetting(ctx, settingBaseURL, base); err != nil {
			c.log.Error("remember the base URL", "err", err)
		}
	}
	c.announceDemoSwitch(ctx, demoState)
	if err := c.registerDemoIdP(ctx); err != nil {
		c.log.Error("register demo IdP", "err", err)
	}
	c.startBackground()
	c.publish(ctx, Event{Kind: EventListener, Outcome: OutcomeInfo,
		Message: fmt.Sprintf("SP listener serving on %s (public URL %s)", ln.Addr(), base)})
	return nil
}

func listenError(addr string, err error) error {
	if isAddrInUse(err) {
		return &Error{Code: EUNAVAILABLE, Err: err, Message: fmt.Sprintf(
			"The address %s is already in use (is another JIT Console running?). Choose another address, such as %s.", addr, nextPort(addr))}
	}
	return &Error{Code: EUNAVAILABLE, Err: err, Message: fmt.Sprintf("The SP listener cannot bind %s: %v.", addr, err)}
}

func nextPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "127.0.0.1:8081"
	}
	var n int
	fmt.Sscanf(port, "%d", &n)
	return net.JoinHostPort(host, fmt.Sprint(n+1))
}

// Restart moves the listener to listenAddr. When the base URL points at
// this machine on the old port, it follows the new port.
func (c *Console) Restart(listenAddr string) error {
	_ = c.stopServing(3 * time.Second)
	c.mu.Lock()
	oldAddr := c.listen
	c.listen = listenAddr
	c.baseURL = followPort(c.baseURL, oldAddr, listenAddr)
	c.mu.Unlock()
	return c.Start()
}

func followPort(base, oldAddr, newAddr string) string {
	u, err := url.Parse(base)
	if err != nil || base == "" {
		return base
	}
	_, oldPort, _ := net.SplitHostPort(oldAddr)
	_, newPort, err := net.SplitHostPort(newAddr)
	if err != nil || newPort == "0" {
		return base
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1":
		if u.Port() == oldPort {
			u.Host = net.JoinHostPort(u.Hostname(), newPort)
			return strings.TrimRight(u.String(), "/")
		}
	}
	return base
}

// backgroundEvery is how often the console looks for due metadata
// refreshes and old recordings.
const backgroundEvery = time.Minute

// startBackground starts, once, the loop of scheduled work: metadata
// refreshes and the recorder's retention.
func (c *Console) startBackground() {
	c.mu.Lock()
	if c.stopLoop != nil {
		c.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.stopLoop = cancel
	c.mu.Unlock()
	go func() {
		t := time.NewTicker(backgroundEvery)
		defer t.Stop()
		for {
			c.refreshDue(ctx)
			c.retentionDue(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// ListenerStatus says whether the SP listener is serving.
type ListenerStatus struct {
	Addr    string
	BaseURL string
	Running bool
	Err     string // why it is not running, for a person
}

// Listener reports the listener's state.
func (c *Console) Listener() ListenerStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := ListenerStatus{Addr: c.listen, BaseURL: c.baseURL, Running: c.running}
	if c.lastErr != nil {
		st.Err = ErrorMessage(c.lastErr)
	}
	return st
}
