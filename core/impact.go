// The impact of a mapping change on existing accounts (PreviewImpact),
// and applying the saved rules to them at once (ApplyNow).

package core

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// ImpactUser names an account in an impact preview.
type ImpactUser struct {
	UserID   int64
	Username string
}

// Impact is what a mapping change would do to existing accounts, from
// their last recorded attributes.
type Impact struct {
	Users  int                     // accounts evaluated
	Gains  map[string][]ImpactUser // role → who would gain it
	Losses map[string][]ImpactUser // role → who would lose it
	Denied []ImpactUser            // whose next login would be denied
	// changes are the new rule and default grants, for ApplyNow.
	changes []RoleChange
}

// Summary is the impact in one line: "+editor: 3 users, −admin: 1 user".
func (im Impact) Summary() string {
	var parts []string
	count := func(n int) string {
		if n == 1 {
			return "1 user"
		}
		return fmt.Sprintf("%d users", n)
	}
	for _, r := range sortedKeys(im.Gains) {
		parts = append(parts, fmt.Sprintf("+%s: %s", r, count(len(im.Gains[r]))))
	}
	for _, r := range sortedKeys(im.Losses) {
		parts = append(parts, fmt.Sprintf("−%s: %s", r, count(len(im.Losses[r]))))
	}
	if len(im.Denied) > 0 {
		parts = append(parts, fmt.Sprintf("denied at next sign-in: %s", count(len(im.Denied))))
	}
	if len(parts) == 0 {
		return "No account would change."
	}
	return strings.Join(parts, ", ")
}

func sortedKeys(m map[string][]ImpactUser) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// PreviewImpact evaluates mapping m against every account of the IdP slug
// (their last recorded attributes) and reports who would gain or lose
// which role. Nothing is changed.
func (c *Console) PreviewImpact(ctx context.Context, slug string, m Mapping) (Impact, error) {
	m = withRuleIDs(m)
	im := Impact{Gains: map[string][]ImpactUser{}, Losses: map[string][]ImpactUser{}}
	err := c.store.ForEachUser(ctx, slug, func(u UserSnapshot) error {
		im.Users++
		ev := m.Evaluate(u.NameID, u.Attributes, nil)
		who := ImpactUser{UserID: u.UserID, Username: u.Username}
		if ev.Deny {
			im.Denied = append(im.Denied, who)
		}
		now, before := map[string]bool{}, map[string]bool{}
		for _, g := range ev.Fields.Roles {
			now[g.Role] = true
		}
		for _, g := range u.Roles {
			before[g.Role] = true
		}
		changed := false
		for r := range now {
			if !before[r] {
				im.Gains[r] = append(im.Gains[r], who)
				changed = true
			}
		}
		for r := range before {
			if !now[r] {
				im.Losses[r] = append(im.Losses[r], who)
				changed = true
			}
		}
		if changed {
			roles := ev.Fields.Roles
			for i := range roles {
				roles[i].IdPSlug = slug
			}
			im.changes = append(im.changes, RoleChange{UserID: u.UserID, Roles: roles})
		}
		return nil
	})
	return im, err
}

// ApplyNow re-evaluates the stored attributes of every account of slug
// with the IdP's saved mapping and replaces their rule and default grants
// at once (manual grants stay), as one audited change.
func (c *Console) ApplyNow(ctx context.Context, slug string) (Impact, error) {
	idp, err := c.store.GetIdP(ctx, slug)
	if err != nil {
		return Impact{}, err
	}
	im, err := c.PreviewImpact(ctx, slug, idp.Mapping)
	if err != nil {
		return im, err
	}
	if len(im.changes) == 0 {
		return im, nil
	}
	ev, err := c.store.ReplaceRuleRoles(ctx, im.changes, Event{Kind: EventAdminChange, Outcome: OutcomeInfo,
		IdPSlug: slug, Subject: osUser(), At: c.clock.Now(),
		Message: fmt.Sprintf("Rules of %s applied now by %s to %d accounts", idp.DisplayName, osUser(), len(im.changes)),
		Detail:  im.Summary()})
	if err == nil {
		c.publishStored(ev)
	}
	return im, err
}
