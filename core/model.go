// The domain types: IdPs and their mapping, accounts and their roles,
// logins, events, recordings, personas, and their enumerations.

package core

import (
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

	// MetadataSource says where the metadata came from.
	MetadataSource MetadataSource
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

	// Legacy candidate lists (the first slice of JIT Console), kept so
	// that stored mappings keep working: each names attributes matched by
	// Name or FriendlyName in order; the first one present wins. The
	// editor moves them into Fields.
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
	NoMatch NoMatchPolicy `json:"no_match,omitempty"`
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

	// Legacy form (the first slice of JIT Console), kept so that stored
	// mappings keep working: one case-insensitive "contains" condition on
	// Attribute with Value, granting Role. Normalized turns it into the
	// full form; nothing writes it any more.
	Attribute string `json:"attribute,omitempty"`
	Value     string `json:"value,omitempty"`
	Role      string `json:"role,omitempty"`
}

// Condition is "attribute operator value", matched against every value of
// a multi-valued attribute.
type Condition struct {
	Attribute       string   `json:"attribute"`
	Operator        Operator `json:"operator"`
	Value           string   `json:"value,omitempty"`
	CaseInsensitive bool     `json:"case_insensitive,omitempty"`
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
	// ProvisionedBy says how the account was created: ProvisionedByJIT
	// (a first sign-in) or ProvisionedBySCIM (pre-provisioned).
	ProvisionedBy string
}

// RoleGrant is one role a user holds and where it came from.
type RoleGrant struct {
	Role   string
	Source string // e.g. "rule 1: groups contains Admins (any case)", "default role"
	// RuleIndex is the 1-based rule that granted the role, 0 for the
	// default role or a manual grant.
	RuleIndex int
	// Kind says whether rules (or the default role) granted the role, or
	// an admin. Rule and default grants are recomputed at every login;
	// manual grants are pinned.
	Kind GrantKind
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

// GrantKind says where a role grant came from: one of the Grant*
// constants.
type GrantKind string

// Grant kinds.
const (
	GrantRule    GrantKind = "rule"
	GrantDefault GrantKind = "default"
	GrantManual  GrantKind = "manual"
)

// Pinned reports whether grants of kind k survive a login's recomputation
// (manual grants do).
func (k GrantKind) Pinned() bool { return k == GrantManual }

// UserDetail is a user with the attributes of the last assertion and the
// login history, newest first.
type UserDetail struct {
	User
	Attributes Attributes
	Logins     []Login
}

// Outcome is how a login, an event or a recording ended: one of the
// Outcome* constants (logins and recordings are accepted or refused;
// events may also be info or a warning).
type Outcome string

// Outcome values of logins and events.
const (
	OutcomeAccepted Outcome = "accepted"
	OutcomeRefused  Outcome = "refused"
	OutcomeInfo     Outcome = "info"
	OutcomeWarning  Outcome = "warning"
)

// Login is one ACS attempt, accepted or refused.
type Login struct {
	ID          int64
	At          time.Time
	IdPSlug     string
	UserID      int64 // 0 when refused
	NameID      string
	Outcome     Outcome      // OutcomeAccepted or OutcomeRefused
	Class       RefusalClass // "" when accepted
	Reason      string       // a sentence for a person
	AssertionID string
	EventID     int64
	RecordingID int64 // the flight recorder's entry, 0 if none
	// Count is how many requests the row stands for when more than one
	// (a compact refusal that repeated, see Refusal.Compact); 0 for one.
	Count int
}

// EventKind says what an event is about: one of the Event* constants.
type EventKind string

// Event kinds.
const (
	EventLoginStarted   EventKind = "login.started"
	EventUserCreated    EventKind = "user.created"
	EventUserUpdated    EventKind = "user.updated"
	EventLoginRefused   EventKind = "login.refused"
	EventKeyFallback    EventKind = "key.fallback"
	EventIdPRegistered  EventKind = "idp.registered"
	EventListener       EventKind = "listener"
	EventSimulation     EventKind = "demo.simulation"
	EventPersonaChanged EventKind = "demo.persona"
	EventIdPRefreshed   EventKind = "idp.refreshed"
	EventIdPRemoved     EventKind = "idp.removed"
	EventAdminChange    EventKind = "admin.change"
)

// Event is one entry of the live feed and the audit log. Events are written
// to the store before they reach any subscriber.
type Event struct {
	ID      int64
	At      time.Time
	Kind    EventKind
	Outcome Outcome
	IdPSlug string
	UserID  int64
	Subject string       // who it is about: a NameID or username, may be empty
	Message string       // one line for a person
	Detail  string       // optional: more text (the hint, the diff)
	Class   RefusalClass // of a refused login, "" otherwise
	// Count is how many requests the event stands for when more than one
	// (a compact refusal that repeated, see Refusal.Compact); 0 for one.
	Count int
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
	UserID     int64   // 0 when refused
	NameID     string  // when known
	Outcome    Outcome // OutcomeAccepted or OutcomeRefused
	Action     string  // "created", "updated" or "" (refused)
	Class      RefusalClass
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

// RoleInfo is an entry of the role catalogue.
type RoleInfo struct {
	Name        string
	Description string
	Holders     int // accounts holding it, any kind of grant
}

// NameIDFormat is the short name of the NameID format a persona of the
// demo IdP signs in with: one of the NameID* constants ("" picks email
// when the NameID has an @, else unspecified).
type NameIDFormat string

// NameID formats of personas.
const (
	NameIDEmail       NameIDFormat = "email"
	NameIDPersistent  NameIDFormat = "persistent"
	NameIDTransient   NameIDFormat = "transient"
	NameIDUnspecified NameIDFormat = "unspecified"
)

// Persona is a person of the demo IdP.
type Persona struct {
	ID           string       `json:"id"`                // stable key
	NameID       string       `json:"name_id,omitempty"` // empty: the email, else the username
	NameIDFormat NameIDFormat `json:"name_id_format,omitempty"`
	Username     string       `json:"username,omitempty"`
	DisplayName  string       `json:"display_name,omitempty"`
	GivenName    string       `json:"given_name,omitempty"`
	Surname      string       `json:"surname,omitempty"`
	Email        string       `json:"email,omitempty"`
	Department   string       `json:"department,omitempty"`
	Groups       []string     `json:"groups,omitempty"`
	Note         string       `json:"note,omitempty"` // why this persona is interesting
}
