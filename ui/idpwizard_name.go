package ui

// Step 1 of the "Connect an identity provider" wizard: the IdP's type and
// display name, and the slug suggested from the name. "Next" makes the
// draft IdP.

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// wizardName is step 1's widgets.
type wizardName struct {
	kind        *widget.Select
	name        *widget.Entry
	nameNote    *widget.Label
	slug        *widget.Entry
	slugNote    *widget.Label
	slugEdited  bool
	settingSlug bool
	next        *widget.Button
	box         fyne.CanvasObject
}

// typeNames lists the IdP types' names, in the wizard's order.
func typeNames() []string {
	out := make([]string, len(core.IdPTypes))
	for i, t := range core.IdPTypes {
		out[i] = t.Name
	}
	return out
}

// typeNamed returns the IdP type whose name is name.
func typeNamed(name string) core.IdPType {
	for _, t := range core.IdPTypes {
		if t.Name == name {
			return t
		}
	}
	return core.IdPTypeByID(core.IdPTypeOther)
}

func (w *idpWizard) buildName() fyne.CanvasObject {
	n := &w.name
	n.kind = widget.NewSelect(typeNames(), func(string) {})
	n.kind.PlaceHolder = "Choose the IdP's product"
	n.name = widget.NewEntry()
	n.name.SetPlaceHolder("e.g. Acme Okta")
	n.nameNote = widget.NewLabel("")
	n.nameNote.Wrapping = fyne.TextWrapWord
	n.nameNote.Hide()
	n.slug = widget.NewEntry()
	n.slugNote = widget.NewLabel("")
	n.slugNote.Wrapping = fyne.TextWrapWord
	n.name.OnChanged = func(name string) {
		if strings.TrimSpace(name) != "" {
			showText(n.nameNote, "", widget.DangerImportance)
		}
		if !n.slugEdited {
			n.settingSlug = true
			n.slug.SetText(suggestedSlug(name))
			n.settingSlug = false
		}
		w.validateName()
	}
	n.slug.OnChanged = func(string) {
		if !n.settingSlug {
			n.slugEdited = true
		}
		w.validateName()
	}
	n.name.OnSubmitted = func(string) { w.onNameNext() }
	n.next = widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), w.onNameNext)
	n.next.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem("Identity provider", n.kind),
		widget.NewFormItem("Display name", container.NewVBox(n.name, n.nameNote)),
		widget.NewFormItem("Slug", container.NewVBox(n.slug, n.slugNote)),
	)
	intro := wrapped("Which identity provider are you connecting, and what should the console call it? "+
		"“Next” saves it as a draft, disabled until its metadata arrives, so that the addresses the IdP needs work from the next step on.", widget.MediumImportance)
	return container.NewVBox(stepTitle(1, "the identity provider"), intro, form)
}

// suggestedSlug is the slug suggested for a display name, "" for none.
func suggestedSlug(name string) string {
	if strings.TrimSpace(name) == "" {
		return ""
	}
	return core.SuggestSlug(name)
}

// showName is step 1.
func (w *idpWizard) showName() {
	if w.name.box == nil {
		w.name.box = w.buildName()
	}
	w.show(1, container.NewVScroll(w.name.box), w.cancel, w.name.next)
	w.validateName()
}

// validateName checks the slug as it is typed (an empty name is said at
// its field when Next is pressed) and says which endpoints it makes.
func (w *idpWizard) validateName() {
	n := &w.name
	slug := strings.TrimSpace(n.slug.Text)
	if slug == "" {
		showText(n.slugNote, "Lower-case letters, digits and dashes; it becomes part of the IdP's addresses.", widget.LowImportance)
		return
	}
	err := core.ValidateSlug(slug)
	if err == nil && slug == core.DemoSlug {
		err = core.Errorf(core.EINVALID, "The slug %q belongs to the built-in demo IdP; choose another.", slug)
	}
	if _, exists := w.s.info(slug); err == nil && exists {
		err = core.Errorf(core.EINVALID, "An identity provider is already connected as %q; choose another slug.", slug)
	}
	if err != nil {
		showText(n.slugNote, errorText(err), widget.DangerImportance)
		return
	}
	showText(n.slugNote, "Its ACS URL will end in /saml/"+slug+"/acs.", widget.LowImportance)
}

// onNameNext makes the draft IdP in the background, then shows step 2.
func (w *idpWizard) onNameNext() {
	n := &w.name
	if w.busy {
		return
	}
	name := strings.TrimSpace(n.name.Text)
	if name == "" {
		showText(n.nameNote, "Enter a display name: it names the IdP in the console's lists and events.", widget.DangerImportance)
		w.s.app.win.Canvas().Focus(n.name)
		return
	}
	if n.slugNote.Importance == widget.DangerImportance {
		return
	}
	kind := typeNamed(n.kind.Selected)
	req := core.DraftRequest{Type: kind.ID, DisplayName: name, Slug: strings.TrimSpace(n.slug.Text)}
	if w.draft.Slug != "" {
		// Back at step 1 with a draft made: it stays; the wizard goes on.
		w.showValues()
		return
	}
	w.setBusy(true, n.next)
	a := w.s.app
	background(a, "save the draft IdP "+req.Slug, func(ctx context.Context) (core.IdP, error) {
		return a.svc.CreateDraftIdP(ctx, req)
	}, func(idp core.IdP, err error) {
		w.setBusy(false, n.next)
		if err != nil {
			showText(n.slugNote, errorText(err), widget.DangerImportance)
			return
		}
		w.setDraft(idp, kind)
		n.kind.Disable()
		n.name.Disable()
		n.slug.Disable()
		showText(n.slugNote, fmt.Sprintf("Saved as a draft: its addresses answer at /saml/%s/….", idp.Slug), widget.SuccessImportance)
		w.s.reload.Trigger()
		w.showValues()
	})
}
