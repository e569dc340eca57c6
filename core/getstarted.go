// The dashboard's "Get started" card: which of its steps are done, read
// from the console's own state so that the ticks survive restarts.

package core

import (
	"context"
	"fmt"
)

// settingGetStartedDismissed is set when the admin dismissed the card.
const settingGetStartedDismissed = "ui.getstarted.dismissed"

// GetStartedState is what the "Get started" card shows: the three steps of
// a newcomer and whether the card was dismissed.
type GetStartedState struct {
	// SignedIn: someone signed in through the demo IdP (it has an account).
	SignedIn bool
	// Simulated: new hires were simulated (a simulation event exists, or
	// the demo IdP has two accounts or more).
	Simulated bool
	// Connected: an IdP other than the demo one exists (a draft waiting
	// for its metadata does not count).
	Connected bool
	// Dismissed: the admin closed the card.
	Dismissed bool
}

// Done reports whether every step is done.
func (s GetStartedState) Done() bool { return s.SignedIn && s.Simulated && s.Connected }

// DataDir is the data directory the console's store and keys are in, as
// given in Options ("" when none was).
func (c *Console) DataDir() string { return c.dataDir }

// GetStarted reads which steps of the "Get started" card are done.
func (c *Console) GetStarted(ctx context.Context) (GetStartedState, error) {
	var st GetStartedState
	if v, err := c.store.GetSetting(ctx, settingGetStartedDismissed); err == nil {
		st.Dismissed = v == "1"
	} else if ErrorCode(err) != ENOTFOUND {
		return st, fmt.Errorf("read the get-started setting: %w", err)
	}
	demoUsers, err := c.store.ListUsers(ctx, UserFilter{IdPSlug: DemoSlug, Limit: 2})
	if err != nil {
		return st, fmt.Errorf("count the demo IdP's accounts: %w", err)
	}
	st.SignedIn = len(demoUsers) > 0
	st.Simulated = len(demoUsers) >= 2
	if !st.Simulated {
		sims, err := c.store.ListEvents(ctx, EventFilter{Kinds: []EventKind{EventSimulation}, Limit: 1})
		if err != nil {
			return st, fmt.Errorf("look for a simulation: %w", err)
		}
		st.Simulated = len(sims) > 0
	}
	idps, err := c.store.ListIdPs(ctx)
	if err != nil {
		return st, fmt.Errorf("list the IdPs: %w", err)
	}
	for _, idp := range idps {
		if idp.Slug != DemoSlug && !idp.IsDraft() {
			st.Connected = true
			break
		}
	}
	return st, nil
}

// DismissGetStarted remembers that the admin closed the "Get started"
// card; it stays closed across restarts.
func (c *Console) DismissGetStarted(ctx context.Context) error {
	if err := c.store.SetSetting(ctx, settingGetStartedDismissed, "1"); err != nil {
		return fmt.Errorf("remember the get-started card closed: %w", err)
	}
	return nil
}
