// The role catalogue and the roles accounts hold: creating, renaming
// and deleting roles, pinning and removing manual grants.

package core

import (
	"context"
	"strings"
)

// Roles returns the role catalogue.
func (c *Console) Roles(ctx context.Context) ([]RoleInfo, error) { return c.store.ListRoles(ctx) }

// SaveRole creates a role or changes its description.
func (c *Console) SaveRole(ctx context.Context, name, description string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return Errorf(EINVALID, "A role needs a name.")
	}
	ev, err := c.store.SaveRole(ctx, name, strings.TrimSpace(description), osUser())
	if err == nil {
		c.publishStored(ev)
	}
	return err
}

// RenameRole renames a role for every holder and in every IdP's rules, as
// one change.
func (c *Console) RenameRole(ctx context.Context, oldName, newName string) error {
	newName = strings.TrimSpace(newName)
	if newName == "" {
		return Errorf(EINVALID, "The new name must not be empty.")
	}
	ev, err := c.store.RenameRole(ctx, oldName, newName, osUser(), func(m Mapping) (Mapping, bool) {
		return renameInMapping(m, oldName, newName)
	})
	if err != nil {
		return err
	}
	if ev.ID != 0 {
		c.publishStored(ev)
	}
	return nil
}

func renameInMapping(m Mapping, oldName, newName string) (Mapping, bool) {
	m = m.Normalized()
	changed := false
	for i := range m.RoleRules {
		for j, r := range m.RoleRules[i].Roles {
			if r == oldName {
				m.RoleRules[i].Roles[j], changed = newName, true
			}
		}
	}
	if m.DefaultRole == oldName {
		m.DefaultRole, changed = newName, true
	}
	return m, changed
}

// DeleteRole deletes a role that nobody holds and no rule grants.
func (c *Console) DeleteRole(ctx context.Context, name string) error {
	idps, err := c.store.ListIdPs(ctx)
	if err != nil {
		return err
	}
	for _, idp := range idps {
		if containsString(idp.Mapping.RolesNamed(), name) {
			return Errorf(ECONFLICT, "The rules of %s grant %s; change them first.", idp.DisplayName, name)
		}
	}
	ev, err := c.store.DeleteRole(ctx, name, osUser())
	if err == nil {
		c.publishStored(ev)
	}
	return err
}

// roleNames is the catalogue as names.
func (c *Console) roleNames(ctx context.Context) ([]string, error) {
	roles, err := c.store.ListRoles(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r.Name
	}
	return names, nil
}

// GrantRole pins a manual grant, which no sync removes.
func (c *Console) GrantRole(ctx context.Context, userID int64, role string) error {
	ev, err := c.store.GrantRole(ctx, userID, role, osUser())
	if err == nil {
		c.publishStored(ev)
	}
	return err
}

// RevokeRole removes a manual grant.
func (c *Console) RevokeRole(ctx context.Context, userID int64, role string) error {
	ev, err := c.store.RevokeRole(ctx, userID, role, osUser())
	if err == nil {
		c.publishStored(ev)
	}
	return err
}
