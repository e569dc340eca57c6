package storage

import (
	"github.com/jitconsole/jitconsole/core"
)

// userOrderBy is the ORDER BY clause of ListUsers for f's Sort and
// Ascending: the column, then the account's ID in the same direction so
// that pages neither repeat nor skip an account. Text columns compare
// ASCII letters without case (NOCASE), as memstore does.
func userOrderBy(f core.UserFilter) (string, error) {
	if !f.Sort.Valid() {
		return "", core.Errorf(core.EINVALID, "Unknown account order %q.", f.Sort)
	}
	col := map[core.UserSort]string{
		"":                       "u.created_at",
		core.UserSortCreated:     "u.created_at",
		core.UserSortUsername:    "u.username COLLATE NOCASE",
		core.UserSortDisplayName: "u.display_name COLLATE NOCASE",
		core.UserSortEmail:       "u.email COLLATE NOCASE",
		core.UserSortIdP:         "u.idp_slug COLLATE NOCASE",
		core.UserSortStatus:      "u.disabled",
		core.UserSortLastLogin:   "u.last_login_at",
		core.UserSortLoginCount:  "u.login_count",
	}[f.Sort]
	dir := " DESC"
	if f.Ascending {
		dir = " ASC"
	}
	return ` ORDER BY ` + col + dir + `, u.id` + dir, nil
}
