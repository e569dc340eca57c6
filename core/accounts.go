// Accounts: listing and reading them, disabling and deleting them.

package core

import "context"

// Users lists accounts.
func (c *Console) Users(ctx context.Context, f UserFilter) ([]User, error) {
	return c.store.ListUsers(ctx, f)
}

// User returns one account with its attributes and login history.
func (c *Console) User(ctx context.Context, id int64) (UserDetail, error) {
	return c.store.GetUser(ctx, id)
}

// SetUsersDisabled disables (or enables) accounts; a disabled account's
// sign-in is refused.
func (c *Console) SetUsersDisabled(ctx context.Context, ids []int64, disabled bool) (int, error) {
	n, ev, err := c.store.SetUsersDisabled(ctx, ids, disabled, osUser())
	if err == nil && n > 0 {
		c.publishStored(ev)
	}
	return n, err
}

// DeleteUser deletes an account; its next login would create it again.
func (c *Console) DeleteUser(ctx context.Context, id int64) error {
	ev, err := c.store.DeleteUser(ctx, id, osUser())
	if err == nil {
		c.publishStored(ev)
	}
	return err
}
