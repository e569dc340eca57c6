// HTTPS on the console's listener: the pair given on the command line or
// stored from Settings (certificate in the settings, private key in the
// KeyStore), turning it on and off, and the base URL's scheme following.

package core

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Where the stored HTTPS pair lives: the certificate chain (PEM) in the
// settings ("" when HTTPS is off), the private key (PKCS#8) in the
// KeyStore, beside the SP's key.
const (
	settingTLSCert = "tls.cert"
	TLSKeyName     = "tls-key"
)

// Sources of the listener's HTTPS pair (TLSStatus.Source).
const (
	TLSFromFiles  = "files"  // --tls-cert and --tls-key, read at start
	TLSFromStored = "stored" // Settings or jitconsole tls import
)

// tlsState is the listener's HTTPS pair, guarded by Console.mu.
type tlsState struct {
	pair       *TLSPair // nil: plain http
	source     string
	loaded     bool // the stored pair was looked for (loadStoredTLS)
	baseURLSet bool // the command line gave the base URL
}

// TLSStatus says whether the listener speaks HTTPS, with what.
type TLSStatus struct {
	On          bool
	Source      string // TLSFromFiles or TLSFromStored
	Subject     string
	Names       []string
	NotAfter    time.Time
	Fingerprint string // SHA-256 of the leaf certificate
	// Warnings are CheckTLSPair's about the pair and the current base URL.
	Warnings []string
}

// ErrTLSKeyMissing is in the chain of the error of a stored HTTPS
// certificate whose private key is gone from the KeyStore.
var ErrTLSKeyMissing = errors.New("HTTPS private key missing")

// KeyDeleter is a KeyStore that can remove a secret (storage's can).
type KeyDeleter interface {
	Delete(name string) error
}

// loadTLS puts the command line's HTTPS pair (opts.TLS) in place at New.
// A base URL left to the defaults becomes https; an http one given on the
// command line is refused. Without opts.TLS, the listener's first Start
// loads the pair stored from Settings (loadStoredTLS).
func (c *Console) loadTLS(opts Options) error {
	c.tls.baseURLSet = opts.BaseURLSet
	if opts.TLS == nil {
		return nil
	}
	return c.useTLSLocked(opts.TLS, TLSFromFiles)
}

// loadStoredTLS, at the first Start of a console without the command
// line's pair, puts the pair stored from Settings in place.
func (c *Console) loadStoredTLS(ctx context.Context) error {
	c.mu.Lock()
	done := c.tls.loaded || c.tls.pair != nil
	c.tls.loaded = true
	c.mu.Unlock()
	if done {
		return nil
	}
	pair, err := c.storedTLS(ctx)
	if err != nil || pair == nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.useTLSLocked(pair, TLSFromStored)
}

// useTLSLocked checks pair against the base URL and puts it in place,
// the base URL's scheme following; c.mu is held (or c is not shared yet).
func (c *Console) useTLSLocked(pair *TLSPair, source string) error {
	if c.tls.baseURLSet && schemeOf(c.baseURL) == "http" {
		return Errorf(EINVALID, "The base URL %s is http, but the listener speaks HTTPS (%s): give an https:// base URL, or turn HTTPS off.",
			c.baseURL, tlsSourceWords(source))
	}
	if _, err := CheckTLSPair(pair, withScheme(c.baseURL, "https"), c.clock.Now()); err != nil {
		return err
	}
	c.tls.pair, c.tls.source = pair, source
	c.baseURL = withScheme(c.baseURL, "https")
	return nil
}

func tlsSourceWords(source string) string {
	if source == TLSFromFiles {
		return "--tls-cert and --tls-key"
	}
	return "turned on in Settings or by jitconsole tls import"
}

// storedTLS reads the stored pair; nil when HTTPS is off.
func (c *Console) storedTLS(ctx context.Context) (*TLSPair, error) {
	certPEM, err := c.store.GetSetting(ctx, settingTLSCert)
	if ErrorCode(err) == ENOTFOUND || (err == nil && certPEM == "") {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read the HTTPS certificate: %w", err)
	}
	der, err := c.keys.Get(TLSKeyName)
	if ErrorCode(err) == ENOTFOUND {
		return nil, &Error{Code: ECONFLICT, Err: errors.Join(ErrTLSKeyMissing, err), Message: "HTTPS is on, but its private key is missing " +
			"(neither in the OS keyring nor in a key file). If the keyring is locked or was not reachable, fix that and start again; " +
			"otherwise import the certificate and key again (jitconsole tls import --cert FILE --key FILE) or turn HTTPS off (jitconsole tls off)."}
	} else if err != nil {
		return nil, fmt.Errorf("read the HTTPS private key: %w", err)
	}
	pair, err := tlsPairFromStore(certPEM, der)
	if err != nil {
		return nil, fmt.Errorf("the stored HTTPS certificate and key: %w", err)
	}
	return pair, nil
}

