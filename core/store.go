// This file declares what core needs from the outside world: the Store,
// split by aggregate into small interfaces (each with the commands and
// filters its methods take), the KeyStore and the Clock. storage
// implements Store and KeyStore; tests pin the Clock.

package core

import (
	"context"
	"time"
)

// Store is the persistence core needs: every aggregate's store in one.
// storage.DB implements it over SQLite. Every method is safe for
// concurrent use. Errors that a person should see are *Error values (see
// ErrorCode). Code that needs one aggregate takes its small interface.
type Store interface {
	IdPStore
	AccountStore
	RoleStore
	LoginStore
	RequestStore
	EventStore
	DashboardStore
	RecordingStore
	RetentionStore
	PersonaStore
	SettingStore
	ConfigStore
	SCIMStore
}

// IdPStore keeps the IdP connections.
type IdPStore interface {
	ListIdPs(ctx context.Context) ([]IdP, error)
	// GetIdP returns an error with code ENOTFOUND when no IdP has slug.
	GetIdP(ctx context.Context, slug string) (IdP, error)
	// IdPVersion is a number that changes whenever an IdP connection is
	// added, changed or removed, by any process: the ACS's cache of IdPs
	// is good while it stays the same.
	IdPVersion(ctx context.Context) (int64, error)
	// SaveIdP inserts or updates (by slug) an IdP.
	SaveIdP(ctx context.Context, idp IdP) (IdP, error)
	// SaveIdPAudited is SaveIdP, the removal of every grant the rules
	// revokeRuleIDs of that IdP made, and the audit event (its detail
	// gains a line per revoked rule), in one transaction; it returns the
	// IdP as stored, how many grants went and the event as stored.
	SaveIdPAudited(ctx context.Context, idp IdP, revokeRuleIDs []string, audit Event) (IdP, int, Event, error)
	// DeleteIdP removes an IdP connection; its users stay, marked as from
	// a removed IdP. ENOTFOUND when no IdP has slug.
	DeleteIdP(ctx context.Context, slug string) error
}

// AccountStore keeps the provisioned accounts.
type AccountStore interface {
	ListUsers(ctx context.Context, f UserFilter) ([]User, error)
	// GetUser returns ENOTFOUND when there is no such user.
	GetUser(ctx context.Context, id int64) (UserDetail, error)
	// UserByKey finds an account by IdP and NameID (case-insensitively when
	// caseInsensitive); ENOTFOUND when there is none.
	UserByKey(ctx context.Context, idpSlug, nameID string, caseInsensitive bool) (User, error)
	// LinkCandidate returns the account of another IdP that a login with
	// email would take over when its IdP links by email (ENOTFOUND: none).
	LinkCandidate(ctx context.Context, email, idpSlug string) (User, error)
	// ForEachUser calls fn with a snapshot of every account of idpSlug
	// (all IdPs when empty), in ID order, stopping at fn's first error.
	ForEachUser(ctx context.Context, idpSlug string, fn func(UserSnapshot) error) error
	// SetUsersDisabled disables or enables accounts, with one audit event
	// (by is the OS user), in one transaction; it returns how many changed.
	SetUsersDisabled(ctx context.Context, ids []int64, disabled bool, by string) (int, Event, error)
	// CountUsers counts the accounts f selects, its Limit and Offset aside.
	CountUsers(ctx context.Context, f UserFilter) (int, error)
	// ForEachMatchingUser calls fn with every account f selects (Limit and
	// Offset aside), newest first as ListUsers orders them, reading them in
	// batches; it stops at fn's first error.
	ForEachMatchingUser(ctx context.Context, f UserFilter, fn func(User) error) error
	// SetMatchingUsersDisabled is SetUsersDisabled for every account f
	// selects (Limit and Offset aside): one transaction, one audit event.
	SetMatchingUsersDisabled(ctx context.Context, f UserFilter, disabled bool, by string) (int, Event, error)
	// DeleteUser deletes an account (its logins stay, without the link),
	// with an audit event; ENOTFOUND if unknown.
	DeleteUser(ctx context.Context, id int64, by string) (Event, error)
}

