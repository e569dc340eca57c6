package core_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

func TestIdPHealthOf(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ok := core.IdP{Slug: "acme", Enabled: true, MetadataXML: "<md/>", MetadataURL: "https://idp.example/md"}
	cert := func(left time.Duration) core.MetadataPreview {
		return core.MetadataPreview{Certs: []core.CertInfo{{Use: "signing", NotAfter: now.Add(left)}}}
	}
	accepted := core.Event{Kind: core.EventUserUpdated, At: now.Add(-time.Hour)}
	refused := func(class core.RefusalClass, ago time.Duration) core.Event {
		return core.Event{Kind: core.EventLoginRefused, Class: class, At: now.Add(-ago)}
	}
	for _, tt := range []struct {
		name         string
		idp          core.IdP
		meta         core.MetadataPreview
		metaErr      error
		recent       []core.Event
		state        core.HealthState
		text         string
		refused      int
		offerRefresh bool
	}{
		{"draft", core.IdP{Slug: "d"}, core.MetadataPreview{}, nil, nil, core.HealthDraft, "waiting for its metadata", 0, false},
		{"disabled", core.IdP{Slug: "x", MetadataXML: "<md/>"}, cert(time.Hour), nil, nil, core.HealthDisabled, "Disabled", 0, false},
		{"ok", ok, cert(365 * 24 * time.Hour), nil, []core.Event{accepted}, core.HealthOK, "last sign-in", 0, false},
		{"ok without sign-ins", ok, cert(365 * 24 * time.Hour), nil, nil, core.HealthOK, "no sign-ins yet", 0, false},
		{"refusing, key mismatch", ok, cert(365 * 24 * time.Hour), nil,
			[]core.Event{refused(core.ClassUnknownKey, time.Minute), refused(core.ClassSignatureInvalid, 2*time.Minute), accepted},
			core.HealthRefusing, "last 2 sign-ins refused", 2, true},
		{"refusing, audience", ok, cert(365 * 24 * time.Hour), nil,
			[]core.Event{refused(core.ClassAudience, time.Minute)}, core.HealthRefusing, "last 1 sign-in refused", 1, false},
		{"refusals while a draft do not count", ok, cert(365 * 24 * time.Hour), nil,
			[]core.Event{refused(core.ClassMalformed, time.Minute), refused(core.ClassIdPDraft, 2*time.Minute), refused(core.ClassIdPDisabled, 3*time.Minute), accepted},
			core.HealthRefusing, "last 1 sign-in refused", 1, false},
		{"accepted after a refusal", ok, cert(365 * 24 * time.Hour), nil,
			[]core.Event{accepted, refused(core.ClassUnknownKey, 2*time.Hour)}, core.HealthOK, "last sign-in", 0, false},
		{"certificate expiring", ok, cert(10 * 24 * time.Hour), nil, []core.Event{accepted}, core.HealthCertExpiring, "expires in 10 days", 0, true},
		{"certificate expired", ok, cert(-time.Hour), nil, []core.Event{accepted}, core.HealthCertExpired, "expired on", 0, true},
		{"refresh failing", func() core.IdP { i := ok; i.RefreshError = "HTTP 500"; return i }(), cert(365 * 24 * time.Hour), nil,
			[]core.Event{accepted}, core.HealthRefreshFailing, "refresh failing: HTTP 500", 0, true},
		{"metadata unusable", ok, core.MetadataPreview{}, errors.New("bad"), nil, core.HealthRefreshFailing, "unusable", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := core.IdPHealthOf(tt.idp, tt.meta, tt.metaErr, tt.recent, now)
			if h.State != tt.state || !strings.Contains(h.Text, tt.text) || h.Refused != tt.refused || h.OfferRefresh != tt.offerRefresh {
				t.Errorf("health %+v; want state %q, text with %q, %d refused, offer refresh %v", h, tt.state, tt.text, tt.refused, tt.offerRefresh)
			}
		})
	}
}
