// The Console (the service API that the UI, the headless mode and the
// command line share): its options, New and Close, its URLs and the OS
// user the audit log names.

package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/user"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Console. Zero values get the defaults of
// DefaultListenAddr and DefaultBaseURL, the system clock and slog.Default.
type Options struct {
	Store  Store
	Keys   KeyStore
	Clock  Clock
	Logger *slog.Logger
	// ListenAddr is where the SP listener binds (default 127.0.0.1:8080).
	ListenAddr string
	// BaseURL is the public URL of the listener; every URL the SP and the
	// demo IdP publish is built from it, never from a request's Host header.
	BaseURL string
	// ReadTimeout, if set, replaces DefaultReadTimeout: how long a client
	// may take to send a whole request (tests lower it).
	ReadTimeout time.Duration
	// DemoIdP is the command line's say over the demo IdP for this process
	// (see DecideDemoIdP); HireSecret is the demo IdP's secret (zero: a
	// random one is made).
	DemoIdP    DemoOverride
	HireSecret HireSecret
	// NewSPKey allows New to make a new SP key when the SP's key is
	// missing from Keys while Store keeps its certificate; without it New
	// refuses with ErrSPKeyMissing. (A first start makes one regardless.)
	NewSPKey bool
	// Retention overrides the stored retention settings for this process
	// (command-line flags); zero fields leave the stored setting.
	Retention RetentionPolicy
	// DataDir is the data directory the store and keys live in, for the
	// Settings screen to show ("" when the caller has none).
	DataDir string
	// UseSavedListener makes New use the listener address and base URL
	// saved in Settings (RestartAt) in place of ListenAddr and BaseURL,
	// except where the command line gave them (ListenAddrSet, BaseURLSet).
	UseSavedListener          bool
	ListenAddrSet, BaseURLSet bool
	// Maintenance backs up and checks the database file for the Settings
	// screen (nil: not available; see BackupDatabase).
	Maintenance Maintenance
	// Metrics serves GET /healthz and GET /metrics on the SP listener and
	// counts the ACS's sign-ins (see metrics.go and health.go).
	Metrics bool
	// TLS, if set, makes the listener speak HTTPS with this pair (the
	// command line's files); else a pair stored from Settings is used
	// when UseSavedListener.
	TLS *TLSPair
	// EventWatchEvery, if set, replaces DefaultEventWatchEvery: how often
	// the console looks for events other processes wrote (tests lower it).
	EventWatchEvery time.Duration
}

// Defaults for Options.
const (
	DefaultListenAddr = "127.0.0.1:8080"
	DefaultBaseURL    = "http://localhost:8080"
	// DemoSlug is the slug of the built-in demo IdP.
	DemoSlug = "demo"
)

// Console is the service API that the UI, the headless mode and the command
// line share. Create it with New, bind its listener with Start.
type Console struct {
	store  Store
	keys   KeyStore
	clock  Clock
	log    *slog.Logger
	broker *Broker

	sp   *spServer
	demo *demoIdP
	idps idpCache // the IdPs the listener serves (cachedIdP)

	demoOverride DemoOverride
	demoOn       atomic.Bool // the demo IdP serves (see applyDemoSwitch)
	hireSecret   HireSecret
	signIns      personaSignIns // one-time "Sign in as…" tokens (MintPersonaSignIn)

	// httpClient fetches IdP metadata.
	httpClient *http.Client
	stopLoop   context.CancelFunc
	watch      *eventWatch // events of other processes (eventwatch.go)

	mu       sync.Mutex
	listen   string
	baseURL  string
	srv      *http.Server
	ln       net.Listener // srv's, closed with it (see stopServing)
	running  bool
	lastErr  error
	keyAlert string
	readOnly bool // made by NewReader: reads only, never serves

	readTimeout time.Duration
	watchEvery  time.Duration // Options.EventWatchEvery
	retention   retention
	dataDir     string
	maint       Maintenance
	// listenerNote says which flags override the saved listener.
	listenerNote string
	metrics      *metrics     // nil: /healthz and /metrics are off
	health       healthFlight // probes of /healthz share one write check
	tls          tlsState     // HTTPS of the listener (tls_console.go)
}

