// The listener's address and base URL chosen in Settings, remembered
// across launches unless the command line says otherwise.

package core

import (
	"context"
	"fmt"
	"strings"
)

// Settings keys of the listener chosen in Settings (RestartAt). They
// differ from settingBaseURL, which records where the listener last
// served, whatever chose it.
const (
	settingSavedListen  = "listener.saved_addr"
	settingSavedBaseURL = "listener.saved_base_url"
)

// SavedListener is the listener address and base URL chosen in
// Settings, as stored ("" when never chosen).
type SavedListener struct {
	Addr    string
	BaseURL string
}

// savedListener reads the stored choice.
func (c *Console) savedListener(ctx context.Context) (SavedListener, error) {
	var s SavedListener
	for _, f := range []struct {
		key  string
		into *string
	}{{settingSavedListen, &s.Addr}, {settingSavedBaseURL, &s.BaseURL}} {
		v, err := c.store.GetSetting(ctx, f.key)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return SavedListener{}, fmt.Errorf("read %s: %w", f.key, err)
		}
		*f.into = v
	}
	return s, nil
}

// saveListener stores the listener's current address and base URL as the
// ones to use at the next launch.
func (c *Console) saveListener(ctx context.Context) error {
	st := c.Listener()
	for key, v := range map[string]string{settingSavedListen: st.Addr, settingSavedBaseURL: c.BaseURL()} {
		if err := c.store.SetSetting(ctx, key, v); err != nil {
			return &Error{Code: EUNAVAILABLE, Err: err, Message: "The listener moved, but the database could not " +
				"remember it for the next launch: " + ErrorMessage(err)}
		}
	}
	return nil
}

// useSavedListener puts the saved address and base URL in place of
// opts' defaults, except those the command line gave: --listen keeps the
// saved pair out (the base URL follows the flag's port), --base-url keeps
// the saved base URL out. What a flag overrode is noted for Settings.
func (c *Console) useSavedListener(ctx context.Context, opts Options) error {
	saved, err := c.savedListener(ctx)
	if err != nil || saved.Addr == "" {
		return err
	}
	var overridden []string
	if opts.ListenAddrSet {
		if saved.Addr != opts.ListenAddr {
			overridden = append(overridden, fmt.Sprintf("--listen %s (saved: %s)", opts.ListenAddr, saved.Addr))
		}
	} else {
		c.listen = saved.Addr
	}
	switch {
	case opts.BaseURLSet:
		if saved.BaseURL != "" && saved.BaseURL != strings.TrimRight(opts.BaseURL, "/") {
			overridden = append(overridden, fmt.Sprintf("--base-url %s (saved: %s)", opts.BaseURL, saved.BaseURL))
		}
	case !opts.ListenAddrSet && saved.BaseURL != "":
		c.baseURL = saved.BaseURL
	}
	if len(overridden) > 0 {
		c.listenerNote = "The command line overrides the listener saved in Settings for this run: " +
			strings.Join(overridden, ", ") + "."
	}
	return nil
}

// ListenerOverride is "" unless a command-line flag overrides the
// listener saved in Settings for this run; then it says which.
func (c *Console) ListenerOverride() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.listenerNote
}
