// Finding an account by the key it signs in with: its IdP and NameID.

package core

import (
	"context"
	"strings"
)

// UserByNameID returns the account of the IdP slug whose NameID is nameID
// (a NameID can repeat across IdPs, so both are needed): the exact NameID
// first, else one that differs only in case. ENOTFOUND when there is none.
func (c *Console) UserByNameID(ctx context.Context, slug, nameID string) (User, error) {
	nameID = strings.TrimSpace(nameID)
	u, err := c.store.UserByKey(ctx, slug, nameID, false)
	if ErrorCode(err) == ENOTFOUND {
		return c.store.UserByKey(ctx, slug, nameID, true)
	}
	return u, err
}
