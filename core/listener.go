package core

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// New opens the console over opts.Store and opts.Keys: it loads (or on
// first launch creates) the SP's and the demo IdP's keys. It does not bind
// the listener; call Start.
func New(ctx context.Context, opts Options) (*Console, error) {
	if opts.Store == nil || opts.Keys == nil {
		return nil, errors.New("core.New: Store and Keys are required")
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ListenAddr == "" {
		opts.ListenAddr = DefaultListenAddr
	}
	c := &Console{
		store:      opts.Store,
		keys:       opts.Keys,
		clock:      opts.Clock,
		log:        opts.Logger,
		broker:     NewBroker(),
		listen:     opts.ListenAddr,
		baseURL:    strings.TrimRight(opts.BaseURL, "/"),
		httpClient: &http.Client{Timeout: 20 * time.Second},

		demoOverride: opts.DemoIdP,
		hireSecret:   opts.HireSecret,
		retention:    retention{override: opts.Retention},
	}
	if c.hireSecret.IsZero() {
		secret, err := NewHireSecret()
		if err != nil {
			return nil, err
		}
		c.hireSecret = secret
	}
	c.readTimeout = opts.ReadTimeout
	now := c.clock.Now()
	spKey, spReplaced, err := loadSPKeyPair(ctx, c.store, c.keys, opts.NewSPKey, now)
	if err != nil {
		return nil, fmt.Errorf("SP signing key: %w", err)
	}
	demoKey, _, err := loadOrCreateKeyPair(ctx, c.store, c.keys, DemoIdPKeyName, "JIT Console demo IdP", now, true)
	if err != nil {
		return nil, fmt.Errorf("demo IdP signing key: %w", err)
	}
	c.sp = &spServer{c: c, key: spKey, sps: map[string]cachedSP{}}
	c.demo = &demoIdP{c: c, key: demoKey}
	if spReplaced {
		c.publishSPKeyReplaced(ctx)
	}
	if inFile, why := c.keys.Fallback(); inFile {
		c.keyAlert = why
		c.publish(ctx, Event{Kind: EventKeyFallback, Outcome: OutcomeWarning, Message: "Private keys are stored in a file, not in the OS keyring", Detail: why})
	}
	return c, nil
}

// Handler is the SP listener's HTTP handler: the SP endpoints and the demo
// IdP, behind the guard (security headers, Host check). Admin functions are
// never served over HTTP.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	c.sp.routes(mux)
	c.demo.routes(mux)
	return c.guard(mux)
}

// Start binds the listener and serves in the background, then makes sure
// the demo IdP is registered with metadata for the current base URL. A busy
// port is an *Error with code EUNAVAILABLE saying so.
func (c *Console) Start() error {
	if c.readOnly {
		return errReadOnly
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
	c.srv, c.running, c.lastErr = srv, true, nil
	c.listen = ln.Addr().String()
	if c.baseURL == "" {
		c.baseURL = "http://" + c.listen
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
	if errors.Is(err, syscall.EADDRINUSE) {
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
	c.mu.Lock()
	old, oldAddr := c.srv, c.listen
	c.srv, c.running = nil, false
	c.listen = listenAddr
	c.baseURL = followPort(c.baseURL, oldAddr, listenAddr)
	c.mu.Unlock()
	if old != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = old.Shutdown(ctx)
	}
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

// Close stops the listener and the background work.
func (c *Console) Close() error {
	c.mu.Lock()
	srv := c.srv
	c.srv, c.running = nil, false
	if c.stopLoop != nil {
		c.stopLoop()
		c.stopLoop = nil
	}
	c.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

// registerDemoIdP registers the demo IdP as IdP "demo" on first launch,
// with its personas, and keeps its metadata in step with the base URL.
func (c *Console) registerDemoIdP(ctx context.Context) error {
	md, err := c.demo.metadataXML()
	if err != nil {
		return err
	}
	entityID := c.BaseURL() + demoIdPMetadataPath
	idp, err := c.store.GetIdP(ctx, DemoSlug)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		idp = IdP{Slug: DemoSlug, DisplayName: "Demo IdP (built in)", EntityID: entityID,
			MetadataXML: md, Enabled: true, Mapping: withRuleIDs(DemoMapping()), MetadataSource: SourceDemo}
		if _, err := c.store.SaveIdP(ctx, idp); err != nil {
			return fmt.Errorf("register demo IdP: %w", err)
		}
		c.publish(ctx, Event{Kind: EventIdPRegistered, Outcome: OutcomeInfo, IdPSlug: DemoSlug,
			Message: "Built-in demo IdP registered with six personas"})
	case err != nil:
		return fmt.Errorf("look up demo IdP: %w", err)
	case idp.MetadataXML != md || idp.EntityID != entityID || idp.MetadataSource != SourceDemo:
		idp.MetadataXML, idp.EntityID, idp.MetadataSource = md, entityID, SourceDemo
		if _, err := c.store.SaveIdP(ctx, idp); err != nil {
			return fmt.Errorf("update demo IdP metadata: %w", err)
		}
	}
	if _, err := c.store.GetSetting(ctx, "demo.personas_seeded"); ErrorCode(err) == ENOTFOUND {
		for _, p := range DefaultPersonas() {
			if err := c.store.SavePersona(ctx, p); err != nil {
				return fmt.Errorf("seed persona %q: %w", p.ID, err)
			}
		}
		return c.store.SetSetting(ctx, "demo.personas_seeded", "1")
	}
	return nil
}

func xmlMarshal(v any) ([]byte, error) { return xml.MarshalIndent(v, "", "  ") }

func xmlUnmarshal(data []byte, v any) error { return xml.Unmarshal(data, v) }
