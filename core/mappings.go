// Saving an IdP's mapping (fields, rules, policies) as one audited change,
// and importing a rules file; rule IDs.

package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
)

// newRuleID makes a stable rule ID.
func newRuleID() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return "r" + hex.EncodeToString(b)
}

// withRuleIDs gives every rule without an ID one.
func withRuleIDs(m Mapping) Mapping {
	rules := make([]RoleRule, len(m.RoleRules))
	for i, r := range m.RoleRules {
		r = r.normalized()
		if r.ID == "" {
			r.ID = newRuleID()
		}
		rules[i] = r
	}
	m.RoleRules = rules
	return m
}

// SaveMapping validates an IdP's mapping against the role catalogue and
// saves it, as one audited change: in the same transaction, the grants
// that the rules revokeRuleIDs (rules of the mapping saved before: deleted
// or edited ones) made are revoked, and one audit event says both. It
// applies from the next login. It returns the IdP as saved and how many
// grants were revoked; on an error nothing changed.
func (c *Console) SaveMapping(ctx context.Context, slug string, m Mapping, revokeRuleIDs []string) (IdP, int, error) {
	idp, err := c.store.GetIdP(ctx, slug)
	if err != nil {
		return IdP{}, 0, err
	}
	known, err := c.roleNames(ctx)
	if err != nil {
		return IdP{}, 0, err
	}
	if err := m.Validate(known); err != nil {
		return IdP{}, 0, err
	}
	before := idp.Mapping
	for _, id := range revokeRuleIDs {
		if !slices.ContainsFunc(before.RoleRules, func(r RoleRule) bool { return r.ID == id }) {
			return IdP{}, 0, Errorf(EINVALID, "Rule %q is not a rule of %s's saved mapping; nothing was saved.", id, idp.DisplayName)
		}
	}
	idp.Mapping = withRuleIDs(m)
	message := fmt.Sprintf("Mapping rules of %s changed by %s", idp.DisplayName, osUser())
	if len(revokeRuleIDs) > 0 {
		rules := "rule"
		if len(revokeRuleIDs) > 1 {
			rules = "rules"
		}
		message += fmt.Sprintf("; the grants of %d changed %s revoked", len(revokeRuleIDs), rules)
	}
	saved, revoked, ev, err := c.store.SaveIdPAudited(ctx, idp, revokeRuleIDs, Event{Kind: EventAdminChange,
		Outcome: OutcomeInfo, IdPSlug: slug, Subject: osUser(), At: c.clock.Now(),
		Message: message, Detail: mappingDiff(before, idp.Mapping)})
	if err != nil {
		return IdP{}, 0, err
	}
	c.publishStored(ev)
	return saved, revoked, nil
}

// mappingDiff says what changed between two mappings, as before → after.
func mappingDiff(a, b Mapping) string {
	ja, _ := json.MarshalIndent(a.Normalized(), "", "  ")
	jb, _ := json.MarshalIndent(b.Normalized(), "", "  ")
	if string(ja) == string(jb) {
		return "no change"
	}
	return "before:\n" + string(ja) + "\nafter:\n" + string(jb)
}

// ImportRules validates a rules document and replaces the IdP's mapping
// with it at once; roles it names that are not in the catalogue are
// created. An invalid document changes nothing and the error names the
// field.
func (c *Console) ImportRules(ctx context.Context, slug string, data []byte) (IdP, error) {
	doc, err := ParseRulesDocument(data)
	if err != nil {
		return IdP{}, err
	}
	known, err := c.roleNames(ctx)
	if err != nil {
		return IdP{}, err
	}
	for _, r := range doc.Mapping.RolesNamed() {
		if !containsString(known, r) {
			if err := c.SaveRole(ctx, r, "created by rules import"); err != nil {
				return IdP{}, err
			}
		}
	}
	saved, _, err := c.SaveMapping(ctx, slug, doc.Mapping, nil)
	return saved, err
}
