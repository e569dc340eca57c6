package memstore

// Reading and changing every account a filter selects: counting them,
// reading them all, disabling them in one go.

import (
	"context"
	"strings"

	"github.com/jitconsole/jitconsole/core"
)

// normSearch is f's search as accounts' search text is compared with it.
func normSearch(f core.UserFilter) string { return strings.ToLower(strings.TrimSpace(f.Search)) }

// validStatus refuses an unknown status, as the SQLite store does.
func validStatus(f core.UserFilter) error {
	if !f.Status.Valid() {
		return core.Errorf(core.EINVALID, "Unknown account status %q: use %q or %q.", f.Status, core.UserActive, core.UserDisabled)
	}
	return nil
}

// matches reports whether f (Limit and Offset aside) selects a; search
// is normSearch(f).
func (a *account) matches(f core.UserFilter, search string) bool {
	switch {
	case f.IdPSlug != "" && a.IdPSlug != f.IdPSlug,
		search != "" && !strings.Contains(a.searchText(), search),
		f.Role != "" && !a.holds(f.Role),
		f.Status == core.UserActive && a.Disabled,
		f.Status == core.UserDisabled && !a.Disabled,
		f.WithWarnings && len(a.Warnings) == 0,
		!f.LastLoginBefore.IsZero() && !lastSeenBefore(a.User, f.LastLoginBefore):
		return false
	}
	return true
}

// CountUsers counts the accounts f selects, its Limit and Offset aside.
func (s *Store) CountUsers(ctx context.Context, f core.UserFilter) (int, error) {
	if err := validStatus(f); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	search, n := normSearch(f), 0
	for _, a := range s.users {
		if a.matches(f, search) {
			n++
		}
	}
	return n, nil
}

// ForEachMatchingUser calls fn with every account f selects (Limit and
// Offset aside), newest first, outside the store's lock.
func (s *Store) ForEachMatchingUser(ctx context.Context, f core.UserFilter, fn func(core.User) error) error {
	f.Limit, f.Offset = 0, 0
	list, err := s.ListUsers(ctx, f)
	if err != nil {
		return err
	}
	for _, u := range list {
		if err := fn(u); err != nil {
			return err
		}
	}
	return nil
}

// SetMatchingUsersDisabled disables or enables every account f selects
// (Limit and Offset aside), with one audit event.
func (s *Store) SetMatchingUsersDisabled(ctx context.Context, f core.UserFilter, disabled bool, by string) (int, core.Event, error) {
	if err := validStatus(f); err != nil {
		return 0, core.Event{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	search := normSearch(f)
	var changed []core.User
	for _, a := range s.users {
		if a.Disabled != disabled && a.matches(f, search) {
			a.Disabled = disabled
			changed = append(changed, a.user())
		}
	}
	return s.disabledAudit(by, disabled, changed)
}
