package ui

// The health badge of an IdP in the Identity Providers list and detail,
// and the "Refresh metadata now" it offers when recent refusals look like
// a key or metadata mismatch.

import (
	"context"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// healthImportance is the colour of a health state.
func healthImportance(s core.HealthState) widget.Importance {
	switch s {
	case core.HealthRefusing, core.HealthCertExpired, core.HealthRefreshFailing:
		return widget.DangerImportance
	case core.HealthCertExpiring, core.HealthDraft:
		return widget.WarningImportance
	case core.HealthDisabled:
		return widget.LowImportance
	default:
		return widget.SuccessImportance
	}
}

// offersRefresh tells whether "Refresh metadata now" is the likely cure
// for i and possible (its metadata came from a URL).
func offersRefresh(i idpInfo) bool {
	return i.health.OfferRefresh && i.idp.MetadataURL != ""
}

// refreshMetadata fetches slug's metadata again in the background; done,
// if set, gets the result on the UI goroutine. Failures reach the list
// through the IdP's refresh error.
func (s *idps) refreshMetadata(slug string, done func(core.IdP, error)) {
	a := s.app
	background(a, "refresh the metadata of "+slug, func(ctx context.Context) (core.IdP, error) {
		return a.svc.RefreshIdP(ctx, slug)
	}, func(idp core.IdP, err error) {
		if done != nil {
			done(idp, err)
		}
		s.reload.Trigger()
	})
}

// healthAction is the detail header's one-click cure for i's health:
// "Continue setup…" for a draft, "Refresh metadata now" after refusals
// that look like a key or metadata mismatch; nil for none.
func (d *idpDetail) healthAction(i idpInfo) *widget.Button {
	switch {
	case i.idp.IsDraft():
		idp := i.idp
		b := widget.NewButtonWithIcon("Continue setup…", theme.NavigateNextIcon(), func() { d.s.openWizard(idp) })
		b.Importance = widget.HighImportance
		return b
	case offersRefresh(i):
		d.healthRefresh = widget.NewButtonWithIcon("Refresh metadata now", theme.ViewRefreshIcon(), nil)
		b := d.healthRefresh
		b.Importance = widget.HighImportance
		b.OnTapped = func() {
			b.Disable()
			d.s.refreshMetadata(i.idp.Slug, func(_ core.IdP, err error) {
				b.Enable()
				if err != nil {
					showText(d.refreshMsg, "Refresh failed; the last good metadata stays in use. "+errorText(err), widget.DangerImportance)
				}
			})
		}
		return b
	}
	return nil
}