// tlsListener wraps ln in TLS when HTTPS is on; c.mu is held.
func (c *Console) tlsListenerLocked(ln net.Listener) net.Listener {
	if c.tls.pair == nil {
		return ln
	}
	return tls.NewListener(ln, &tls.Config{
		Certificates: []tls.Certificate{c.tls.pair.Cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
	})
}

// schemeLocked is the listener's scheme; c.mu is held.
func (c *Console) schemeLocked() string {
	if c.tls.pair != nil {
		return "https"
	}
	return "http"
}

// TLS reports whether the listener speaks HTTPS, and with which
// certificate.
func (c *Console) TLS() TLSStatus {
	c.mu.Lock()
	st, base := c.tls, c.baseURL
	c.mu.Unlock()
	return c.tlsStatus(st.pair, st.source, base)
}

// StoredTLS reports the HTTPS pair stored from Settings or tls import
// (not the command line's), as the next start will use it. A certificate
// whose key is missing is an error wrapping ErrTLSKeyMissing.
func (c *Console) StoredTLS(ctx context.Context) (TLSStatus, error) {
	pair, err := c.storedTLS(ctx)
	if err != nil {
		return TLSStatus{}, err
	}
	base := c.BaseURL()
	if saved, err := c.savedListener(ctx); err == nil && saved.BaseURL != "" {
		base = saved.BaseURL
	} else if stored, err := c.store.GetSetting(ctx, settingBaseURL); err == nil && stored != "" {
		base = stored
	}
	return c.tlsStatus(pair, TLSFromStored, withScheme(base, "https")), nil
}

func (c *Console) tlsStatus(pair *TLSPair, source, base string) TLSStatus {
	if pair == nil {
		return TLSStatus{}
	}
	leaf := pair.Leaf()
	warnings, err := CheckTLSPair(pair, base, c.clock.Now())
	if err != nil {
		warnings = append(warnings, ErrorMessage(err))
	}
	return TLSStatus{On: true, Source: source, Subject: certName(leaf), Names: TLSNames(leaf),
		NotAfter: leaf.NotAfter, Fingerprint: CertFingerprint(leaf), Warnings: warnings}
}

// SetTLS turns HTTPS on with the PEM certificate chain and private key,
// or replaces the pair: it checks them (they belong together and are
// valid now; the warnings say what else will go wrong), stores the
// certificate in the settings and the key in the KeyStore, and, when the
// listener runs, restarts it with HTTPS at the https base URL (saved for
// the next launch). The IdPs then need the SP's new metadata: the event
// says so.
func (c *Console) SetTLS(ctx context.Context, certPEM, keyPEM []byte) (warnings []string, err error) {
	if c.readOnly {
		return nil, errReadOnly
	}
	if err := c.tlsManaged(); err != nil {
		return nil, err
	}
	pair, err := ParseTLSPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	base := withScheme(c.targetBaseURL(ctx), "https")
	if warnings, err = CheckTLSPair(pair, base, c.clock.Now()); err != nil {
		return nil, err
	}
	if err := c.keys.Set(TLSKeyName, pair.KeyDER); err != nil {
		return nil, fmt.Errorf("store the HTTPS private key: %w", err)
	}
	if inFile, why := c.keys.Fallback(); inFile {
		warnings = append(warnings, "The private key is not in the OS keyring: "+why)
	}
	if err := c.store.SetSetting(ctx, settingTLSCert, pair.CertPEM); err != nil {
		return nil, fmt.Errorf("store the HTTPS certificate: %w", err)
	}
	err = c.switchTLS(ctx, tlsState{pair: pair, source: TLSFromStored})
	leaf := pair.Leaf()
	c.publish(ctx, Event{Kind: EventAdminChange, Outcome: OutcomeInfo, Subject: osUser(),
		Message: fmt.Sprintf("HTTPS turned on for the SP listener by %s; %s", osUser(), c.newMetadataWords(ctx)),
		Detail: fmt.Sprintf("certificate %s for %s, valid until %s, SHA-256 %s\n%s", certName(leaf), strings.Join(TLSNames(leaf), ", "),
			leaf.NotAfter.UTC().Format(time.DateOnly), CertFingerprint(leaf), strings.Join(warnings, "\n"))})
	return warnings, err
}

// DisableTLS turns stored HTTPS off: the listener (restarted when it
// runs) speaks plain http at the http base URL, the certificate is
// removed from the settings and the key from the KeyStore.
func (c *Console) DisableTLS(ctx context.Context) error {
	if c.readOnly {
		return errReadOnly
	}
	if err := c.tlsManaged(); err != nil {
		return err
	}
	if err := c.store.SetSetting(ctx, settingTLSCert, ""); err != nil {
		return fmt.Errorf("remove the HTTPS certificate: %w", err)
	}
	if d, ok := c.keys.(KeyDeleter); ok {
		if err := d.Delete(TLSKeyName); err != nil && ErrorCode(err) != ENOTFOUND {
			c.log.Warn("remove the HTTPS private key", "err", err)
		}
	}
	err := c.switchTLS(ctx, tlsState{})
	c.publish(ctx, Event{Kind: EventAdminChange, Outcome: OutcomeInfo, Subject: osUser(),
		Message: fmt.Sprintf("HTTPS turned off for the SP listener by %s; %s", osUser(), c.newMetadataWords(ctx))})
	return err
}

// tlsManaged refuses a change while the command line sets the pair.
func (c *Console) tlsManaged() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tls.source == TLSFromFiles {
		return Errorf(EINVALID, "HTTPS is set by --tls-cert and --tls-key for this run: start without them to manage HTTPS here.")
	}
	return nil
}