// UserFilter selects users. Search matches username, display name, email
// and NameID, case-insensitively, as a substring.
type UserFilter struct {
	Search  string
	IdPSlug string
	Role    string     // holds this role (any kind of grant)
	Status  UserStatus // "" all
	// WithWarnings keeps only accounts that have warnings.
	WithWarnings bool
	// LastLoginBefore keeps accounts whose last login (or creation, if
	// never) is before it: the stale-accounts view.
	LastLoginBefore time.Time
	// Sort is the column ListUsers orders by, newest (or largest, or Z)
	// first unless Ascending; "" orders by creation.
	Sort      UserSort
	Ascending bool
	Limit     int // 0 means no limit
	Offset    int
}

// UserStatus selects accounts by whether they may sign in: one of the
// User* constants, or "" for all.
type UserStatus string

// User statuses for UserFilter.
const (
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
)

// Valid reports whether s is a known status ("" counts: all).
func (s UserStatus) Valid() bool { return s == "" || s == UserActive || s == UserDisabled }

// UserSnapshot is what the impact preview and "apply now" need of an
// account: its last attributes and its current rule and default grants.
type UserSnapshot struct {
	UserID     int64
	NameID     string
	Username   string
	Attributes Attributes
	Roles      []RoleGrant // rule and default grants only
}

// RoleStore keeps the role catalogue and the roles accounts hold.
type RoleStore interface {
	// ListRoles returns the role catalogue with holder counts.
	ListRoles(ctx context.Context) ([]RoleInfo, error)
	// SaveRole creates a role or changes its description.
	SaveRole(ctx context.Context, name, description, by string) (Event, error)
	// RenameRole renames a role everywhere it is held and stores each
	// IdP's mapping as rewrite rewrites it, with the audit event, in one
	// transaction. ECONFLICT if newName exists.
	RenameRole(ctx context.Context, oldName, newName, by string, rewrite func(Mapping) (Mapping, bool)) (Event, error)
	// DeleteRole deletes a role nobody holds; ECONFLICT naming the count
	// of holders otherwise.
	DeleteRole(ctx context.Context, name, by string) (Event, error)
	// GrantRole pins a manual grant of role (which must be in the catalogue)
	// to an account; RevokeRole removes a manual grant (rule grants are
	// the rules' business). Each writes an audit event.
	GrantRole(ctx context.Context, userID int64, role, by string) (Event, error)
	RevokeRole(ctx context.Context, userID int64, role, by string) (Event, error)
	// ReplaceRuleRoles replaces the rule and default grants of each
	// account in changes, keeping manual grants, and writes audit, in one
	// transaction.
	ReplaceRuleRoles(ctx context.Context, changes []RoleChange, audit Event) (Event, error)
}

// RoleChange replaces one account's rule and default grants.
type RoleChange struct {
	UserID int64
	Roles  []RoleGrant
}

// LoginStore writes what the ACS decided: an accepted login with
// everything it changes, or a refusal.
type LoginStore interface {
	// ApplyLogin creates or updates the account, replaces its roles and
	// attributes, and writes a login row and an event, in one transaction.
	// Concurrent calls for one (IdPSlug, NameID) make exactly one account.
	// What changes is PlanLogin's plan of the state read in the transaction.
	ApplyLogin(ctx context.Context, p Provision) (ProvisionResult, error)
	// RecordRefusal writes a refused login row and its event in one
	// transaction.
	RecordRefusal(ctx context.Context, r Refusal) (Login, Event, error)
}

