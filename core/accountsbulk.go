// Accounts in bulk: counting what a filter selects, reading it all without
// holding it in memory, disabling it in one change.

package core

import "context"

// CountUsers counts the accounts f selects, its Limit and Offset aside:
// the total a page of Users is part of.
func (c *Console) CountUsers(ctx context.Context, f UserFilter) (int, error) {
	return c.store.CountUsers(ctx, f)
}

// ForEachMatchingUser calls fn with every account f selects (Limit and
// Offset aside), newest first, read in batches; it stops at fn's first
// error.
func (c *Console) ForEachMatchingUser(ctx context.Context, f UserFilter, fn func(User) error) error {
	return c.store.ForEachMatchingUser(ctx, f, fn)
}

// SetMatchingUsersDisabled disables (or enables) every account f selects
// (Limit and Offset aside), in one transaction with one audit event; it
// returns how many changed.
func (c *Console) SetMatchingUsersDisabled(ctx context.Context, f UserFilter, disabled bool) (int, error) {
	n, ev, err := c.store.SetMatchingUsersDisabled(ctx, f, disabled, osUser())
	if err == nil && n > 0 {
		c.publishStored(ev)
	}
	return n, err
}
