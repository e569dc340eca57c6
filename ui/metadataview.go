package ui

// The view of an IdP's metadata as validated: entity ID, endpoints,
// certificates with their expiry.

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// metadataView shows everything a metadata preview holds: the wizard's
// preview step and the detail pane's metadata card.
func metadataView(p core.MetadataPreview) fyne.CanvasObject {
	box := container.NewVBox()
	for _, w := range p.Warnings {
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(outcomeIcon(core.OutcomeWarning)), nil,
			wrapped(w, widget.WarningImportance)))
	}
	validUntil, cache, signed := "none given", "none given", "no (the console trusts it because you chose it)"
	if !p.ValidUntil.IsZero() {
		validUntil = longTime(p.ValidUntil)
	}
	if p.CacheDuration > 0 {
		cache = p.CacheDuration.String()
	}
	if p.Signed {
		signed = "yes, the document carries a signature"
	}
	box.Add(formRows("IdP entity ID", p.EntityID, "validUntil", validUntil, "cacheDuration", cache,
		"Signed metadata", signed, "NameID formats", strings.Join(shortNames(p.NameIDFormats), ", ")))

	box.Add(heading("Single sign-on endpoints"))
	if len(p.SSO) == 0 {
		box.Add(lowLabel("None."))
	}
	for _, e := range p.SSO {
		b := widget.NewLabelWithStyle(lastSegment(e.Binding), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		box.Add(container.NewBorder(nil, nil, b, nil, mono(e.Location)))
	}
	box.Add(heading(plural(len(p.Certs), "certificate", "certificates")))
	if len(p.Certs) == 0 {
		box.Add(lowLabel("None."))
	}
	for _, c := range p.Certs {
		box.Add(certView(c))
	}
	return box
}

// certView is one certificate: subject, use, SHA-256 fingerprint,
// validity, with expired or expiring soon in the warning colours.
func certView(c core.CertInfo) fyne.CanvasObject {
	use := c.Use
	if use == "" {
		use = "signing and encryption"
	}
	state, imp, icon := "valid", widget.SuccessImportance, outcomeIcon(core.OutcomeAccepted)
	switch {
	case c.Expired:
		state, imp, icon = "EXPIRED on "+day(c.NotAfter), widget.DangerImportance, outcomeIcon(core.OutcomeRefused)
	case c.ExpiresSoon:
		days := int(time.Until(c.NotAfter).Hours() / 24)
		state, imp, icon = fmt.Sprintf("expires in %s, on %s", plural(days, "day", "days"), day(c.NotAfter)), widget.WarningImportance, outcomeIcon(core.OutcomeWarning)
	}
	subject := widget.NewLabelWithStyle(orDash(c.Subject), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	subject.Wrapping = fyne.TextWrapBreak
	status := widget.NewLabel(fmt.Sprintf("Valid from %s until %s — %s", day(c.NotBefore), day(c.NotAfter), state))
	status.Importance = imp
	status.Wrapping = fyne.TextWrapWord
	rows := container.New(layout.NewFormLayout(),
		fieldName("Use"), widget.NewLabel(use),
		fieldName("SHA-256"), mono(c.Fingerprint))
	return widget.NewCard("", "", container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil,
		container.NewVBox(subject, rows, status)))
}

// shortNames are the last segments of URIs.
func shortNames(uris []string) []string {
	out := make([]string, len(uris))
	for i, u := range uris {
		out[i] = lastSegment(u)
	}
	return out
}
