package core

import (
	"context"
	"fmt"
	"log/slog"
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

	// httpClient fetches IdP metadata.
	httpClient *http.Client
	stopLoop   context.CancelFunc

	mu       sync.Mutex
	listen   string
	baseURL  string
	srv      *http.Server
	running  bool
	lastErr  error
	keyAlert string
	readOnly bool // made by NewReader: reads only, never serves

	readTimeout time.Duration
	retention   retention
}

// Endpoints are the values an admin pastes into an IdP's console.
type Endpoints struct {
	EntityID    string
	ACSURL      string
	MetadataURL string
	LoginURL    string
}

// ListenerStatus says whether the SP listener is serving.
type ListenerStatus struct {
	Addr    string
	BaseURL string
	Running bool
	Err     string // why it is not running, for a person
}

// Subscribe returns a channel of events published from now on, and a
// function that ends the subscription. The channel has room for buffer
// events; a subscriber that falls behind misses live events (they are
// still in the store: use RecentEvents) but never slows a login.
func (c *Console) Subscribe(buffer int) (<-chan Event, func()) {
	return c.broker.Subscribe(buffer)
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

// IdPs lists the connected identity providers.
func (c *Console) IdPs(ctx context.Context) ([]IdP, error) { return c.store.ListIdPs(ctx) }

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

// Users lists accounts.
func (c *Console) Users(ctx context.Context, f UserFilter) ([]User, error) {
	return c.store.ListUsers(ctx, f)
}

// User returns one account with its attributes and login history.
func (c *Console) User(ctx context.Context, id int64) (UserDetail, error) {
	return c.store.GetUser(ctx, id)
}

// Stats returns the dashboard counters.
func (c *Console) Stats(ctx context.Context) (Stats, error) {
	return c.store.Stats(ctx, c.clock.Now())
}

// LoginsPerMinute returns accepted logins per minute over the last minutes.
func (c *Console) LoginsPerMinute(ctx context.Context, minutes int) ([]MinuteCount, error) {
	now := c.clock.Now()
	return c.store.LoginsPerMinute(ctx, now.Add(-time.Duration(minutes)*time.Minute), now)
}

// RecentEvents returns up to n events, newest first.
func (c *Console) RecentEvents(ctx context.Context, n int) ([]Event, error) {
	return c.store.RecentEvents(ctx, n)
}

// Personas lists the demo IdP's people.
func (c *Console) Personas(ctx context.Context) ([]Persona, error) {
	return c.store.ListPersonas(ctx)
}

// SavePersona validates and stores a persona of the demo IdP.
func (c *Console) SavePersona(ctx context.Context, p Persona) error {
	p.ID = strings.TrimSpace(p.ID)
	if p.ID == "" {
		return Errorf(EINVALID, "A persona needs an ID.")
	}
	if strings.TrimSpace(p.NameIDValue()) == "" {
		return Errorf(EINVALID, "Persona %q needs a NameID or an email.", p.ID)
	}
	if err := c.store.SavePersona(ctx, p); err != nil {
		return fmt.Errorf("save persona %q: %w", p.ID, err)
	}
	c.publish(ctx, Event{Kind: EventPersonaChanged, Outcome: OutcomeInfo, IdPSlug: DemoSlug,
		Subject: p.ID, Message: fmt.Sprintf("Demo persona %s saved", p.DisplayName)})
	return nil
}

// PersonaLoginURL is the SP-initiated login URL that, in a browser, starts
// a login at the demo IdP with persona id pre-selected.
func (c *Console) PersonaLoginURL(id string) string {
	return c.Endpoints(DemoSlug).LoginURL + "?login_hint=" + urlQueryEscape(id)
}

// NameIDValue is the NameID the demo IdP sends for p.
func (p Persona) NameIDValue() string {
	if p.NameID != "" {
		return p.NameID
	}
	if p.Email != "" {
		return p.Email
	}
	return p.Username
}

// publish stores e and fans it out. A failure to store is logged; the
// event is not published then, so the feed never shows what the log lacks.
func (c *Console) publish(ctx context.Context, e Event) Event {
	if e.At.IsZero() {
		e.At = c.clock.Now()
	}
	saved, err := c.store.AppendEvent(ctx, e)
	if err != nil {
		c.log.Error("store event", "kind", e.Kind, "err", err)
		return e
	}
	c.broker.Publish(saved)
	return saved
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

// publishCoalesced stores e as one more of the same event (kind, IdP and
// subject) within the last minute when there is one, else as a new event,
// and fans it out as feedWorthy says. For what anyone can make the
// listener do over and over: it leaves one row a minute, not one per
// request.
func (c *Console) publishCoalesced(ctx context.Context, e Event) {
	if e.At.IsZero() {
		e.At = c.clock.Now()
	}
	saved, _, err := c.store.AppendCoalescedEvent(ctx, e, e.At.Add(-time.Minute))
	if err != nil {
		c.log.Error("store event", "kind", e.Kind, "err", err)
		return
	}
	if feedWorthy(saved.Count) {
		c.broker.Publish(saved)
	}
}
