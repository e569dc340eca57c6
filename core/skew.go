// The allowed clock skew and the stored base URL.

package core

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/crewjam/saml"
)

// DefaultClockSkew is the allowed difference between the IdP's clock and
// ours when assertion times are checked.
const DefaultClockSkew = 180 * time.Second

const settingClockSkew = "acs.clock_skew_seconds"

// ClockSkew returns the allowed clock skew setting.
func (c *Console) ClockSkew(ctx context.Context) time.Duration { return storedClockSkew(ctx, c.store) }

// storedClockSkew reads the allowed clock skew setting of store.
func storedClockSkew(ctx context.Context, store SettingStore) time.Duration {
	s, err := store.GetSetting(ctx, settingClockSkew)
	if err != nil {
		return DefaultClockSkew
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return DefaultClockSkew
	}
	return time.Duration(n) * time.Second
}

// SetClockSkew stores the allowed clock skew (0 to 30 minutes) and applies
// it: the listener restarts on its address so that no login is being
// verified while the value changes.
func (c *Console) SetClockSkew(ctx context.Context, d time.Duration) error {
	if d < 0 || d > 30*time.Minute {
		return Errorf(EINVALID, "The allowed clock skew must be between 0 and 30 minutes.")
	}
	old := c.ClockSkew(ctx)
	if err := c.store.SetSetting(ctx, settingClockSkew, strconv.Itoa(int(d/time.Second))); err != nil {
		return fmt.Errorf("save clock skew: %w", err)
	}
	c.publish(ctx, Event{Kind: EventAdminChange, Outcome: OutcomeInfo, Subject: osUser(),
		Message: fmt.Sprintf("Allowed clock skew changed by %s", osUser()), Detail: fmt.Sprintf("clock skew: %s → %s", old, d)})
	st := c.Listener()
	if !st.Running {
		return nil
	}
	return c.Restart(st.Addr)
}

// applyClockSkew sets crewjam's package-wide skew before the listener
// serves; it is called only while no login is being verified.
func (c *Console) applyClockSkew(ctx context.Context) {
	useClockSkew(c.ClockSkew(ctx))
}

// useClockSkew sets crewjam's package-wide skew to d. It writes only when
// the value changes: in a running console the validator finds the value
// the listener applied, and a check-response process sets it once.
func useClockSkew(d time.Duration) {
	if saml.MaxClockSkew != d {
		saml.MaxClockSkew = d
	}
}

// settingBaseURL remembers the public URL the listener last served at, so
// that the validator, in or out of the console's process, checks
// responses against the console's own URLs.
const settingBaseURL = "listener.base_url"

// StoredBaseURL returns the public URL the console last served at, or
// DefaultBaseURL before its first start.
func StoredBaseURL(ctx context.Context, store SettingStore) string {
	if s, err := store.GetSetting(ctx, settingBaseURL); err == nil && s != "" {
		return s
	}
	return DefaultBaseURL
}
