package core

import (
	"slices"
	"time"
)

// StoredRuleGrants are roles as a Store keeps them when they replace an
// account's rule and default grants outside a login (Store.
// ReplaceRuleRoles): empty and repeated role names dropped (the first
// grant of a role wins), the kind rule unless default, the IdP defaulted
// to slug and the time to at.
func StoredRuleGrants(roles []RoleGrant, slug string, at time.Time) []RoleGrant {
	out := make([]RoleGrant, 0, len(roles))
	for _, r := range roles {
		if r.Role == "" || slices.ContainsFunc(out, func(o RoleGrant) bool { return o.Role == r.Role }) {
			continue
		}
		if r.Kind != GrantDefault {
			r.Kind = GrantRule
		}
		if r.IdPSlug == "" {
			r.IdPSlug = slug
		}
		if r.GrantedAt.IsZero() {
			r.GrantedAt = at
		}
		out = append(out, r)
	}
	return out
}
