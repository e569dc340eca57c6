// Package core is the domain of JIT Console: the IdP registry, the SAML
// service provider (SP) listener and its ACS, attribute mapping, the
// provisioner, the event broker and the built-in demo identity provider.
//
// core knows nothing of Fyne and nothing of SQL. It declares the interfaces it
// needs from the outside world (Store, KeyStore, Clock); the storage package
// implements them and main.go wires the two together.
package core

import (
	"context"
	"time"
)

// IdP is one identity provider connection.
type IdP struct {
	ID          int64
	Slug        string // used in endpoint paths: /saml/{slug}/...
	DisplayName string
	EntityID    string // the IdP's entity ID, from its metadata
	MetadataXML string // the IdP's EntityDescriptor
	Enabled     bool
	Mapping     Mapping
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// MetadataSource says where the metadata came from: "demo", "file",
	// "url" or "paste".
	MetadataSource string
	// MetadataURL is set when the metadata is fetched from a URL; it is
	// then refreshed every RefreshEvery (0 means DefaultRefreshEvery).
	MetadataURL  string
	RefreshEvery time.Duration
	RefreshedAt  time.Time // last successful fetch
	RefreshError string    // why the last refresh failed; "" after a good one
	Security     IdPSecurity
}

// IdPSecurity are an IdP's per-connection security settings. The zero
// value is the default: SP-initiated only, SHA-1 accepted (but flagged),
// a signature on the response or on the assertion enough.
type IdPSecurity struct {
	AllowIdPInitiated      bool `json:"allow_idp_initiated,omitempty"`
	RejectSHA1             bool `json:"reject_sha1,omitempty"`
	RequireSignedResponse  bool `json:"require_signed_response,omitempty"`
	RequireSignedAssertion bool `json:"require_signed_assertion,omitempty"`
}

// Mapping says how assertion attributes become account fields and roles:
// the field mapping, the ordered role rules and the policies around them.
// See Mapping.Evaluate.
type Mapping struct {
	// Fields maps a field name (FieldUsername, FieldEmail, ...) to where
	// its value comes from. A field missing here falls back to the legacy
	// *Attrs candidate lists below, then to its built-in default.
	Fields map[string]FieldSource `json:"fields,omitempty"`

	// Legacy candidate lists (the first slice of JIT Console): each names
	// attributes matched by Name or FriendlyName in order; the first one
	// present wins. Kept so that stored mappings keep working.
	UsernameAttrs    []string `json:"username_attrs,omitempty"`
	EmailAttrs       []string `json:"email_attrs,omitempty"`
	DisplayNameAttrs []string `json:"display_name_attrs,omitempty"`
	GroupsAttrs      []string `json:"groups_attrs,omitempty"`

	// Required lists fields that must have a value; a login without one
	// is denied with the attribute names the IdP did send.
	Required []string `json:"required,omitempty"`

	// RoleRules are evaluated in order; every matching rule grants its
	// roles.
	RoleRules []RoleRule `json:"role_rules,omitempty"`
	// NoMatch says what happens when no rule grants a role: NoMatchDefault
	// (grant DefaultRole, if any) or NoMatchDeny (refuse the login).
	NoMatch string `json:"no_match,omitempty"`
	// DefaultRole is granted when no rule matched. Empty means no role.
	DefaultRole string `json:"default_role,omitempty"`

	// AccountKeyAttr, if set, names a stable attribute whose first value
	// is the account key instead of the NameID (needed for IdPs that send
	// transient NameIDs).
	AccountKeyAttr string `json:"account_key_attr,omitempty"`
	// CaseSensitiveKey turns off case-insensitive matching of the account
	// key. It is off (keys match whatever their case) by default, which
	// is right for email-format NameIDs.
	CaseSensitiveKey bool `json:"case_sensitive_key,omitempty"`
	// LinkByEmail lets a first login from this IdP take over an existing
	// account with the same email from another IdP: a trust decision.
	LinkByEmail bool `json:"link_by_email,omitempty"`

	// Sync says what later logins update.
	Sync SyncPolicy `json:"sync,omitempty"`
}

// RoleRule grants Roles when every one of Conditions holds. The legacy
// form (Attribute, Value, Role) means one case-insensitive "contains"
// condition granting Role; stored rules of that form keep working.
type RoleRule struct {
	// ID is stable across edits and reorders: role grants name the rule
	// that made them by it. Empty IDs are filled in when a mapping is
	// saved.
	ID         string      `json:"id,omitempty"`
	Name       string      `json:"name,omitempty"`
	Conditions []Condition `json:"conditions,omitempty"`
	Roles      []string    `json:"roles,omitempty"`

	Attribute string `json:"attribute,omitempty"`
	Value     string `json:"value,omitempty"`
	Role      string `json:"role,omitempty"`
}

