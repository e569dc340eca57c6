// Moving the SP listener to another address and public base URL in place,
// from the Settings screen.

package core

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// CheckBaseURL validates a public base URL (an absolute http or https URL
// with a host, no query or fragment) and returns it without a trailing
// slash.
func CheckBaseURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", Errorf(EINVALID, "%q is not a base URL like %s: give http:// or https://, a host and, if needed, a port.", s, DefaultBaseURL)
	}
	return strings.TrimRight(s, "/"), nil
}

// RestartAt moves the listener to listenAddr and makes baseURL its public
// URL: every URL the SP and the demo IdP publish follows. An empty
// baseURL keeps the current one (following the port, as Restart does).
// Both are checked before anything stops. Once the listener serves there,
// the pair is saved for the next launch (see Options.UseSavedListener).
func (c *Console) RestartAt(listenAddr, baseURL string) error {
	before := c.Listener()
	if err := c.restartAt(listenAddr, baseURL); err != nil {
		return err
	}
	ctx := context.Background()
	if err := c.saveListener(ctx); err != nil {
		return err
	}
	after, by := c.Listener(), osUser()
	if after.Addr != before.Addr || after.BaseURL != before.BaseURL {
		c.publish(ctx, Event{Kind: EventAdminChange, Outcome: OutcomeInfo, Subject: by,
			Message: fmt.Sprintf("Listener moved to %s by %s", after.Addr, by),
			Detail:  fmt.Sprintf("listener: %s → %s; public URL: %s → %s", before.Addr, after.Addr, before.BaseURL, after.BaseURL)})
	}
	return nil
}

func (c *Console) restartAt(listenAddr, baseURL string) error {
	if _, _, err := net.SplitHostPort(listenAddr); err != nil {
		return Errorf(EINVALID, "%q is not an address like 127.0.0.1:8080.", listenAddr)
	}
	if baseURL == "" {
		return c.Restart(listenAddr)
	}
	base, err := CheckBaseURL(baseURL)
	if err != nil {
		return err
	}
	if err := c.checkTLSScheme(base); err != nil {
		return err
	}
	if c.readOnly {
		return errReadOnly
	}
	_ = c.stopServing(3 * time.Second)
	c.mu.Lock()
	c.listen, c.baseURL = listenAddr, base
	c.mu.Unlock()
	return c.Start()
}
