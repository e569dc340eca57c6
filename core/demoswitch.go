// Switching the demo IdP on and off: the command line's override, the
// stored setting and the listener's address.

package core

import (
	"context"
	"fmt"
	"net"
	"strings"
)

// settingDemoEnabled is the stored switch of the demo IdP ("1" or "0";
// unset means on).
const settingDemoEnabled = "demo.enabled"

// DemoOverride is what the command line says about the demo IdP for one
// process: nothing (the stored setting decides), --demo-idp or
// --no-demo-idp. It never changes the stored setting.
type DemoOverride int

// The command line's say over the demo IdP.
const (
	DemoFromSetting DemoOverride = iota // no flag
	DemoForceOn                         // --demo-idp
	DemoForceOff                        // --no-demo-idp
)

// DemoIdPState is whether the demo IdP serves in this process, and why.
type DemoIdPState struct {
	// On is true when the demo IdP signs assertions in this process.
	On bool
	// Stored is the setting that Settings switches (on unless switched off).
	Stored bool
	// Overridden is true when the command line or the listen address, not
	// the stored setting, decides for this process.
	Overridden bool
	// Reason says, for a person, why the demo IdP is on or off and how to
	// change it.
	Reason string
	// Warning, when not empty, says what is exposed to the network (or why
	// the demo IdP was switched off to avoid it): for stderr and the UI.
	Warning string
}

// DecideDemoIdP decides whether the demo IdP serves, from the address the
// listener binds, the command line's flag and the stored setting. A flag
// beats the setting. On an address other machines can reach, the demo IdP
// (which signs in anyone as any persona, without a password) is off unless
// --demo-idp asks for it, and then with a loud warning.
func DecideDemoIdP(listen string, flag DemoOverride, stored bool) DemoIdPState {
	st := DemoIdPState{Stored: stored}
	loopback := IsLoopbackAddr(listen)
	switch {
	case flag == DemoForceOff:
		st.Overridden = true
		st.Reason = "The demo IdP is off for this run (--no-demo-idp). Start the console without that flag to use it."
	case flag == DemoForceOn && !loopback:
		st.On, st.Overridden = true, true
		st.Reason = "The demo IdP is on for this run (--demo-idp)."
		st.Warning = fmt.Sprintf("The demo IdP is on (--demo-idp) and the listener binds %s, which is not a loopback address: "+
			"anyone who can reach %[1]s can sign in as any persona, administrators included, without a password. "+
			"Use it only on a network you trust, and stop with --no-demo-idp or by listening on 127.0.0.1.", listen)
	case flag == DemoForceOn:
		st.On, st.Overridden = true, true
		st.Reason = "The demo IdP is on for this run (--demo-idp)."
	case !loopback:
		st.Overridden = true
		st.Reason = fmt.Sprintf("The demo IdP is off because the listener binds %s, which other machines may reach. "+
			"Listen on 127.0.0.1, or start with --demo-idp to switch it on anyway.", listen)
		st.Warning = fmt.Sprintf("The demo IdP is off: the listener binds %s, which is not a loopback address, and the demo IdP "+
			"would let anyone who can reach it sign in as any persona. Pass --demo-idp to switch it on anyway.", listen)
	case stored:
		st.On = true
		st.Reason = "The demo IdP is on. It can be switched off in Settings."
	default:
		st.Reason = "The demo IdP is switched off in Settings. Switch it on there to sign in as a persona or simulate new hires."
	}
	return st
}

// IsLoopbackAddr reports whether the listen address addr (host:port)
// binds only a loopback interface: localhost, 127.0.0.0/8 or ::1. An empty
// host, an unspecified address (0.0.0.0, ::) and every other name are not.
func IsLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// DemoIdP returns whether the demo IdP serves in this process, and why.
func (c *Console) DemoIdP(ctx context.Context) DemoIdPState {
	c.mu.Lock()
	addr := c.listen
	c.mu.Unlock()
	return DecideDemoIdP(addr, c.demoOverride, c.demoStored(ctx))
}

// SetDemoIdPEnabled stores the demo IdP's switch and applies it at once,
// unless the command line or the listen address decides for this process
// (the returned state says so). Users the demo IdP created stay.
func (c *Console) SetDemoIdPEnabled(ctx context.Context, on bool) (DemoIdPState, error) {
	old := c.demoStored(ctx)
	value := "0"
	if on {
		value = "1"
	}
	if err := c.store.SetSetting(ctx, settingDemoEnabled, value); err != nil {
		return c.DemoIdP(ctx), fmt.Errorf("save the demo IdP switch: %w", err)
	}
	st := c.applyDemoSwitch(ctx)
	if old != on {
		c.publish(ctx, Event{Kind: EventAdminChange, Outcome: OutcomeInfo, Subject: osUser(), IdPSlug: DemoSlug,
			Message: fmt.Sprintf("Demo IdP switched %s by %s", onOff(on), osUser()),
			Detail:  fmt.Sprintf("demo IdP: %s → %s; %s", onOff(old), onOff(on), st.Reason)})
	}
	return st, nil
}

// demoStored reads the stored switch; unset or unreadable means on.
func (c *Console) demoStored(ctx context.Context) bool {
	return storedDemoEnabled(ctx, c.store)
}

// storedDemoEnabled reads the stored switch of the demo IdP in store;
// unset or unreadable means on.
func storedDemoEnabled(ctx context.Context, store SettingStore) bool {
	v, err := store.GetSetting(ctx, settingDemoEnabled)
	return err != nil || v != "0"
}

// applyDemoSwitch decides for the current listen address and makes the
// demo IdP's routes and connection follow. Start calls it before serving.
func (c *Console) applyDemoSwitch(ctx context.Context) DemoIdPState {
	st := c.DemoIdP(ctx)
	c.demoOn.Store(st.On)
	return st
}

// demoServes reports whether sign-ins through the IdP connection slug may
// proceed as far as the demo IdP's switch is concerned: every connection
// but the demo's, and the demo's while the demo IdP is on.
func (c *Console) demoServes(slug string) bool {
	return slug != DemoSlug || c.demoOn.Load()
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// announceDemoSwitch logs and records the demo IdP's warning, if any, when
// the listener starts.
func (c *Console) announceDemoSwitch(ctx context.Context, st DemoIdPState) {
	if st.Warning == "" {
		return
	}
	c.log.Warn("demo IdP", "on", st.On, "warning", st.Warning)
	c.publish(ctx, Event{Kind: EventListener, Outcome: OutcomeWarning, IdPSlug: DemoSlug,
		Message: fmt.Sprintf("Demo IdP %s on a non-loopback listener", onOff(st.On)), Detail: st.Warning})
}
