// What the SCIM service provider needs of the store: the per-IdP bearer
// token (its hash only) and the SCIM side of accounts.

package core

import (
	"context"
	"time"
)

// SCIMStore keeps the SCIM tokens and the SCIM resources of accounts. A
// SCIM user is an account (the same row JIT sign-ins create and update)
// plus its SCIM record: the resource as the IdP last sent it, its SCIM ID
// and the keys filters look up.
type SCIMStore interface {
	// SetSCIMTokenHash stores the hash of an IdP's new SCIM token in place
	// of any old one, with the audit event, in one transaction.
	SetSCIMTokenHash(ctx context.Context, idpSlug string, hash []byte, audit Event) (Event, error)
	// SCIMTokenHash returns the hash of the IdP's SCIM token; ENOTFOUND
	// when none was made.
	SCIMTokenHash(ctx context.Context, idpSlug string) ([]byte, error)
	// CreateSCIMUser stores r: a new account, or the IdP's existing
	// account with r.Account.NameID when it has no live SCIM record yet
	// (a person who signed in before being provisioned), with the event,
	// in one transaction. ECONFLICT when a live SCIM user of the IdP has
	// the same userName, or the account already has one.
	CreateSCIMUser(ctx context.Context, r SCIMRecord, audit Event) (SCIMRecord, Event, error)
	// SCIMUser returns the live (not deprovisioned) SCIM user of the IdP
	// with scimID; ENOTFOUND when there is none.
	SCIMUser(ctx context.Context, idpSlug, scimID string) (SCIMRecord, error)
	// ListSCIMUsers returns the live SCIM users of the IdP that q selects,
	// in creation order, q's page of them, and how many q selects in all.
	ListSCIMUsers(ctx context.Context, idpSlug string, q SCIMQuery) ([]SCIMRecord, int, error)
	// UpdateSCIMUser writes r (found by IdP and SCIM ID) and its account's
	// fields and disabled flag, with the event, in one transaction.
	// CreateSCIMUser and UpdateSCIMUser replace the account's rule and
	// default grants with r.Grants when r.ReplaceGrants (manual grants
	// stay) and add the roles added and removed to the event.
	// ENOTFOUND when it is gone, ECONFLICT when its new userName is
	// another live SCIM user's. A deprovisioned r is no longer live.
	UpdateSCIMUser(ctx context.Context, r SCIMRecord, audit Event) (SCIMRecord, Event, error)
}

// SCIMRecord is a SCIM user: the resource and the account it provisions.
type SCIMRecord struct {
	IdPSlug    string
	ID         string // the SCIM id the IdP addresses it by
	ExternalID string
	UserName   string
	Email      string // the primary (or first) email, for filters
	// Active is what SCIM last said; the account may still be disabled
	// by an admin while SCIM says active.
	Active bool
	// Deprovisioned accounts were deleted through SCIM and kept, disabled.
	Deprovisioned bool
	// Resource is the user as JSON, without id and meta.
	Resource []byte
	// Account is the account's ID and the fields SCIM sets: NameID (the
	// SAML account key), Username, Email, DisplayName, GivenName,
	// FamilyName and Disabled.
	Account User
	// ReplaceGrants is true when Grants replace the account's rule and
	// default grants (its manual grants stay): a create or update the
	// IdP's mapping evaluated. A deprovisioning leaves grants alone.
	ReplaceGrants bool
	// Grants are the rule and default grants the IdP's mapping gives the
	// account, with their provenance (rule, IdP, time; no login).
	Grants []RoleGrant
	// CreatedBySCIM is false when SCIM took over an account a JIT
	// sign-in had created.
	CreatedBySCIM bool
	Created       time.Time
	Updated       time.Time
}

// SCIMQuery selects SCIM users: each non-empty field must equal (case
// aside) the user's; Offset and Count page the result (Count 0: none, a
// negative Count: all).
type SCIMQuery struct {
	UserName   string
	ExternalID string
	Email      string
	Offset     int
	Count      int
}

// Account provenance: how an account was created.
const (
	ProvisionedByJIT  = "jit"
	ProvisionedBySCIM = "scim"
)
