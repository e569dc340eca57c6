package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// userLogins is how many logins GetUser returns, newest first.
const userLogins = 100

// userIDs are the accounts' IDs in ascending order.
func (s *Store) userIDs() []int64 {
	ids := make([]int64, 0, len(s.users))
	for id := range s.users {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// ListUsers returns the accounts f selects, newest first unless f.Sort
// and f.Ascending say otherwise (see sortUsers).
func (s *Store) ListUsers(ctx context.Context, f core.UserFilter) ([]core.User, error) {
	switch f.Status {
	case "", core.UserActive, core.UserDisabled:
	default:
		return nil, core.Errorf(core.EINVALID, "Unknown account status %q: use %q or %q.", f.Status, core.UserActive, core.UserDisabled)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	search := normSearch(f)
	var out []core.User
	for _, a := range s.users {
		if a.matches(f, search) {
			out = append(out, a.user())
		}
	}
	if err := sortUsers(out, f); err != nil {
		return nil, err
	}
	out = out[min(max(f.Offset, 0), len(out)):]
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// lastSeenBefore: u's last login, or its creation if it never signed in,
// is before t.
func lastSeenBefore(u core.User, t time.Time) bool {
	if u.LastLoginAt.IsZero() {
		return u.CreatedAt.Before(t)
	}
	return u.LastLoginAt.Before(t)
}

// holds reports whether a holds role by any kind of grant.
func (a *account) holds(role string) bool {
	has := func(g core.RoleGrant) bool { return g.Role == role }
	return slices.ContainsFunc(a.auto, has) || slices.ContainsFunc(a.manual, has)
}

// GetUser returns an account with its attributes and login history.
func (s *Store) GetUser(ctx context.Context, id int64) (core.UserDetail, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.users[id]
	if !ok {
		return core.UserDetail{}, noUser(id)
	}
	d := core.UserDetail{User: a.user(), Attributes: cloneAttributes(a.attrs)}
	for i := len(s.logins) - 1; i >= 0 && len(d.Logins) < userLogins; i-- {
		if l := s.logins[i]; l.UserID == id {
			d.Logins = append(d.Logins, s.loginOut(l))
		}
	}
	slices.SortStableFunc(d.Logins, func(a, b core.Login) int {
		return cmp.Or(b.At.Compare(a.At), cmp.Compare(b.ID, a.ID))
	})
	return d, nil
}

// noUser is the error of an unknown account ID.
func noUser(id int64) error { return core.Errorf(core.ENOTFOUND, "There is no user with ID %d.", id) }

// UserByKey finds an account by IdP and NameID.
func (s *Store) UserByKey(ctx context.Context, idpSlug, nameID string, caseInsensitive bool) (core.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.findAccount(idpSlug, nameID, caseInsensitive); a != nil {
		return a.user(), nil
	}
	return core.User{}, core.Errorf(core.ENOTFOUND, "There is no account %q from IdP %s.", nameID, idpSlug)
}

// findAccount is the account of idpSlug and nameID (any case when
// caseInsensitive, the exact NameID preferred, then the oldest).
func (s *Store) findAccount(idpSlug, nameID string, caseInsensitive bool) *account {
	var best *account
	for _, id := range s.byKey[accountKey(idpSlug, nameID)] {
		a := s.users[id]
		if a.NameID == nameID {
			return a
		}
		if caseInsensitive && best == nil {
			best = a
		}
	}
	return best
}

// otherIdPWithEmail is the oldest account of an IdP other than idpSlug
// with email (any case), nil for none.
func (s *Store) otherIdPWithEmail(email, idpSlug string) *account {
	if email == "" {
		return nil
	}
	for _, id := range s.byEmail[foldKey(email)] {
		if a := s.users[id]; a.IdPSlug != idpSlug {
			return a
		}
	}
	return nil
}

// LinkCandidate returns the account of another IdP that a login with email
// would take over.
func (s *Store) LinkCandidate(ctx context.Context, email, idpSlug string) (core.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.otherIdPWithEmail(email, idpSlug); a != nil {
		return a.user(), nil
	}
	return core.User{}, core.Errorf(core.ENOTFOUND, "No account of another IdP has the email %s.", email)
}

// SetUsersDisabled disables or enables accounts, with one audit event.
func (s *Store) SetUsersDisabled(ctx context.Context, ids []int64, disabled bool, by string) (int, core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var changed []core.User
	for _, id := range ids {
		if a, ok := s.users[id]; ok && a.Disabled != disabled {
			a.Disabled = disabled
			changed = append(changed, a.user())
		}
	}
	return s.disabledAudit(by, disabled, changed)
}

// DeleteUser deletes an account; its logins stay, without the link.
func (s *Store) DeleteUser(ctx context.Context, id int64, by string) (core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.users[id]
	if !ok {
		return core.Event{}, noUser(id)
	}
	s.unindex(a)
	delete(s.users, id)
	for _, l := range s.logins {
		if l.UserID == id {
			l.UserID = 0
		}
	}
	for _, r := range s.records {
		if r.UserID == id {
			r.UserID = 0
		}
	}
	return s.addEvent(s.stamp(core.AuditUserDeleted(by, a.user()))), nil
}

// GrantRole pins a manual grant of a catalogue role to an account.
func (s *Store) GrantRole(ctx context.Context, userID int64, role, by string) (core.Event, error) {
	role = strings.TrimSpace(role)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.roles[role]; !ok {
		return core.Event{}, core.NoSuchRole(role)
	}
	a, ok := s.users[userID]
	if !ok {
		return core.Event{}, noUser(userID)
	}
	if slices.ContainsFunc(a.manual, func(g core.RoleGrant) bool { return g.Role == role }) {
		return core.Event{}, core.AlreadyManual(a.user(), role)
	}
	before := a.user()
	a.manual = append(a.manual, core.ManualGrant(role, by, s.now()))
	slices.SortStableFunc(a.manual, func(x, y core.RoleGrant) int {
		return cmp.Or(x.GrantedAt.Compare(y.GrantedAt), cmp.Compare(x.Role, y.Role))
	})
	return s.addEvent(s.stamp(core.AuditRoleGranted(by, before, role, a.user().Roles))), nil
}

// RevokeRole removes a manual grant.
func (s *Store) RevokeRole(ctx context.Context, userID int64, role, by string) (core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.users[userID]
	if !ok {
		return core.Event{}, noUser(userID)
	}
	before := a.user()
	i := slices.IndexFunc(a.manual, func(g core.RoleGrant) bool { return g.Role == role })
	if i < 0 {
		if j := slices.IndexFunc(before.Roles, func(g core.RoleGrant) bool { return g.Role == role }); j >= 0 {
			return core.Event{}, core.NotManualGrant(before, role, &before.Roles[j])
		}
		return core.Event{}, core.NotManualGrant(before, role, nil)
	}
	a.manual = slices.Delete(a.manual, i, i+1)
	return s.addEvent(s.stamp(core.AuditGrantRevoked(by, before, role, a.user().Roles))), nil
}

// ListRoles returns the catalogue by name, with holder counts.
func (s *Store) ListRoles(ctx context.Context) ([]core.RoleInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]core.RoleInfo, 0, len(s.roles))
	for name, desc := range s.roles {
		out = append(out, core.RoleInfo{Name: name, Description: desc, Holders: s.holders(name)})
	}
	slices.SortFunc(out, func(a, b core.RoleInfo) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

// holders counts the accounts holding role.
func (s *Store) holders(role string) int {
	n := 0
	for _, a := range s.users {
		if a.holds(role) {
			n++
		}
	}
	return n
}

// ensureRole adds name to the catalogue.
func (s *Store) ensureRole(name string) {
	if _, ok := s.roles[name]; !ok && name != "" {
		s.roles[name] = ""
	}
}

// SaveRole creates a role or changes its description.
func (s *Store) SaveRole(ctx context.Context, name, description, by string) (core.Event, error) {
	name, description = strings.TrimSpace(name), strings.TrimSpace(description)
	if name == "" {
		return core.Event{}, core.Errorf(core.EINVALID, "A role needs a name.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, exists := s.roles[name]
	switch {
	case !exists:
		s.roles[name] = description
		return s.addEvent(s.stamp(core.AuditRoleCreated(by, name, description))), nil
	case old == description:
		return core.Event{}, nil
	default:
		s.roles[name] = description
		return s.addEvent(s.stamp(core.AuditRoleChanged(by, name, old, description))), nil
	}
}

// RenameRole renames a role everywhere it is held and rewrites the IdPs'
// mappings with rewrite, with the audit event, at once.
func (s *Store) RenameRole(ctx context.Context, oldName, newName, by string, rewrite func(core.Mapping) (core.Mapping, bool)) (core.Event, error) {
	newName = strings.TrimSpace(newName)
	if newName == "" {
		return core.Event{}, core.Errorf(core.EINVALID, "A role needs a name.")
	}
	if newName == oldName {
		return core.Event{}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	desc, ok := s.roles[oldName]
	if !ok {
		return core.Event{}, core.NoSuchRole(oldName)
	}
	if _, taken := s.roles[newName]; taken {
		return core.Event{}, core.Errorf(core.ECONFLICT, "A role named %q exists already.", newName)
	}
	// The new mappings first: a mapping that fails to encode changes
	// nothing.
	idps := slices.Clone(s.idps)
	var rewritten []string
	if rewrite != nil {
		for i, p := range idps {
			p, err := cloneIdP(p)
			if err != nil {
				return core.Event{}, err
			}
			m, changed := rewrite(p.Mapping)
			if !changed {
				continue
			}
			p.Mapping, p.UpdatedAt = m, s.now()
			if idps[i], err = cloneIdP(p); err != nil {
				return core.Event{}, fmt.Errorf("rename role %q: %w", oldName, err)
			}
			rewritten = append(rewritten, p.Slug)
		}
	}
	n := s.holders(oldName)
	delete(s.roles, oldName)
	s.roles[newName] = desc
	for _, a := range s.users {
		for _, gs := range [][]core.RoleGrant{a.auto, a.manual} {
			for i := range gs {
				if gs[i].Role == oldName {
					gs[i].Role = newName
				}
			}
		}
	}
	if len(rewritten) > 0 {
		s.idps = idps
		s.idpVersion++
	}
	return s.addEvent(s.stamp(core.AuditRoleRenamed(by, oldName, newName, n, rewritten))), nil
}

// DeleteRole deletes a role nobody holds.
func (s *Store) DeleteRole(ctx context.Context, name, by string) (core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	desc, ok := s.roles[name]
	if !ok {
		return core.Event{}, core.NoSuchRole(name)
	}
	if n := s.holders(name); n > 0 {
		return core.Event{}, core.RoleHeld(name, n)
	}
	delete(s.roles, name)
	return s.addEvent(s.stamp(core.AuditRoleDeleted(by, name, desc))), nil
}

// ForEachUser calls fn with a snapshot of every account of idpSlug (all
// when empty), in ID order, stopping at fn's first error. fn runs without
// the store's lock: it may call the store.
func (s *Store) ForEachUser(ctx context.Context, idpSlug string, fn func(core.UserSnapshot) error) error {
	s.mu.Lock()
	var snaps []core.UserSnapshot
	for _, id := range s.userIDs() {
		a := s.users[id]
		if idpSlug != "" && a.IdPSlug != idpSlug {
			continue
		}
		snaps = append(snaps, core.UserSnapshot{UserID: a.ID, NameID: a.NameID, Username: a.Username,
			Attributes: cloneAttributes(a.attrs), Roles: slices.Clone(a.auto)})
	}
	s.mu.Unlock()
	for _, snap := range snaps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(snap); err != nil {
			return err
		}
	}
	return nil
}

// ReplaceRuleRoles replaces the rule and default grants of each account in
// changes, keeping manual grants, with audit.
func (s *Store) ReplaceRuleRoles(ctx context.Context, changes []core.RoleChange, audit core.Event) (core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	audit = core.AuditDefaults(audit, s.now())
	var lines []string
	for _, c := range changes {
		a, ok := s.users[c.UserID]
		if !ok {
			continue
		}
		next := core.StoredRuleGrants(c.Roles, a.IdPSlug, audit.At)
		for _, g := range next {
			s.ensureRole(g.Role)
		}
		if line := core.RoleChangeLine(a.User, a.auto, next); line != "" {
			lines = append(lines, line)
		}
		a.auto = next
	}
	if len(lines) == 0 {
		lines = []string{"no account's roles changed"}
	}
	audit.Detail = strings.TrimLeft(audit.Detail+"\n"+core.AuditDetail(lines), "\n")
	return s.addEvent(audit), nil
}

// disabledAudit writes the one audit event of the accounts changed by
// disabling (or enabling) them, and returns how many changed; nothing
// changed, no event.
func (s *Store) disabledAudit(by string, disabled bool, changed []core.User) (int, core.Event, error) {
	if len(changed) == 0 {
		return 0, core.Event{}, nil
	}
	slices.SortFunc(changed, func(a, b core.User) int { return cmp.Compare(a.ID, b.ID) })
	return len(changed), s.addEvent(s.stamp(core.AuditUsersDisabled(by, disabled, changed))), nil
}
