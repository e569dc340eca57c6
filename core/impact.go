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

// ImpactProgress is told, from the goroutine doing the work, that done of
// total accounts have been evaluated. done never decreases and ends at
// total; total is counted when the walk starts (accounts created during it
// raise it). It must return quickly.
type ImpactProgress func(done, total int)

// impactBatch is how many accounts are evaluated between two progress
// reports and two looks at the context's cancellation.
const impactBatch = 1000

// PreviewImpact evaluates mapping m against every account of the IdP slug
// (their last recorded attributes) and reports who would gain or lose
// which role. Nothing is changed.
func (c *Console) PreviewImpact(ctx context.Context, slug string, m Mapping) (Impact, error) {
	return c.PreviewImpactProgress(ctx, slug, m, nil)
}

// PreviewImpactProgress is PreviewImpact telling progress (may be nil) how
// far it is, batch by batch. Cancelling ctx stops it between two batches
// with ctx's error.
func (c *Console) PreviewImpactProgress(ctx context.Context, slug string, m Mapping, progress ImpactProgress) (Impact, error) {
	m = withRuleIDs(m)
	im := Impact{Gains: map[string][]ImpactUser{}, Losses: map[string][]ImpactUser{}}
	if err := ctx.Err(); err != nil {
		return im, err
	}
	total, err := c.store.CountUsers(ctx, UserFilter{IdPSlug: slug})
	if err != nil {
		return im, fmt.Errorf("count the accounts of %s: %w", slug, err)
	}
	report := func() {
		total = max(total, im.Users)
		if progress != nil {
			progress(im.Users, total)
		}
	}
	report()
	err = c.store.ForEachUser(ctx, slug, func(u UserSnapshot) error {
		im.Users++
		im.evaluate(slug, m, u)
		if im.Users%impactBatch == 0 {
			report()
			return ctx.Err()
		}
		return nil
	})
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		total = im.Users // the walk saw every account there is
		report()
	}
	return im, err
}

// evaluate adds what m makes of account u to the impact.
func (im *Impact) evaluate(slug string, m Mapping, u UserSnapshot) {
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
}

// ApplyNow re-evaluates the stored attributes of every account of slug
// with the IdP's saved mapping and replaces their rule and default grants
// at once (manual grants stay), as one audited change.
func (c *Console) ApplyNow(ctx context.Context, slug string) (Impact, error) {
	return c.ApplyNowProgress(ctx, slug, nil)
}

// ApplyNowProgress is ApplyNow telling progress (may be nil) how far the
// evaluation is. It is all or nothing: every change is written in one
// transaction after the whole walk, so cancelling ctx — during the walk or
// the write — changes no account. A cancelled apply is recorded in the
// audit log ("cancelled after n of N accounts; no account changed") and
// returns an error that wraps context.Canceled.
func (c *Console) ApplyNowProgress(ctx context.Context, slug string, progress ImpactProgress) (Impact, error) {
	idp, err := c.store.GetIdP(ctx, slug)
	if err != nil {
		return Impact{}, err
	}
	var done, total int
	track := func(d, t int) {
		done, total = d, t
		if progress != nil {
			progress(d, t)
		}
	}
	im, err := c.PreviewImpactProgress(ctx, slug, idp.Mapping, track)
	if err == nil && len(im.changes) > 0 {
		err = ctx.Err() // the last look before writing
		if err == nil {
			var ev Event
			ev, err = c.store.ReplaceRuleRoles(ctx, im.changes, Event{Kind: EventAdminChange, Outcome: OutcomeInfo,
				IdPSlug: slug, Subject: osUser(), At: c.clock.Now(),
				Message: fmt.Sprintf("Rules of %s applied now by %s to %d accounts", idp.DisplayName, osUser(), len(im.changes)),
				Detail:  im.Summary()})
			if err == nil {
				c.publishStored(ev)
				return im, nil
			}
		}
	}
	if err != nil && ctx.Err() != nil {
		return im, c.applyCancelled(ctx, idp, done, total)
	}
	return im, err
}

// applyCancelled records in the audit log that an Apply now of idp was
// cancelled after done of total accounts, and is the error to return.
func (c *Console) applyCancelled(ctx context.Context, idp IdP, done, total int) error {
	msg := fmt.Sprintf("Apply now of the rules of %s cancelled by %s after %d of %d accounts: no account changed",
		idp.DisplayName, osUser(), done, total)
	c.publish(context.WithoutCancel(ctx), Event{Kind: EventAdminChange, Outcome: OutcomeInfo,
		IdPSlug: idp.Slug, Subject: osUser(), Message: msg})
	return fmt.Errorf("%s: %w", msg, ctx.Err())
}