// Provision is everything an accepted login changes, applied by
// Store.ApplyLogin in one transaction: the account (created or updated by
// (IdPSlug, NameID)), its rule-granted roles (replacing the previous
// rule-granted ones), its attributes, a login row and an event.
type Provision struct {
	At          time.Time
	IdPSlug     string
	NameID      string
	Username    string
	Email       string
	DisplayName string
	GivenName   string
	FamilyName  string
	// Roles are the rule and default grants of this login; they replace
	// the account's previous rule and default grants, never its manual
	// ones. The store fills in LoginID and GrantedAt.
	Roles []RoleGrant
	// Sync is the IdP's sync policy: in SyncCreateOnly mode a later login
	// changes no field and no role (only the login count, last login and
	// the attributes of the last assertion); per field, FieldImportOnce
	// sets a field at creation only and FieldKeepWhenAbsent never blanks
	// a stored value.
	Sync SyncPolicy
	// CaseInsensitiveKey finds the account by NameID whatever its case.
	CaseInsensitiveKey bool
	// LinkByEmail lets a first login take over an account with the same
	// email from another IdP (the account then belongs to this IdP).
	LinkByEmail bool
	// Warnings (from core, e.g. a transient NameID) are stored on the
	// account; PlanLogin adds those of the stored state (case-only
	// duplicate, email used by another IdP's account, link by email).
	Warnings   []string
	Attributes Attributes
	// AssertionID is stored with the login row and, when AssertionExpires
	// is set (the ACS always sets it), goes into the replay cache until
	// then, in the login's transaction: ApplyLogin refuses an ID recorded
	// before (and not yet expired) with EREPLAYED and writes nothing.
	AssertionID      string
	AssertionExpires time.Time
	// RequestToken, when set, is the RelayState token of the sign-in
	// request the response answers: the login's transaction marks it
	// answered, and ApplyLogin refuses with EANSWERED (writing nothing)
	// when another response answered it first.
	RequestToken string
	// Record, if set, is stored in the flight recorder in the same
	// transaction (its Login/Event/User IDs are filled in by the store).
	Record *Recording
	// Deny is true when the IdP's mapping denies the login (its
	// Evaluation's Deny); DenyReason says why. PlanLogin refuses such a
	// login with EDENIED and nothing is written.
	Deny       bool
	DenyReason string
}

// ProvisionResult is what ApplyLogin did.
type ProvisionResult struct {
	User    User
	Created bool
	Linked  bool // an account from another IdP was linked by email
	// Added and Removed are the roles this login granted and took away.
	Added   []string
	Removed []string
	Login   Login
	Event   Event
}

// Refusal is a refused ACS attempt: it is stored as a login row and an event
// in one transaction, and changes no account.
type Refusal struct {
	At      time.Time
	IdPSlug string
	NameID  string // when known
	Class   RefusalClass
	Reason  string
	Hint    string
	// Record, if set, is stored in the flight recorder in the same
	// transaction.
	Record *Recording
	// Compact marks a request that cannot be a login (see
	// Console.refuse): its record keeps no raw response, and compact
	// refusals of one class, IdP slug and remote IP (Record.RemoteAddr)
	// within CompactWindow share one login row, event and recording,
	// whose Count goes up.
	Compact bool
}

// RequestStore keeps the sign-in requests the SP sent (RelayState tokens
// bound to AuthnRequest IDs) and answers the replay cache's questions.
type RequestStore interface {
	// TrackRequest binds a single-use RelayState token to one AuthnRequest
	// ID for one IdP until expires, and to the browser that started it
	// (binding: a hash of its binding cookie, "" where binding is off). The
	// store keeps a bounded number of pending requests, dropping the oldest.
	TrackRequest(ctx context.Context, token, requestID, idpSlug, binding string, expires time.Time) error
	// LookupRequest returns, without writing, the request ID bound to
	// token and whether a response to it was already accepted (answered),
	// so that the ACS can tell a second response from an unknown request.
	// ENOTFOUND if the token is unknown, expired or bound to another IdP;
	// EFORBIDDEN if it is bound to another browser (a different binding).
	// The login's own transaction uses the token up (ApplyLogin with
	// Provision.RequestToken).
	LookupRequest(ctx context.Context, token, idpSlug, binding string, now time.Time) (requestID string, answered bool, err error)
	// PendingRequest reports, without writing, whether requestID is a
	// tracked, unexpired sign-in request of idpSlug at now, and whether a
	// response to it was already accepted (the validator).
	PendingRequest(ctx context.Context, requestID, idpSlug string, now time.Time) (found, answered bool, err error)
	// AssertionSeen reports, without writing, whether the replay cache
	// holds the assertion ID at now (ApplyLogin would refuse it as
	// replayed): the ACS's and the validator's replay check.
	AssertionSeen(ctx context.Context, id string, now time.Time) (bool, error)
}