// Condition is "attribute operator value", matched against every value of
// a multi-valued attribute.
type Condition struct {
	Attribute       string `json:"attribute"`
	Operator        string `json:"operator"` // one of the Op* constants
	Value           string `json:"value,omitempty"`
	CaseInsensitive bool   `json:"case_insensitive,omitempty"`
}

// Attributes holds assertion attributes: name -> every value, in order.
type Attributes map[string][]string

// User is a provisioned account. Its identity is (IdPSlug, NameID).
type User struct {
	ID          int64
	IdPSlug     string
	NameID      string
	Username    string
	Email       string
	DisplayName string
	Roles       []RoleGrant
	CreatedAt   time.Time
	LastLoginAt time.Time
	LoginCount  int
	// IdPRemoved is true when the IdP connection that made the account
	// was deleted; the account stays, from a removed IdP.
	IdPRemoved bool
	GivenName  string
	FamilyName string
	// Disabled accounts are refused at sign-in.
	Disabled bool
	// Warnings were raised when the account was created or updated: a
	// NameID that differs only by case from another account's, a transient
	// NameID, an email already used by an account from another IdP.
	Warnings []string
}

// RoleGrant is one role a user holds and where it came from.
type RoleGrant struct {
	Role   string
	Source string // e.g. "rule 1: groups contains Admins (any case)", "default role"
	// RuleIndex is the 1-based rule that granted the role, 0 for the
	// default role or a manual grant.
	RuleIndex int
	// Kind is GrantRule, GrantDefault or GrantManual. Rule and default
	// grants are recomputed at every login; manual grants are pinned.
	Kind string
	// RuleID is the stable ID of the rule (RoleRule.ID) for rule grants.
	RuleID string
	// IdPSlug is the IdP whose mapping granted the role (rule, default).
	IdPSlug string
	// LoginID is the login whose evaluation granted the role.
	LoginID int64
	// GrantedBy is the OS user of a manual grant; GrantedAt when it was
	// granted (any kind).
	GrantedBy string
	GrantedAt time.Time
}

// Grant kinds.
const (
	GrantRule    = "rule"
	GrantDefault = "default"
	GrantManual  = "manual"
)

// UserDetail is a user with the attributes of the last assertion and the
// login history, newest first.
type UserDetail struct {
	User
	Attributes Attributes
	Logins     []Login
}

// Outcome values of logins and events.
const (
	OutcomeAccepted = "accepted"
	OutcomeRefused  = "refused"
	OutcomeInfo     = "info"
	OutcomeWarning  = "warning"
)

// Login is one ACS attempt, accepted or refused.
type Login struct {
	ID          int64
	At          time.Time
	IdPSlug     string
	UserID      int64 // 0 when refused
	NameID      string
	Outcome     string // OutcomeAccepted or OutcomeRefused
	Class       string // refusal class, "" when accepted
	Reason      string // a sentence for a person
	AssertionID string
	EventID     int64
	RecordingID int64 // the flight recorder's entry, 0 if none
	// Count is how many requests the row stands for when more than one
	// (a compact refusal that repeated, see Refusal.Compact); 0 for one.
	Count int
}

// Event kinds.
const (
	EventLoginStarted   = "login.started"
	EventUserCreated    = "user.created"
	EventUserUpdated    = "user.updated"
	EventLoginRefused   = "login.refused"
	EventKeyFallback    = "key.fallback"
	EventIdPRegistered  = "idp.registered"
	EventListener       = "listener"
	EventSimulation     = "demo.simulation"
	EventPersonaChanged = "demo.persona"
	EventIdPRefreshed   = "idp.refreshed"
	EventIdPRemoved     = "idp.removed"
	EventAdminChange    = "admin.change"
)

