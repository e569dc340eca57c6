package ui

// The Identity Providers screen's "Add identity provider…" dialog: metadata
// from a file, a URL or pasted XML, previewed before it is added.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// The ways to bring metadata, as the wizard's first step offers them.
const (
	fromURL   = "Metadata URL"
	fromFile  = "Metadata file"
	fromPaste = "Paste XML"
)

// idpImport is the "Add identity provider" wizard: choose where the
// metadata comes from, preview what it says (picking one entity of an
// aggregate), then name the connection and add it. Nothing is saved
// before "Add"; invalid metadata is explained and can be fixed and tried
// again.
type idpImport struct {
	s    *idps
	dlg  *dialog.CustomDialog
	body *fyne.Container // the current step

	// Step 1: the source.
	source    *widget.RadioGroup
	urlEntry  *widget.Entry
	fileName  string
	fileData  []byte
	fileLabel *widget.Label
	paste     *widget.Entry
	inputs    map[string]fyne.CanvasObject
	entityBox *fyne.Container
	entity    *widget.Select
	preview   *widget.Button
	sourceBox fyne.CanvasObject

	// Step 2: the preview and the name.
	in          core.MetadataInput // what was previewed
	prev        core.MetadataPreview
	name        *widget.Entry
	slug        *widget.Entry
	slugNote    *widget.Label
	slugEdited  bool
	settingSlug bool
	add         *widget.Button
	back        *widget.Button

	cancel   *widget.Button
	progress *widget.ProgressBarInfinite
	errLabel *widget.Label
	busy     bool
}

// onAdd opens the wizard.
func (s *idps) onAdd() {
	w := &idpImport{s: s}
	w.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { w.dlg.Hide() })
	w.progress = widget.NewProgressBarInfinite()
	w.progress.Hide()
	w.errLabel = errorLabel()
	w.body = container.NewStack()
	w.sourceBox = w.buildSource()
	content := container.NewBorder(nil, container.NewVBox(w.progress, w.errLabel), nil, nil, w.body)
	w.dlg = dialog.NewCustomWithoutButtons("Add identity provider", content, s.app.win)
	w.dlg.SetOnClosed(func() {
		if s.importer == w {
			s.importer = nil
		}
	})
	s.importer = w
	w.showSource()
	w.dlg.Show()
	w.fit()
}

// setButtons changes the dialog's buttons. The dialog places its content
// by the buttons' position, which a new row only gets in that layout, so
// it is laid out twice.
func (w *idpImport) setButtons(buttons ...fyne.CanvasObject) {
	w.dlg.SetButtons(buttons)
	w.dlg.Refresh()
}

func (w *idpImport) fit() {
	size := w.s.app.win.Canvas().Size()
	w.dlg.Resize(fyne.NewSize(min(820, size.Width-40), min(660, size.Height-40)))
}

