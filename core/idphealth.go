// The health of an IdP connection, for the badge in the Identity
// Providers list: drawn from its state, its metadata and its recent
// sign-ins.

package core

import (
	"context"
	"fmt"
	"time"
)

// HealthState is one IdP's health: one of the Health* constants.
type HealthState string

// Health states, from the most to the least pressing as IdPHealthOf
// chooses them.
const (
	HealthDraft          HealthState = "draft"
	HealthDisabled       HealthState = "disabled"
	HealthRefusing       HealthState = "refusing"
	HealthCertExpired    HealthState = "certificate_expired"
	HealthRefreshFailing HealthState = "refresh_failing"
	HealthCertExpiring   HealthState = "certificate_expiring"
	HealthOK             HealthState = "ok"
)

// HealthWindow is how many recent sign-ins the health looks at.
const HealthWindow = 10

// IdPHealth is an IdP's health badge: its state, a line for a person and
// whether "Refresh metadata now" is the likely cure.
type IdPHealth struct {
	State HealthState
	Text  string
	// Since is when the run of refusals began (HealthRefusing).
	Since time.Time
	// Refused counts the refusals in a row among the recent sign-ins.
	Refused int
	// Class is the newest refusal's class (HealthRefusing).
	Class RefusalClass
	// OfferRefresh: the refusals look like a key or metadata mismatch,
	// which fresh metadata may cure.
	OfferRefresh bool
}

// Bad tells whether the badge needs attention (warning or worse).
func (h IdPHealth) Bad() bool { return h.State != HealthOK && h.State != HealthDisabled }

// KeyMismatch tells whether a refusal of class suggests the IdP's
// signing key or metadata changed.
func KeyMismatch(class RefusalClass) bool {
	switch class {
	case ClassSignatureInvalid, ClassUnknownKey, ClassIssuer:
		return true
	}
	return false
}

// IdPHealthOf computes the health of idp from its parsed metadata (meta,
// or metaErr when it does not parse) and its recent sign-in events,
// newest first (accepted: user.created and user.updated; refused:
// login.refused), at now.
func IdPHealthOf(idp IdP, meta MetadataPreview, metaErr error, recent []Event, now time.Time) IdPHealth {
	if idp.IsDraft() {
		return IdPHealth{State: HealthDraft, Text: "Draft: waiting for its metadata"}
	}
	if !idp.Enabled {
		return IdPHealth{State: HealthDisabled, Text: "Disabled"}
	}
	var h IdPHealth
	for _, e := range recent {
		if e.Class == ClassIdPDraft || e.Class == ClassIdPDisabled {
			continue // refused for the connection's state, not the IdP's
		}
		if e.Kind != EventLoginRefused {
			break
		}
		if h.Refused == 0 {
			h.Class = e.Class
		}
		h.Refused++
		h.Since = e.At
		if KeyMismatch(e.Class) {
			h.OfferRefresh = true
		}
	}
	if h.Refused > 0 {
		h.State = HealthRefusing
		h.Text = fmt.Sprintf("Refusing since %s (last %d sign-in%s refused)",
			h.Since.Local().Format("2 Jan 15:04"), h.Refused, map[bool]string{true: "", false: "s"}[h.Refused == 1])
		return h
	}
	if metaErr != nil {
		return IdPHealth{State: HealthRefreshFailing, Text: "Metadata unusable: " + ErrorMessage(metaErr), OfferRefresh: idp.MetadataURL != ""}
	}
	var expiring *CertInfo
	for i, c := range meta.Certs {
		if c.Use == "encryption" {
			continue
		}
		if !c.NotAfter.IsZero() && !now.Before(c.NotAfter) {
			return IdPHealth{State: HealthCertExpired, Text: "Certificate expired on " + c.NotAfter.Format("2 Jan 2006"), OfferRefresh: idp.MetadataURL != ""}
		}
		if !c.NotAfter.IsZero() && c.NotAfter.Sub(now) < CertExpiryWarning && expiring == nil {
			expiring = &meta.Certs[i]
		}
	}
	if idp.RefreshError != "" {
		return IdPHealth{State: HealthRefreshFailing, Text: "Metadata refresh failing: " + idp.RefreshError, OfferRefresh: true}
	}
	if expiring != nil {
		days := int(expiring.NotAfter.Sub(now).Hours() / 24)
		return IdPHealth{State: HealthCertExpiring, Text: fmt.Sprintf("Certificate expires in %d days (%s)", days, expiring.NotAfter.Format("2 Jan 2006")),
			OfferRefresh: idp.MetadataURL != ""}
	}
	if len(recent) == 0 {
		return IdPHealth{State: HealthOK, Text: "OK: no sign-ins yet"}
	}
	return IdPHealth{State: HealthOK, Text: "OK: last sign-in " + recent[0].At.Local().Format("2 Jan 15:04")}
}

// IdPHealth computes idp's health from its stored metadata and its last
// HealthWindow sign-ins.
func (c *Console) IdPHealth(ctx context.Context, idp IdP) (IdPHealth, error) {
	recent, err := c.store.ListEvents(ctx, EventFilter{
		Kinds:   []EventKind{EventUserCreated, EventUserUpdated, EventLoginRefused},
		IdPSlug: idp.Slug, Limit: HealthWindow})
	if err != nil {
		return IdPHealth{}, fmt.Errorf("read the recent sign-ins of %q: %w", idp.Slug, err)
	}
	now := c.clock.Now()
	var (
		meta    MetadataPreview
		metaErr error
	)
	if !idp.IsDraft() {
		meta, metaErr = ParseIdPMetadata([]byte(idp.MetadataXML), idp.EntityID, now)
	}
	return IdPHealthOf(idp, meta, metaErr, recent, now), nil
}
