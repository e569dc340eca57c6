package ui

// The Mapping Rules screen's "Account key" card: what identifies a person's
// account (the NameID or an attribute), its case switch and linking by
// email.

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// buildKey is the account key card.
func (f *mappingForm) buildKey() fyne.CanvasObject {
	f.keyAttr = widget.NewEntry()
	f.keyAttr.SetPlaceHolder("a stable attribute, e.g. objectGUID or employeeNumber")
	f.keyAttr.SetText(f.m.AccountKeyAttr)
	f.keyMode = widget.NewRadioGroup([]string{keyNameID, keyAttribute}, nil)
	f.keyMode.Horizontal = true
	f.keyMode.Required = true
	if f.m.AccountKeyAttr != "" {
		f.keyMode.SetSelected(keyAttribute)
	} else {
		f.keyMode.SetSelected(keyNameID)
		f.keyAttr.Disable()
	}
	f.keyMode.OnChanged = func(choice string) {
		if choice == keyNameID {
			f.m.AccountKeyAttr = ""
			f.keyAttr.SetText("")
			f.keyAttr.Disable()
		} else {
			f.keyAttr.Enable()
		}
		f.changed()
	}
	f.keyAttr.OnChanged = func(text string) {
		f.m.AccountKeyAttr = strings.TrimSpace(text)
		f.changed()
	}
	f.caseInsensitive = widget.NewCheck("Match the key whatever its case", nil)
	f.caseInsensitive.SetChecked(!f.m.CaseSensitiveKey)
	f.caseInsensitive.OnChanged = func(on bool) {
		f.m.CaseSensitiveKey = !on
		f.changed()
	}
	f.linkByEmail = widget.NewCheck("Link to an existing account by email", nil)
	f.linkByEmail.SetChecked(f.m.LinkByEmail)
	f.linkByEmail.OnChanged = f.onLinkByEmail

	form := widget.NewForm(
		widget.NewFormItem("Account key", container.NewVBox(f.keyMode, f.keyAttr, f.errLabel("account_key_attr"))),
		widget.NewFormItem("Case", f.caseInsensitive),
		widget.NewFormItem("Linking", f.linkByEmail),
	)
	form.Items[0].HintText = "The NameID identifies the person unless the IdP sends transient NameIDs; then name a stable attribute."
	form.Items[1].HintText = "On by default: Alice@Example.com and alice@example.com are one account."
	form.Items[2].HintText = "Off by default. A first sign-in then takes over an account from another IdP with the same email."
	return section(theme.LoginIcon(), "Account key", "What identifies a person's account from one sign-in to the next.", form)
}

// onLinkByEmail asks before linking by email is switched on: it is a
// trust decision.
func (f *mappingForm) onLinkByEmail(on bool) {
	f.m.LinkByEmail = on
	f.changed()
	if !on {
		return
	}
	msg := wrapped("With this on, the first sign-in through this IdP of someone whose email matches an account "+
		"that another IdP created takes over that account, with its roles and manual grants.\n\n"+
		"This is a trust decision: anyone who controls that email address at this IdP gets that account. "+
		"Turn it on only if this IdP verifies the email addresses it sends and you trust it as much as the other IdPs.",
		widget.MediumImportance)
	f.linkConfirm = dialog.NewCustomConfirm("Link accounts by email?", "Link by email", "Keep it off", msg, func(ok bool) {
		f.linkConfirm = nil
		if !ok {
			f.linkByEmail.SetChecked(false)
		}
	}, f.win)
	f.linkConfirm.SetConfirmImportance(widget.WarningImportance)
	f.linkConfirm.Resize(fyne.NewSize(520, f.linkConfirm.MinSize().Height))
	f.linkConfirm.Show()
}