// New opens the console over opts.Store and opts.Keys: it loads (or on
// first launch creates) the SP's and the demo IdP's keys. It does not bind
// the listener; call Start.
func New(ctx context.Context, opts Options) (*Console, error) {
	if opts.Store == nil || opts.Keys == nil {
		return nil, errors.New("core.New: Store and Keys are required")
	}
	c := newConsole(opts)
	if c.hireSecret.IsZero() {
		secret, err := NewHireSecret()
		if err != nil {
			return nil, err
		}
		c.hireSecret = secret
	}
	c.readTimeout = opts.ReadTimeout
	c.watchEvery = cmp.Or(opts.EventWatchEvery, DefaultEventWatchEvery)
	if opts.UseSavedListener {
		if err := c.useSavedListener(ctx, opts); err != nil {
			return nil, err
		}
	}
	if err := c.loadTLS(opts); err != nil {
		return nil, err
	}
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
	if opts.Metrics {
		c.metrics = newMetrics(c)
	}
	c.demo = &demoIdP{c: c, key: demoKey}
	if spReplaced {
		c.publishSPKeyReplaced(ctx)
	}
	if inFile, why := c.keys.Fallback(); inFile {
		c.keyAlert = why
		c.publish(ctx, Event{Kind: EventKeyFallback, Outcome: OutcomeWarning, Message: "Private keys are stored in a file, not in the OS keyring", Detail: why})
	}
	c.startEventWatch(ctx)
	return c, nil
}

// Close stops the listener and the background work.
func (c *Console) Close() error {
	c.stopEventWatch() // first: it may restart the listener
	c.mu.Lock()
	if c.stopLoop != nil {
		c.stopLoop()
		c.stopLoop = nil
	}
	c.mu.Unlock()
	return c.stopServing(5 * time.Second)
}

// stopServing shuts the listener's server down (waiting up to wait for
// requests in flight) and closes its socket, so that the address is free
// when it returns: Shutdown alone leaves a listener open whose Serve has
// not started yet (a restart right after a start).
func (c *Console) stopServing(wait time.Duration) error {
	c.mu.Lock()
	srv, ln := c.srv, c.ln
	c.srv, c.ln, c.running = nil, nil, false
	c.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := srv.Shutdown(ctx)
	if cerr := ln.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
		err = cerr
	}
	return err
}

// Endpoints are the values an admin pastes into an IdP's console.
type Endpoints struct {
	EntityID    string
	ACSURL      string
	MetadataURL string
	LoginURL    string
}

// KeyWarning is "" when private keys are in the OS keyring, and otherwise a
// sentence saying where they are and why.
func (c *Console) KeyWarning() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keyAlert
}

// BaseURL returns the configured public base URL, without a trailing slash.
func (c *Console) BaseURL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.baseURL
}

// Endpoints returns the SP's URLs for the IdP with slug.
func (c *Console) Endpoints(slug string) Endpoints { return EndpointsFor(c.BaseURL(), slug) }

// EndpointsFor returns the SP's URLs for the IdP with slug under the
// public base URL base (no trailing slash).
func EndpointsFor(base, slug string) Endpoints {
	base = strings.TrimRight(base, "/")
	return Endpoints{
		EntityID:    base + "/saml/metadata",
		ACSURL:      fmt.Sprintf("%s/saml/%s/acs", base, slug),
		MetadataURL: fmt.Sprintf("%s/saml/%s/metadata", base, slug),
		LoginURL:    fmt.Sprintf("%s/saml/%s/login", base, slug),
	}
}

// osUser names the person at the keyboard for the audit log.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

// newConsole is a Console with opts' store, keys, clock, logger, listen
// address, base URL and switches, the defaults filled in: what New and
// NewReader share before they load what each needs.
func newConsole(opts Options) *Console {
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ListenAddr == "" {
		opts.ListenAddr = DefaultListenAddr
	}
	return &Console{
		store:        opts.Store,
		keys:         opts.Keys,
		clock:        opts.Clock,
		log:          opts.Logger,
		broker:       NewBroker(),
		listen:       opts.ListenAddr,
		baseURL:      strings.TrimRight(opts.BaseURL, "/"),
		httpClient:   &http.Client{Timeout: 20 * time.Second},
		demoOverride: opts.DemoIdP,
		hireSecret:   opts.HireSecret,
		retention:    retention{override: opts.Retention},
		dataDir:      opts.DataDir,
		maint:        opts.Maintenance,
	}
}