// targetBaseURL is the base URL a change of scheme applies to: the
// running listener's, else the one saved in Settings, else the console's.
func (c *Console) targetBaseURL(ctx context.Context) string {
	if c.Listener().Running {
		return c.BaseURL()
	}
	if saved, err := c.savedListener(ctx); err == nil && saved.BaseURL != "" {
		return saved.BaseURL
	}
	return c.BaseURL()
}

// switchTLS puts st in place and makes the base URL's scheme follow: a
// running listener restarts (and the pair of address and base URL is
// saved, as RestartAt does); otherwise the saved base URL follows.
func (c *Console) switchTLS(ctx context.Context, st tlsState) error {
	scheme := "http"
	if st.pair != nil {
		scheme = "https"
	}
	running := c.Listener().Running
	if running {
		_ = c.stopServing(3 * time.Second)
	}
	c.mu.Lock()
	c.tls.pair, c.tls.source, c.tls.loaded = st.pair, st.source, true
	c.baseURL = withScheme(c.baseURL, scheme)
	c.mu.Unlock()
	if !running {
		saved, err := c.savedListener(ctx)
		if err != nil || saved.BaseURL == "" {
			return err
		}
		return c.store.SetSetting(ctx, settingSavedBaseURL, withScheme(saved.BaseURL, scheme))
	}
	if err := c.Start(); err != nil {
		return err
	}
	return c.saveListener(ctx)
}

// newMetadataWords tells which IdPs need the SP's new metadata after the
// scheme of the SP's URLs changed.
func (c *Console) newMetadataWords(ctx context.Context) string {
	slugs := externalIdPs(ctx, c.store)
	if len(slugs) == 0 {
		return "the SP's URLs (ACS, metadata) changed scheme; no IdP besides the demo IdP needs new SP metadata"
	}
	return "the SP's URLs (ACS, metadata) changed scheme: give these IdPs the SP's new metadata: " + strings.Join(slugs, ", ")
}

// checkTLSScheme refuses an http base URL while the listener speaks
// HTTPS. (An https base URL without HTTPS is allowed: a proxy in front
// may terminate TLS.)
func (c *Console) checkTLSScheme(base string) error {
	c.mu.Lock()
	on := c.tls.pair != nil
	c.mu.Unlock()
	if on && schemeOf(base) == "http" {
		return Errorf(EINVALID, "The listener speaks HTTPS: the base URL must be https:// (or turn HTTPS off first).")
	}
	return nil
}

// selfTransport is the transport of the console's requests to its own
// listener (the onboarding simulation): nil over http; over HTTPS one
// that trusts the listener's own certificate as well as the system's
// roots, so that a self-signed certificate works for the console itself.
func (c *Console) selfTransport() http.RoundTripper {
	c.mu.Lock()
	pair := c.tls.pair
	c.mu.Unlock()
	if pair == nil {
		return nil
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	roots.AddCert(pair.Leaf())
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return t
}