// EventStore keeps the event log, of which the audit log is a part (the
// EventAdminChange, EventIdPRegistered and EventIdPRemoved kinds).
type EventStore interface {
	// AppendEvent writes an event that belongs to no login and returns it
	// with its ID.
	AppendEvent(ctx context.Context, e Event) (Event, error)
	// AppendCoalescedEvent writes e, or, when an event of its kind, IdP
	// and subject was written at or after since, counts one more on that
	// event instead (bumped).
	AppendCoalescedEvent(ctx context.Context, e Event, since time.Time) (saved Event, bumped bool, err error)
	// RecentEvents returns up to limit events, newest first.
	RecentEvents(ctx context.Context, limit int) ([]Event, error)
	// ListEvents returns events, newest first (the audit log is the
	// EventAdminChange kind).
	ListEvents(ctx context.Context, f EventFilter) ([]Event, error)
}

// EventFilter selects events, newest first.
type EventFilter struct {
	Kinds   []EventKind // empty: all
	IdPSlug string
	Since   time.Time
	Limit   int
}

// DashboardStore counts for the dashboard (see Stats and MinuteCount).
type DashboardStore interface {
	Stats(ctx context.Context, now time.Time) (Stats, error)
	// LoginsPerMinute counts accepted logins per minute from since to now;
	// minutes without logins are present with 0.
	LoginsPerMinute(ctx context.Context, since, now time.Time) ([]MinuteCount, error)
}

// RecordingStore reads the flight recorder (ApplyLogin and RecordRefusal
// write it).
type RecordingStore interface {
	// ListRecordings returns flight recorder entries without Raw.
	ListRecordings(ctx context.Context, f RecordingFilter) ([]Recording, error)
	// GetRecording returns one entry with Raw; ENOTFOUND if unknown.
	GetRecording(ctx context.Context, id int64) (Recording, error)
}

// RecordingFilter selects flight recorder entries, newest first.
type RecordingFilter struct {
	IdPSlug string
	Outcome Outcome // "" for all
	Search  string  // NameID or class substring, case-insensitive
	Since   time.Time
	Until   time.Time
	Limit   int
	Offset  int
}

// RetentionStore deletes what retention says is old and measures what
// is kept (see RunRetention).
type RetentionStore interface {
	// PurgeRecordings deletes entries older than before and returns how
	// many went.
	PurgeRecordings(ctx context.Context, before time.Time) (int, error)
	// CapRecordings deletes the oldest entries until the raw responses
	// kept add up to at most maxBytes; it returns how many entries and
	// raw bytes went.
	CapRecordings(ctx context.Context, maxBytes int64) (int, int64, error)
	// PurgeEvents deletes events older than before, except the audit log's
	// kinds; PurgeLogins deletes login rows older than before. Each
	// returns how many went.
	PurgeEvents(ctx context.Context, before time.Time) (int, error)
	PurgeLogins(ctx context.Context, before time.Time) (int, error)
	// StorageUsage measures the database and the flight recorder.
	StorageUsage(ctx context.Context) (StorageUsage, error)
}

// PersonaStore keeps the demo IdP's personas.
type PersonaStore interface {
	ListPersonas(ctx context.Context) ([]Persona, error)
	// SavePersona inserts or replaces a persona by ID.
	SavePersona(ctx context.Context, p Persona) error
	DeletePersona(ctx context.Context, id string) error
}

// SettingStore keeps settings as keys and string values.
type SettingStore interface {
	// GetSetting returns ENOTFOUND when key is unset.
	GetSetting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// KeyStore keeps secrets (the SP's and the demo IdP's private keys) outside
// the database. storage.KeyStore implements it with the OS keyring and a
// 0600-file fallback.
type KeyStore interface {
	// Get returns ENOTFOUND when no secret is stored under name.
	Get(name string) ([]byte, error)
	Set(name string, secret []byte) error
	// Fallback reports whether secrets are kept in a file because the OS
	// keyring is not reachable, and why.
	Fallback() (inFile bool, why string)
}

// Clock tells the time. Tests pin it.
type Clock interface{ Now() time.Time }

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }
