package memstore

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// sortUsers orders list as f's Sort and Ascending say, as the SQLite
// store does: the column, then the ID in the same direction.
func sortUsers(list []core.User, f core.UserFilter) error {
	if !f.Sort.Valid() {
		return core.Errorf(core.EINVALID, "Unknown account order %q.", f.Sort)
	}
	by := userComparer(f.Sort)
	sign := -1
	if f.Ascending {
		sign = 1
	}
	slices.SortFunc(list, func(a, b core.User) int {
		return sign * cmp.Or(by(a, b), cmp.Compare(a.ID, b.ID))
	})
	return nil
}

// userComparer compares two accounts by one column, ascending.
func userComparer(s core.UserSort) func(a, b core.User) int {
	text := func(v func(core.User) string) func(a, b core.User) int {
		return func(a, b core.User) int { return compareNoCase(v(a), v(b)) }
	}
	switch s {
	case core.UserSortUsername:
		return text(func(u core.User) string { return u.Username })
	case core.UserSortDisplayName:
		return text(func(u core.User) string { return u.DisplayName })
	case core.UserSortEmail:
		return text(func(u core.User) string { return u.Email })
	case core.UserSortIdP:
		return text(func(u core.User) string { return u.IdPSlug })
	case core.UserSortStatus:
		return func(a, b core.User) int { return cmp.Compare(b2i(a.Disabled), b2i(b.Disabled)) }
	case core.UserSortLastLogin:
		return func(a, b core.User) int { return cmp.Compare(nanos(a.LastLoginAt), nanos(b.LastLoginAt)) }
	case core.UserSortLoginCount:
		return func(a, b core.User) int { return cmp.Compare(a.LoginCount, b.LoginCount) }
	}
	return func(a, b core.User) int { return cmp.Compare(nanos(a.CreatedAt), nanos(b.CreatedAt)) }
}

// compareNoCase compares as SQLite's NOCASE collation: ASCII letters
// without case, every other byte as it is.
func compareNoCase(a, b string) int {
	return strings.Compare(asciiLower(a), asciiLower(b))
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nanos is t as the SQLite store keeps it: 0 for the zero time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
