package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jitconsole/jitconsole/core"
)

// ListIdPs returns the IdP connections in order of creation.
func (s *Store) ListIdPs(ctx context.Context) ([]core.IdP, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]core.IdP, len(s.idps))
	for i, p := range s.idps {
		var err error
		if out[i], err = cloneIdP(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetIdP returns the IdP with slug; ENOTFOUND when there is none.
func (s *Store) GetIdP(ctx context.Context, slug string) (core.IdP, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.idpIndex(slug)
	if i < 0 {
		return core.IdP{}, noIdP(slug)
	}
	return cloneIdP(s.idps[i])
}

// IdPVersion changes with every change of a connection.
func (s *Store) IdPVersion(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idpVersion, nil
}

// SaveIdP inserts or updates (by slug) an IdP.
func (s *Store) SaveIdP(ctx context.Context, idp core.IdP) (core.IdP, error) {
	saved, _, _, err := s.saveIdP(idp, nil, nil)
	return saved, err
}

// SaveIdPAudited is SaveIdP, the revocation of the grants of the rules
// revokeRuleIDs and the audit event, at once.
func (s *Store) SaveIdPAudited(ctx context.Context, idp core.IdP, revokeRuleIDs []string, audit core.Event) (core.IdP, int, core.Event, error) {
	s.mu.Lock()
	audit = core.AuditDefaults(audit, s.now())
	s.mu.Unlock()
	return s.saveIdP(idp, revokeRuleIDs, &audit)
}

func (s *Store) saveIdP(idp core.IdP, revokeRuleIDs []string, audit *core.Event) (core.IdP, int, core.Event, error) {
	idp.Slug = strings.TrimSpace(idp.Slug)
	if idp.Slug == "" {
		return core.IdP{}, 0, core.Event{}, core.Errorf(core.EINVALID, "An identity provider needs a slug.")
	}
	if slices.Contains(revokeRuleIDs, "") {
		return core.IdP{}, 0, core.Event{}, core.Errorf(core.EINVALID, "Revoking a rule's grants needs the rule's ID.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, err := s.putIdP(idp)
	if err != nil {
		return core.IdP{}, 0, core.Event{}, err
	}
	saved, _ := cloneIdP(stored) // stored encoded once: it encodes again
	if audit == nil {
		return saved, 0, core.Event{}, nil
	}
	ev := *audit
	if ev.IdPSlug == "" {
		ev.IdPSlug = idp.Slug
	}
	revoked := 0
	for _, id := range revokeRuleIDs {
		roles := s.revokeRuleGrants(idp.Slug, id)
		revoked += len(roles)
		ev.Detail = strings.TrimLeft(ev.Detail+"\n"+core.RuleRevocationLine(id, roles), "\n")
	}
	return saved, revoked, s.addEvent(ev), nil
}

// putIdP inserts idp or updates the IdP with its slug (the lock held),
// as SaveIdP does, and returns it as stored.
func (s *Store) putIdP(idp core.IdP) (core.IdP, error) {
	now := s.now()
	idp.UpdatedAt = now
	i := s.idpIndex(idp.Slug)
	if i >= 0 {
		idp.ID, idp.CreatedAt = s.idps[i].ID, s.idps[i].CreatedAt
	} else {
		idp.ID, idp.CreatedAt = s.lastID+1, now
	}
	stored, err := cloneIdP(idp)
	if err != nil {
		return core.IdP{}, fmt.Errorf("save IdP %q: %w", idp.Slug, err)
	}
	if i >= 0 {
		s.idps[i] = stored
	} else {
		s.nextID()
		s.idps = append(s.idps, stored)
		for _, a := range s.users {
			if a.IdPSlug == idp.Slug {
				a.IdPRemoved = false
			}
		}
	}
	s.idpVersion++
	for _, role := range idp.Mapping.RolesNamed() {
		s.ensureRole(role)
	}
	return stored, nil
}

// revokeRuleGrants deletes the grants the rule ruleID of idpSlug made and
// returns their roles, a name per grant.
func (s *Store) revokeRuleGrants(idpSlug, ruleID string) []string {
	var roles []string
	for _, id := range s.userIDs() {
		a := s.users[id]
		a.auto = slices.DeleteFunc(a.auto, func(g core.RoleGrant) bool {
			gone := g.Kind == core.GrantRule && g.IdPSlug == idpSlug && g.RuleID == ruleID
			if gone {
				roles = append(roles, g.Role)
			}
			return gone
		})
	}
	return roles
}

// DeleteIdP removes a connection; its accounts stay, marked as from a
// removed IdP. ENOTFOUND when no IdP has slug.
func (s *Store) DeleteIdP(ctx context.Context, slug string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.idpIndex(slug)
	if i < 0 {
		return noIdP(slug)
	}
	s.idps = slices.Delete(s.idps, i, i+1)
	s.idpVersion++
	s.forgetSCIM(slug) // the token and SCIM settings go with the IdP, as in SQLite
	for _, a := range s.users {
		if a.IdPSlug == slug {
			a.IdPRemoved = true
		}
	}
	return nil
}

// idpIndex is the index of slug's IdP in s.idps, -1 for none.
func (s *Store) idpIndex(slug string) int {
	return slices.IndexFunc(s.idps, func(p core.IdP) bool { return p.Slug == slug })
}

// noIdP is the error of an unknown slug.
func noIdP(slug string) error {
	return core.Errorf(core.ENOTFOUND, "No identity provider is connected as %q.", slug)
}

// cloneIdP is a copy of p whose mapping went through JSON, as the SQLite
// store keeps it: it shares nothing with p's, and what JSON drops (a nil
// slice becoming empty, say) is dropped here too.
func cloneIdP(p core.IdP) (core.IdP, error) {
	b, err := json.Marshal(p.Mapping)
	if err != nil {
		return core.IdP{}, fmt.Errorf("encode the mapping of %s: %w", p.Slug, err)
	}
	var m core.Mapping
	if err := json.Unmarshal(b, &m); err != nil {
		return core.IdP{}, fmt.Errorf("decode the mapping of %s: %w", p.Slug, err)
	}
	p.Mapping = m
	return p, nil
}