// Event is one entry of the live feed and the audit log. Events are written
// to the store before they reach any subscriber.
type Event struct {
	ID      int64
	At      time.Time
	Kind    string // one of the Event* constants
	Outcome string // OutcomeAccepted, OutcomeRefused, OutcomeInfo, OutcomeWarning
	IdPSlug string
	UserID  int64
	Subject string // who it is about: a NameID or username, may be empty
	Message string // one line for a person
	Detail  string // optional: more text (the hint, the diff)
	Class   string // refusal class of a refused login, "" otherwise
	// Count is how many requests the event stands for when more than one
	// (a compact refusal that repeated, see Refusal.Compact); 0 for one.
	Count int
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
	Class   string
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

// Recording is the flight recorder's entry for one ACS request: the raw
// response as received and what verification and provisioning made of
// it. Decoding for display happens when someone opens it, never on the
// login path.
type Recording struct {
	ID         int64
	At         time.Time
	IdPSlug    string
	LoginID    int64
	EventID    int64
	UserID     int64  // 0 when refused
	NameID     string // when known
	Outcome    string // OutcomeAccepted or OutcomeRefused
	Action     string // "created", "updated" or "" (refused)
	Class      string
	Reason     string
	Hint       string
	Detail     string // the verification library's private error text
	Weak       bool   // signed with a SHA-1 based algorithm
	RemoteAddr string
	// Raw is the SAMLResponse XML as received (empty in lists).
	Raw []byte
	// RawSize is len(Raw) as received; RawTruncated is true when the
	// stored Raw was cut to MaxRecordedResponse.
	RawSize      int
	RawTruncated bool
	// Count is how many requests the entry stands for when more than one
	// (compact refusals); 0 for one.
	Count int
}

// MaxRecordedResponse is the most of a raw response the recorder keeps.
const MaxRecordedResponse = 128 << 10

// RecordingFilter selects flight recorder entries, newest first.
type RecordingFilter struct {
	IdPSlug string
	Outcome string // "" for all
	Search  string // NameID or class substring, case-insensitive
	Since   time.Time
	Until   time.Time
	Limit   int
	Offset  int
}

// UserFilter selects users. Search matches username, display name, email
// and NameID, case-insensitively, as a substring.
type UserFilter struct {
	Search  string
	IdPSlug string
	Role    string // holds this role (any kind of grant)
	Status  string // "" all, UserActive, UserDisabled
	// WithWarnings keeps only accounts that have warnings.
	WithWarnings bool
	// LastLoginBefore keeps accounts whose last login (or creation, if
	// never) is before it: the stale-accounts view.
	LastLoginBefore time.Time
	Limit           int // 0 means no limit
	Offset          int
}

// User statuses for UserFilter.
const (
	UserActive   = "active"
	UserDisabled = "disabled"
)

// RoleInfo is an entry of the role catalogue.
type RoleInfo struct {
	Name        string
	Description string
	Holders     int // accounts holding it, any kind of grant
}

// UserSnapshot is what the impact preview and "apply now" need of an
// account: its last attributes and its current rule and default grants.
type UserSnapshot struct {
	UserID     int64
	NameID     string
	Username   string
	Attributes Attributes
	Roles      []RoleGrant // rule and default grants only
}

// RoleChange replaces one account's rule and default grants.
type RoleChange struct {
	UserID int64
	Roles  []RoleGrant
}

// EventFilter selects events, newest first.
type EventFilter struct {
	Kinds   []string // empty: all
	IdPSlug string
	Since   time.Time
	Limit   int
}

// Stats are the dashboard counters.
type Stats struct {
	Users        int
	CreatedToday int // since local midnight
	Logins24h    int // accepted
	Refusals24h  int
}

// MinuteCount is the number of accepted logins in the minute starting at
// Minute.
type MinuteCount struct {
	Minute time.Time
	Count  int
}

// Persona is a person of the demo IdP.
type Persona struct {
	ID           string   `json:"id"`                       // stable key
	NameID       string   `json:"name_id,omitempty"`        // empty: the email, else the username
	NameIDFormat string   `json:"name_id_format,omitempty"` // "email", "persistent", "transient", "unspecified"
	Username     string   `json:"username,omitempty"`
	DisplayName  string   `json:"display_name,omitempty"`
	GivenName    string   `json:"given_name,omitempty"`
	Surname      string   `json:"surname,omitempty"`
	Email        string   `json:"email,omitempty"`
	Department   string   `json:"department,omitempty"`
	Groups       []string `json:"groups,omitempty"`
	Note         string   `json:"note,omitempty"` // why this persona is interesting
}

// Store is the persistence core needs. storage.DB implements it over SQLite.
// Every method is safe for concurrent use. Errors that a person should see
// are *Error values (see ErrorCode).
type Store interface {
	// IdPs
	ListIdPs(ctx context.Context) ([]IdP, error)
	// GetIdP returns an error with code ENOTFOUND when no IdP has slug.
	GetIdP(ctx context.Context, slug string) (IdP, error)
	// IdPVersion is a number that changes whenever an IdP connection is
	// added, changed or removed, by any process: the ACS's cache of IdPs
	// is good while it stays the same.
	IdPVersion(ctx context.Context) (int64, error)
	// SaveIdP inserts or updates (by slug) an IdP.
	SaveIdP(ctx context.Context, idp IdP) (IdP, error)
	// DeleteIdP removes an IdP connection; its users stay, marked as from
	// a removed IdP. ENOTFOUND when no IdP has slug.
	DeleteIdP(ctx context.Context, slug string) error

	// ListRecordings returns flight recorder entries without Raw.
	ListRecordings(ctx context.Context, f RecordingFilter) ([]Recording, error)
	// GetRecording returns one entry with Raw; ENOTFOUND if unknown.
	GetRecording(ctx context.Context, id int64) (Recording, error)
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

	// UserByKey finds an account by IdP and NameID (case-insensitively when
	// caseInsensitive); ENOTFOUND when there is none.
	UserByKey(ctx context.Context, idpSlug, nameID string, caseInsensitive bool) (User, error)
	// SetUsersDisabled disables or enables accounts, with one audit event
	// (by is the OS user), in one transaction; it returns how many changed.
	SetUsersDisabled(ctx context.Context, ids []int64, disabled bool, by string) (int, Event, error)
	// DeleteUser deletes an account (its logins stay, without the link),
	// with an audit event; ENOTFOUND if unknown.
	DeleteUser(ctx context.Context, id int64, by string) (Event, error)
	// GrantRole pins a manual grant of role (which must be in the catalogue)
	// to an account; RevokeRole removes a manual grant (rule grants are
	// the rules' business). Each writes an audit event.
	GrantRole(ctx context.Context, userID int64, role, by string) (Event, error)
	RevokeRole(ctx context.Context, userID int64, role, by string) (Event, error)

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

	// ForEachUser calls fn with a snapshot of every account of idpSlug
	// (all IdPs when empty), in ID order, stopping at fn's first error.
	ForEachUser(ctx context.Context, idpSlug string, fn func(UserSnapshot) error) error
	// ReplaceRuleRoles replaces the rule and default grants of each
	// account in changes, keeping manual grants, and writes audit, in one
	// transaction.
	ReplaceRuleRoles(ctx context.Context, changes []RoleChange, audit Event) (Event, error)
	// SaveIdPAudited is SaveIdP, the removal of every grant the rules
	// revokeRuleIDs of that IdP made, and the audit event (its detail
	// gains a line per revoked rule), in one transaction; it returns the
	// IdP as stored, how many grants went and the event as stored.
	SaveIdPAudited(ctx context.Context, idp IdP, revokeRuleIDs []string, audit Event) (IdP, int, Event, error)

	// ListEvents returns events, newest first (the audit log is the
	// EventAdminChange kind).
	ListEvents(ctx context.Context, f EventFilter) ([]Event, error)

	// ApplyLogin creates or updates the account, replaces its roles and
	// attributes, and writes a login row and an event, in one transaction.
	// Concurrent calls for one (IdPSlug, NameID) make exactly one account.
	// What changes is PlanLogin's plan of the state read in the transaction.
	ApplyLogin(ctx context.Context, p Provision) (ProvisionResult, error)
	// RecordRefusal writes a refused login row and its event in one
	// transaction.
	RecordRefusal(ctx context.Context, r Refusal) (Login, Event, error)
	// AppendEvent writes an event that belongs to no login and returns it
	// with its ID.
	AppendEvent(ctx context.Context, e Event) (Event, error)
	// RecentEvents returns up to limit events, newest first.
	RecentEvents(ctx context.Context, limit int) ([]Event, error)

	ListUsers(ctx context.Context, f UserFilter) ([]User, error)
	// GetUser returns ENOTFOUND when there is no such user.
	GetUser(ctx context.Context, id int64) (UserDetail, error)
	Stats(ctx context.Context, now time.Time) (Stats, error)
	// LoginsPerMinute counts accepted logins per minute from since to now;
	// minutes without logins are present with 0.
	LoginsPerMinute(ctx context.Context, since, now time.Time) ([]MinuteCount, error)

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
	// AssertionSeen reports, without writing, whether the replay cache
	// holds the assertion ID at now (ApplyLogin would refuse it as
	// replayed): the ACS's and the validator's replay check.
	AssertionSeen(ctx context.Context, id string, now time.Time) (bool, error)
	// PendingRequest reports, without writing, whether requestID is a
	// tracked, unexpired sign-in request of idpSlug at now, and whether a
	// response to it was already accepted (the validator).
	PendingRequest(ctx context.Context, requestID, idpSlug string, now time.Time) (found, answered bool, err error)
	// LinkCandidate returns the account of another IdP that a login with
	// email would take over when its IdP links by email (ENOTFOUND: none).
	LinkCandidate(ctx context.Context, email, idpSlug string) (User, error)
	// AppendCoalescedEvent writes e, or, when an event of its kind, IdP
	// and subject was written at or after since, counts one more on that
	// event instead (bumped).
	AppendCoalescedEvent(ctx context.Context, e Event, since time.Time) (saved Event, bumped bool, err error)

	ListPersonas(ctx context.Context) ([]Persona, error)
	// SavePersona inserts or replaces a persona by ID.
	SavePersona(ctx context.Context, p Persona) error
	DeletePersona(ctx context.Context, id string) error

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