func (w *idpImport) buildSource() fyne.CanvasObject {
	w.urlEntry = widget.NewEntry()
	w.urlEntry.SetPlaceHolder("https://idp.example.com/metadata")
	w.urlEntry.OnChanged = func(string) { w.inputChanged() }
	w.urlEntry.OnSubmitted = func(string) { w.onPreview() }
	w.fileLabel = widget.NewLabel("No file chosen.")
	w.fileLabel.Importance = widget.LowImportance
	choose := widget.NewButtonWithIcon("Choose file…", theme.FolderOpenIcon(), w.onChooseFile)
	w.paste = widget.NewMultiLineEntry()
	w.paste.TextStyle = fyne.TextStyle{Monospace: true}
	w.paste.SetPlaceHolder(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="…">`)
	w.paste.SetMinRowsVisible(12)
	w.paste.OnChanged = func(string) { w.inputChanged() }
	w.inputs = map[string]fyne.CanvasObject{
		fromURL: container.NewVBox(
			wrapped("The address where your IdP publishes its metadata. The console fetches it now and again every 24 hours, so certificate rollovers arrive by themselves.", widget.MediumImportance),
			w.urlEntry),
		fromFile: container.NewVBox(
			wrapped("A metadata XML file downloaded from your IdP's admin console (Okta, Entra ID, Google Workspace, ADFS, Keycloak…).", widget.MediumImportance),
			container.NewBorder(nil, nil, choose, nil, w.fileLabel)),
		fromPaste: container.NewBorder(
			wrapped("The metadata XML, as your IdP shows it.", widget.MediumImportance), nil, nil, nil, w.paste),
	}
	stack := container.NewStack()
	for _, o := range w.inputs {
		o.Hide()
		stack.Add(o)
	}
	w.source = widget.NewRadioGroup([]string{fromURL, fromFile, fromPaste}, func(choice string) {
		for name, o := range w.inputs {
			if name == choice {
				o.Show()
			} else {
				o.Hide()
			}
		}
		w.inputChanged()
	})
	w.source.Horizontal = true
	w.source.Required = true
	w.source.SetSelected(fromURL)

	w.entity = widget.NewSelect(nil, func(id string) {
		if id != "" && !w.busy {
			w.onPreview()
		}
	})
	w.entity.PlaceHolder = "Choose an identity provider"
	w.entityBox = container.NewVBox(
		wrapped("This metadata is an aggregate of several entities. Choose the identity provider to connect:", widget.WarningImportance),
		w.entity)
	w.entityBox.Hide()

	w.preview = widget.NewButtonWithIcon("Preview", theme.NavigateNextIcon(), w.onPreview)
	w.preview.Importance = widget.HighImportance
	intro := wrapped("Step 1 of 2 — where is your IdP's metadata? Nothing is saved until you have seen what it says.", widget.LowImportance)
	return container.NewBorder(container.NewVBox(intro, w.source, widget.NewSeparator()), w.entityBox, nil, nil, stack)
}

func (w *idpImport) showSource() {
	w.body.Objects = []fyne.CanvasObject{w.sourceBox}
	w.body.Refresh()
	w.setButtons(w.cancel, w.preview)
	showText(w.errLabel, "", widget.DangerImportance)
}

// inputChanged forgets a chosen entity: it belonged to other metadata.
func (w *idpImport) inputChanged() {
	if w.entity == nil || w.entityBox.Hidden {
		return
	}
	w.entityBox.Hide()
	w.entity.Options = nil
	w.entity.ClearSelected()
}

// onChooseFile opens a metadata file and reads it in the background.
func (w *idpImport) onChooseFile() {
	a := w.s.app
	open := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			showText(w.errLabel, "The file could not be opened: "+err.Error(), widget.DangerImportance)
			return
		}
		if r == nil {
			return // cancelled
		}
		name := r.URI().Name()
		background(a, "read metadata file "+name, func(context.Context) ([]byte, error) {
			defer r.Close()
			return io.ReadAll(io.LimitReader(r, core.MaxMetadataSize+1))
		}, func(data []byte, err error) { w.setFile(name, data, err) })
	}, a.win)
	open.Show()
}

// setFile takes a read metadata file, on the UI goroutine.
func (w *idpImport) setFile(name string, data []byte, err error) {
	if err != nil {
		showText(w.errLabel, fmt.Sprintf("%s could not be read: %v", name, err), widget.DangerImportance)
		return
	}
	w.fileName, w.fileData = name, data
	w.fileLabel.Importance = widget.MediumImportance
	w.fileLabel.SetText(fmt.Sprintf("%s (%s)", name, byteSize(len(data))))
	w.inputChanged()
	showText(w.errLabel, "", widget.DangerImportance)
}

// input is the metadata the first step describes.
func (w *idpImport) input() (core.MetadataInput, error) {
	var in core.MetadataInput
	switch w.source.Selected {
	case fromURL:
		u := strings.TrimSpace(w.urlEntry.Text)
		if p, err := url.Parse(u); u == "" || err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return in, core.Errorf(core.EINVALID, "Enter the http(s) address of the IdP's metadata.")
		}
		in = core.MetadataInput{Source: core.SourceURL, Name: u}
	case fromFile:
		if w.fileData == nil {
			return in, core.Errorf(core.EINVALID, "Choose the metadata file first.")
		}
		in = core.MetadataInput{Source: core.SourceFile, Name: w.fileName, Data: w.fileData}
	default:
		if strings.TrimSpace(w.paste.Text) == "" {
			return in, core.Errorf(core.EINVALID, "Paste the metadata XML first.")
		}
		in = core.MetadataInput{Source: core.SourcePaste, Name: "pasted XML", Data: []byte(w.paste.Text)}
	}
	if !w.entityBox.Hidden {
		in.EntityID = w.entity.Selected
	}
	return in, nil
}

// setBusy shows the progress bar and disables the buttons while core
// works.
func (w *idpImport) setBusy(busy bool) {
	w.busy = busy
	for _, b := range []*widget.Button{w.preview, w.add, w.back} {
		if b == nil {
			continue
		}
		if busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if busy {
		showText(w.errLabel, "", widget.DangerImportance)
		w.progress.Show()
		w.progress.Start()
	} else {
		w.progress.Stop()
		w.progress.Hide()
	}
	if !busy && w.add != nil {
		w.validateSlug()
	}
}

// onPreview validates the metadata in the background (fetching a URL).
func (w *idpImport) onPreview() {
	in, err := w.input()
	if err != nil {
		showText(w.errLabel, errorText(err), widget.DangerImportance)
		return
	}
	w.setBusy(true)
	a := w.s.app
	background(a, "preview metadata "+in.Name, func(ctx context.Context) (core.MetadataPreview, error) {
		return a.svc.PreviewMetadata(ctx, in)
	}, func(prev core.MetadataPreview, err error) {
		w.setBusy(false)
		w.applyPreview(in, prev, err)
	})
}

func (w *idpImport) applyPreview(in core.MetadataInput, prev core.MetadataPreview, err error) {
	var choose *core.ChooseEntityError
	switch {
	case errors.As(err, &choose):
		w.entity.Options = choose.EntityIDs
		w.entity.ClearSelected()
		w.entityBox.Show()
		showText(w.errLabel, "", widget.DangerImportance)
	case err != nil:
		showText(w.errLabel, errorText(err), widget.DangerImportance)
	default:
		w.in, w.prev = in, prev
		w.showPreview()
	}
}

// showPreview is step 2: everything the metadata says, and the name.
func (w *idpImport) showPreview() {
	w.name = widget.NewEntry()
	w.name.SetText(suggestName(w.prev.EntityID))
	w.slug = widget.NewEntry()
	w.slugNote = widget.NewLabel("")
	w.slugNote.Wrapping = fyne.TextWrapWord
	w.slugEdited = false
	w.name.OnChanged = func(name string) {
		if !w.slugEdited {
			w.setSlug(core.SuggestSlug(name))
		}
	}
	w.slug.OnChanged = func(string) {
		if !w.settingSlug {
			w.slugEdited = true
		}
		w.validateSlug()
	}
	w.add = widget.NewButtonWithIcon("Add", theme.ConfirmIcon(), w.onImport)
	w.add.Importance = widget.HighImportance
	w.back = widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), w.showSource)
	w.setSlug(core.SuggestSlug(w.prev.EntityID))
	w.validateSlug()

	form := widget.NewForm(
		widget.NewFormItem("Display name", w.name),
		widget.NewFormItem("Slug", container.NewVBox(w.slug, w.slugNote)),
	)
	from := w.in.Name
	if w.in.EntityID != "" {
		from += " · entity " + w.in.EntityID
	}
	intro := wrapped("Step 2 of 2 — check what the metadata says, then name the connection. Source: "+from, widget.LowImportance)
	// The name stays in view below the scrolling preview.
	step := container.NewBorder(intro, widget.NewCard("", "Name the connection", form), nil, nil,
		container.NewVScroll(widget.NewCard("What the metadata says", "", metadataView(w.prev))))
	w.body.Objects = []fyne.CanvasObject{step}
	w.body.Refresh()
	w.setButtons(w.back, w.cancel, w.add)
	showText(w.errLabel, "", widget.DangerImportance)
}

func (w *idpImport) setSlug(slug string) {
	w.settingSlug = true
	w.slug.SetText(slug)
	w.settingSlug = false
}

// validateSlug checks the slug as it is typed and says which endpoints it
// makes, or what is wrong; Add is enabled only for a usable slug.
func (w *idpImport) validateSlug() {
	slug := strings.TrimSpace(w.slug.Text)
	err := core.ValidateSlug(slug)
	if err == nil && slug == core.DemoSlug {
		err = core.Errorf(core.EINVALID, "The slug %q belongs to the built-in demo IdP; choose another.", slug)
	}
	switch _, exists := w.s.info(slug); {
	case err != nil:
		showText(w.slugNote, errorText(err), widget.DangerImportance)
	case exists:
		showText(w.slugNote, fmt.Sprintf("An IdP with the slug “%s” exists: adding replaces its metadata and keeps its settings.", slug), widget.WarningImportance)
	default:
		showText(w.slugNote, "Its ACS URL will end in /saml/"+slug+"/acs.", widget.LowImportance)
	}
	if err != nil || w.busy || strings.TrimSpace(w.name.Text) == "" {
		w.add.Disable()
	} else {
		w.add.Enable()
	}
}

// onImport adds the connection in the background.
func (w *idpImport) onImport() {
	req := core.ImportRequest{MetadataInput: w.in,
		DisplayName: strings.TrimSpace(w.name.Text), Slug: strings.TrimSpace(w.slug.Text)}
	w.setBusy(true)
	a := w.s.app
	background(a, "add IdP "+req.Slug, func(ctx context.Context) (core.IdP, error) {
		idp, _, err := a.svc.ImportIdP(ctx, req)
		return idp, err
	}, func(idp core.IdP, err error) {
		w.setBusy(false)
		if err != nil {
			showText(w.errLabel, "Not added: "+errorText(err), widget.DangerImportance)
			return
		}
		w.dlg.Hide()
		w.s.wantSelect = idp.Slug
		w.s.reload.Trigger()
	})
}

// suggestName is a display name from an entity ID: its host, or the ID.
func suggestName(entityID string) string {
	if u, err := url.Parse(entityID); err == nil && u.Hostname() != "" {
		return strings.TrimPrefix(u.Hostname(), "www.")
	}
	return entityID
}
