// config apply: the changes a plan makes, the store's one transaction
// that writes them, and what the console does once they are written.

package core

import (
	"context"
	"fmt"
)

// ConfigStore writes a whole config plan at once.
type ConfigStore interface {
	// ApplyConfig makes every change, in order, each with its audit event
	// (Audit, its time filled in), in one transaction, and returns the
	// events as stored. On any error nothing changed: deleting a role
	// somebody holds is ECONFLICT, deleting an unknown IdP or role
	// ENOTFOUND.
	ApplyConfig(ctx context.Context, changes []ConfigChange) ([]Event, error)
}

// ConfigChangeKind is what one ConfigChange does: one of the Config*
// constants.
type ConfigChangeKind string

// Kinds of config changes.
const (
	// ConfigSaveRole creates the role Name or sets its Description.
	ConfigSaveRole ConfigChangeKind = "save-role"
	// ConfigDeleteRole deletes the role Name, which nobody may hold.
	ConfigDeleteRole ConfigChangeKind = "delete-role"
	// ConfigSaveIdP inserts or updates (by slug) IdP, as SaveIdP does.
	ConfigSaveIdP ConfigChangeKind = "save-idp"
	// ConfigDeleteIdP removes the IdP Name, as DeleteIdP does.
	ConfigDeleteIdP ConfigChangeKind = "delete-idp"
	// ConfigSetSetting sets the setting Name to Value.
	ConfigSetSetting ConfigChangeKind = "set-setting"
)

// ConfigChange is one change of a config plan, with its audit event.
type ConfigChange struct {
	Kind ConfigChangeKind
	// Name is the role, the IdP's slug (delete) or the setting's key.
	Name        string
	Description string // ConfigSaveRole
	Value       string // ConfigSetSetting
	IdP         IdP    // ConfigSaveIdP
	Audit       Event
}

// ConfigResult is what ApplyConfig did.
type ConfigResult struct {
	Events []Event // the audit events as stored, one per change
}

// ApplyConfig writes plan's changes in one transaction (nothing when it
// has none), publishes their audit events, and makes a listener in this
// process follow: a changed or removed IdP is verified anew, the demo
// IdP's switch and a new clock skew take effect. On an error nothing
// changed.
func (c *Console) ApplyConfig(ctx context.Context, plan ConfigPlan) (ConfigResult, error) {
	if len(plan.changes) == 0 {
		return ConfigResult{}, nil
	}
	events, err := c.store.ApplyConfig(ctx, plan.changes)
	if err != nil {
		return ConfigResult{}, fmt.Errorf("apply the config document: %w", err)
	}
	for _, ev := range events {
		c.publishStored(ev)
	}
	skewChanged := false
	for _, ch := range plan.changes {
		switch ch.Kind {
		case ConfigSaveIdP:
			c.sp.forget(ch.IdP.Slug)
		case ConfigDeleteIdP:
			c.sp.forget(ch.Name)
		case ConfigSetSetting:
			skewChanged = skewChanged || ch.Name == settingClockSkew
		}
	}
	c.applyDemoSwitch(ctx)
	if st := c.Listener(); skewChanged && st.Running {
		if err := c.Restart(st.Addr); err != nil {
			return ConfigResult{Events: events}, fmt.Errorf("restart the listener with the new clock skew: %w", err)
		}
	}
	return ConfigResult{Events: events}, nil
}
