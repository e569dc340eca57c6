package core

// UserSort is the column ListUsers orders accounts by: one of the
// UserSort* constants ("" is UserSortCreated). Ties are broken by the
// account's ID in the same direction, so that paging is stable.
type UserSort string

// Orders of UserFilter.Sort. Text columns compare ASCII letters without
// case; an account that never signed in sorts as the oldest last sign-in;
// active sorts before disabled.
const (
	UserSortCreated     UserSort = "created"
	UserSortUsername    UserSort = "username"
	UserSortDisplayName UserSort = "display_name"
	UserSortEmail       UserSort = "email"
	UserSortIdP         UserSort = "idp"
	UserSortStatus      UserSort = "status"
	UserSortLastLogin   UserSort = "last_login"
	UserSortLoginCount  UserSort = "login_count"
)

// Valid reports whether s is a known order ("" counts: by creation).
func (s UserSort) Valid() bool {
	switch s {
	case "", UserSortCreated, UserSortUsername, UserSortDisplayName, UserSortEmail,
		UserSortIdP, UserSortStatus, UserSortLastLogin, UserSortLoginCount:
		return true
	}
	return false
}
