package ui

// Step 2 of the "Connect an identity provider" wizard: the values to
// paste into the IdP's admin console, each with a copy button, the SP
// metadata as a file, the attribute names the type's preset reads, and
// the vendor's guide.

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// wizardValues is step 2's widgets.
type wizardValues struct {
	copies  map[string]*widget.Button
	saveSP  *widget.Button
	spSaved *widget.Label
	next    *widget.Button
}

func (w *idpWizard) buildValues() fyne.CanvasObject {
	v := &w.vals
	values := newCopyRows(w.s.app)
	v.copies = values.copies
	rows, add := values.box, values.add
	add("SP metadata URL", w.ep.MetadataURL, "IdPs that read SP metadata take everything below from here.")
	add("ACS URL", w.ep.ACSURL, "Also called Reply URL or Single sign-on URL; binding HTTP-POST.")
	add("SP entity ID", w.ep.EntityID, "Also called Audience or Identifier.")
	add("NameID format", nameIDUnspecified, "unspecified: any persistent or email NameID works")
	v.saveSP = widget.NewButtonWithIcon("Save SP metadata…", theme.DocumentSaveIcon(), w.onSaveSPMetadata)
	v.spSaved = errorLabel()

	box := container.NewVBox(
		stepTitle(2, "configure "+w.draft.DisplayName+" at the IdP"),
		wrapped("Paste these into the IdP's admin console (they answer already), then come back for its metadata.", widget.MediumImportance),
		rows, container.NewHBox(v.saveSP), v.spSaved)
	if p, ok := core.PresetNamed(w.kind.Preset); ok {
		attrs := wrapped(strings.Join(p.ExpectedAttributes(), "\n"), widget.MediumImportance)
		box.Add(widget.NewCard("Attributes to release", "The mapping preset “"+p.Name+"” reads these (change it later in Mapping Rules):", attrs))
	}
	box.Add(w.guideCard())
	v.next = widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), w.showMetadata)
	v.next.Importance = widget.HighImportance
	return box
}

// guideCard is the vendor's guide: numbered steps, where its metadata
// is, and when the guide was checked against which documentation.
func (w *idpWizard) guideCard() fyne.CanvasObject {
	t := w.kind
	steps := make([]string, len(t.Guide))
	for i, s := range t.Guide {
		steps[i] = fmt.Sprintf("%d. %s", i+1, s)
	}
	box := container.NewVBox(wrapped(strings.Join(steps, "\n"), widget.MediumImportance))
	if t.MetadataHint != "" {
		box.Add(wrapped("Its metadata, for step 3: "+t.MetadataHint, widget.MediumImportance))
	}
	if line := t.CheckedLine(); line != "" {
		box.Add(wrapped(line, widget.LowImportance))
	}
	return widget.NewCard("In "+t.Name, "", box)
}

// showValues is step 2.
func (w *idpWizard) showValues() {
	body := w.buildValues()
	back := widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), w.showName)
	if w.name.box == nil {
		back.Disable() // reopened for a draft: its name is set
	}
	w.show(2, container.NewVScroll(body), back, w.cancel, w.vals.next)
}

// onSaveSPMetadata writes the SP metadata for the draft to a file.
func (w *idpWizard) onSaveSPMetadata() {
	a, slug := w.s.app, w.draft.Slug
	save := dialog.NewFileSave(func(f fyne.URIWriteCloser, err error) {
		if err != nil {
			showText(w.vals.spSaved, "Not saved: "+err.Error(), widget.DangerImportance)
			return
		}
		if f == nil {
			return // cancelled
		}
		backgroundErr(a, "save the SP metadata of "+slug, func(ctx context.Context) error {
			data, err := a.svc.SPMetadataXML(ctx, slug)
			return writeFile(f, data, err)
		}, func(err error) {
			if err != nil {
				showText(w.vals.spSaved, "Not saved: "+errorText(err), widget.DangerImportance)
				return
			}
			showText(w.vals.spSaved, "Saved to "+f.URI().Path(), widget.SuccessImportance)
		})
	}, a.win)
	save.SetFileName(slug + "-sp-metadata.xml")
	save.Resize(w.s.app.win.Canvas().Size())
	save.Show()
}
