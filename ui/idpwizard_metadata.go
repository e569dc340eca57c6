package ui

// Step 3 of the "Connect an identity provider" wizard: the IdP's metadata
// from a URL, a file or pasted XML, previewed with its checks (and a
// warning when its entity is connected under another slug); "Connect"
// gives it to the draft, which it enables.

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

// The ways to bring metadata.
const (
	fromURL   = "Metadata URL"
	fromFile  = "Metadata file"
	fromPaste = "Paste XML"
)

// wizardMetadata is step 3's widgets and what was previewed.
type wizardMetadata struct {
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
	box       fyne.CanvasObject

	in      core.MetadataInput // what was previewed
	plan    core.ImportPreview
	shown   *fyne.Container // the preview, under the source
	dupNote *widget.Label
	connect *widget.Button
}

func (w *idpWizard) buildMetadata() fyne.CanvasObject {
	m := &w.meta
	m.urlEntry = widget.NewEntry()
	m.urlEntry.SetPlaceHolder("https://idp.example.com/metadata")
	m.urlEntry.OnChanged = func(string) { w.metadataChanged() }
	m.urlEntry.OnSubmitted = func(string) { w.onPreview() }
	m.fileLabel = widget.NewLabel("No file chosen.")
	m.fileLabel.Importance = widget.LowImportance
	choose := widget.NewButtonWithIcon("Choose file…", theme.FolderOpenIcon(), w.onChooseFile)
	m.paste = widget.NewMultiLineEntry()
	m.paste.TextStyle = fyne.TextStyle{Monospace: true}
	m.paste.SetPlaceHolder(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="…">`)
	m.paste.SetMinRowsVisible(6)
	m.paste.OnChanged = func(string) { w.metadataChanged() }
	m.inputs = map[string]fyne.CanvasObject{
		fromURL: container.NewVBox(
			wrapped("The address where the IdP publishes its metadata. The console fetches it now and again every 24 hours, so certificate rollovers arrive by themselves.", widget.MediumImportance),
			m.urlEntry),
		fromFile: container.NewVBox(
			wrapped("A metadata XML file downloaded from the IdP's admin console.", widget.MediumImportance),
			container.NewBorder(nil, nil, choose, nil, m.fileLabel)),
		fromPaste: container.NewVBox(wrapped("The metadata XML, as the IdP shows it.", widget.MediumImportance), m.paste),
	}
	stack := container.NewStack()
	for _, o := range m.inputs {
		o.Hide()
		stack.Add(o)
	}
	m.source = widget.NewRadioGroup([]string{fromURL, fromFile, fromPaste}, func(choice string) {
		for name, o := range m.inputs {
			if name == choice {
				o.Show()
			} else {
				o.Hide()
			}
		}
		w.metadataChanged()
	})
	m.source.Horizontal = true
	m.source.Required = true
	m.source.SetSelected(fromURL)

	m.entity = widget.NewSelect(nil, func(id string) {
		if id != "" && !w.busy {
			w.onPreview()
		}
	})
	m.entity.PlaceHolder = "Choose an identity provider"
	m.entityBox = container.NewVBox(
		wrapped("This metadata is an aggregate of several entities. Choose the identity provider to connect:", widget.WarningImportance),
		m.entity)
	m.entityBox.Hide()
	m.preview = widget.NewButtonWithIcon("Preview", theme.SearchIcon(), w.onPreview)
	m.dupNote = wrapped("", widget.WarningImportance)
	m.dupNote.Hide()
	m.shown = container.NewVBox()
	m.connect = widget.NewButtonWithIcon("Connect", theme.ConfirmIcon(), w.onConnect)
	m.connect.Importance = widget.HighImportance
	m.connect.Disable()
	intro := wrapped("Where is "+w.draft.DisplayName+"'s metadata? Nothing changes until you have seen what it says and pressed Connect.", widget.MediumImportance)
	if hint := w.kind.MetadataHint; hint != "" {
		intro.SetText(intro.Text + " In " + w.kind.Name + ": " + hint)
	}
	return container.NewVBox(stepTitle(3, "the identity provider's metadata"), intro, m.source, stack,
		m.entityBox, container.NewHBox(m.preview), m.dupNote, m.shown)
}

// showMetadata is step 3.
func (w *idpWizard) showMetadata() {
	if w.meta.box == nil {
		w.meta.box = w.buildMetadata()
	}
	back := widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), w.showValues)
	w.show(3, container.NewVScroll(w.meta.box), back, w.cancel, w.meta.connect)
}

// metadataChanged forgets a preview and a chosen entity: they belonged to
// other metadata.
func (w *idpWizard) metadataChanged() {
	m := &w.meta
	if m.connect == nil {
		return
	}
	m.connect.Disable()
	m.shown.RemoveAll()
	m.dupNote.Hide()
	if !m.entityBox.Hidden {
		m.entityBox.Hide()
		m.entity.Options = nil
		m.entity.ClearSelected()
	}
}

// onChooseFile opens a metadata file and reads it in the background.
func (w *idpWizard) onChooseFile() {
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
	open.Resize(a.win.Canvas().Size())
	open.Show()
}

// setFile takes a read metadata file, on the UI goroutine.
func (w *idpWizard) setFile(name string, data []byte, err error) {
	m := &w.meta
	if err != nil {
		showText(w.errLabel, fmt.Sprintf("%s could not be read: %v", name, err), widget.DangerImportance)
		return
	}
	m.fileName, m.fileData = name, data
	m.fileLabel.Importance = widget.MediumImportance
	m.fileLabel.SetText(fmt.Sprintf("%s (%s)", name, byteSize(len(data))))
	w.metadataChanged()
	showText(w.errLabel, "", widget.DangerImportance)
}

// input is the metadata the step describes.
func (w *idpWizard) input() (core.MetadataInput, error) {
	m := &w.meta
	var in core.MetadataInput
	switch m.source.Selected {
	case fromURL:
		u := strings.TrimSpace(m.urlEntry.Text)
		if p, err := url.Parse(u); u == "" || err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return in, core.Errorf(core.EINVALID, "Enter the http(s) address of the IdP's metadata.")
		}
		in = core.MetadataInput{Source: core.SourceURL, Name: u}
	case fromFile:
		if m.fileData == nil {
			return in, core.Errorf(core.EINVALID, "Choose the metadata file first.")
		}
		in = core.MetadataInput{Source: core.SourceFile, Name: m.fileName, Data: m.fileData}
	default:
		if strings.TrimSpace(m.paste.Text) == "" {
			return in, core.Errorf(core.EINVALID, "Paste the metadata XML first.")
		}
		in = core.MetadataInput{Source: core.SourcePaste, Name: "pasted XML", Data: []byte(m.paste.Text)}
	}
	if !m.entityBox.Hidden {
		in.EntityID = m.entity.Selected
	}
	return in, nil
}

// request is the import that completes the draft with in.
func (w *idpWizard) request(in core.MetadataInput) core.ImportRequest {
	return core.ImportRequest{MetadataInput: in, DisplayName: w.draft.DisplayName, Slug: w.draft.Slug}
}

// onPreview validates the metadata in the background (fetching a URL).
func (w *idpWizard) onPreview() {
	in, err := w.input()
	if err != nil {
		showText(w.errLabel, errorText(err), widget.DangerImportance)
		return
	}
	w.setBusy(true, w.meta.preview)
	a := w.s.app
	req := w.request(in)
	background(a, "preview metadata "+in.Name, func(ctx context.Context) (core.ImportPreview, error) {
		return a.svc.PreviewImport(ctx, req)
	}, func(plan core.ImportPreview, err error) {
		w.setBusy(false, w.meta.preview)
		w.applyPreview(in, plan, err)
	})
}

func (w *idpWizard) applyPreview(in core.MetadataInput, plan core.ImportPreview, err error) {
	m := &w.meta
	var choose *core.ChooseEntityError
	switch {
	case errors.As(err, &choose):
		m.entity.Options = choose.EntityIDs
		m.entity.ClearSelected()
		m.entityBox.Show()
		showText(w.errLabel, "", widget.DangerImportance)
	case err != nil:
		showText(w.errLabel, errorText(err), widget.DangerImportance)
	default:
		m.in, m.plan = in, plan
		if plan.DuplicateOf != "" {
			showText(m.dupNote, fmt.Sprintf("%s is already connected as “%s”. Connecting it again makes a second set of accounts for the same people; usually you want to keep one.",
				plan.Metadata.EntityID, plan.DuplicateOf), widget.WarningImportance)
		} else {
			m.dupNote.Hide()
		}
		m.shown.Objects = []fyne.CanvasObject{widget.NewCard("What the metadata says", "", metadataView(plan.Metadata))}
		m.shown.Refresh()
		m.connect.Enable()
	}
}

// onConnect gives the draft its metadata (which enables it) in the
// background, then shows step 4.
func (w *idpWizard) onConnect() {
	m := &w.meta
	req := w.request(m.in)
	w.setBusy(true, m.connect, m.preview)
	a := w.s.app
	background(a, "connect IdP "+req.Slug, func(ctx context.Context) (core.IdP, error) {
		idp, _, err := a.svc.ImportIdP(ctx, req)
		return idp, err
	}, func(idp core.IdP, err error) {
		w.setBusy(false, m.connect, m.preview)
		if err != nil {
			showText(w.errLabel, "Not connected: "+errorText(err), widget.DangerImportance)
			return
		}
		w.draft = idp
		w.s.wantSelect = idp.Slug
		w.s.reload.Trigger()
		w.showTest()
	})
}
