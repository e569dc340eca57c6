package ui

// The assertion validator's window (Activity's "Validate a response…"): a
// SAMLResponse checked against a connected IdP, a metadata file or a
// certificate, with the verdict and the decoded response.

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// The validator's ways to say which IdP to trust.
const (
	trustIdP      = "A connected IdP"
	trustMetadata = "IdP metadata file"
	trustCert     = "IdP certificate file"
)

// maxResponseFile bounds a response read from a file.
const maxResponseFile = 4 << 20

// validator is the assertion validator's window: a SAMLResponse (pasted
// or from a file), the IdP to trust (a connected one, a metadata file or a
// certificate), optional SP values and time, and "Check". The verdict
// appears in the same view as a flight recorder entry. It creates and
// changes nothing.
type validator struct {
	app *App
	win fyne.Window

	idps      []core.IdP
	endpoints map[string]core.Endpoints // by slug

	response  *widget.Entry
	trust     *widget.RadioGroup
	idpSelect *widget.Select
	metaFile  *fileChoice
	certFile  *fileChoice
	issuer    *widget.Entry
	entityID  *widget.Select // the IdP of aggregate metadata
	trustBox  map[string]fyne.CanvasObject
	audience  *widget.Entry
	acs       *widget.Entry
	requestID *widget.Entry
	at        *widget.Entry

	check    *widget.Button
	progress *widget.ProgressBarInfinite
	errLabel *widget.Label
	result   *recordView
	report   *core.CheckReport // the last verdict, nil before the first
}

// fileChoice is a file the person picked, read whole.
type fileChoice struct {
	name  string
	data  []byte
	label *widget.Label
	open  *widget.Button
	// onChosen, if set, sees each file chosen (on the UI goroutine).
	onChosen func(data []byte)
}

// openValidator shows the validator's window, making it on first use.
func (a *App) openValidator() {
	if a.validator != nil {
		a.validator.win.RequestFocus()
		return
	}
	v := &validator{app: a, endpoints: map[string]core.Endpoints{}}
	v.win = a.fyneApp.NewWindow("Validate a SAML response — " + WindowTitle)
	// No larger than the main window. The window has its size before its
	// content, and the content is laid out at that size: a word-wrapped
	// label laid out at the empty window's width is one word wide and asks
	// for a window over 1,000 px tall.
	size := fitWindow(fyne.NewSize(1240, 820), a.win)
	content := v.build()
	content.Resize(size)
	v.win.Resize(size)
	v.win.SetContent(content)
	v.win.SetOnClosed(func() {
		if a.validator == v {
			a.validator = nil
		}
	})
	a.validator = v
	v.win.Show()
	v.loadIdPs()
}

func (v *validator) build() fyne.CanvasObject {
	v.response = widget.NewMultiLineEntry()
	v.response.TextStyle = fyne.TextStyle{Monospace: true}
	v.response.Wrapping = fyne.TextWrapOff // wrapping a long base64 line takes seconds
	v.response.SetPlaceHolder("Paste the SAMLResponse:\nbase64 as the browser posted it,\nor the XML")
	v.response.SetMinRowsVisible(8)
	openResponse := widget.NewButtonWithIcon("Open file…", theme.FolderOpenIcon(), v.onOpenResponse)

	v.idpSelect = widget.NewSelect(nil, func(string) { v.prefill() })
	v.idpSelect.PlaceHolder = "Loading the connected IdPs…"
	v.metaFile = v.newFileChoice("Choose metadata…", "No metadata file chosen.")
	v.certFile = v.newFileChoice("Choose certificate…", "No certificate chosen (PEM or base64 DER).")
	v.issuer = widget.NewEntry()
	v.issuer.SetPlaceHolder("the IdP's entity ID (optional: the response's Issuer)")
	v.entityID = widget.NewSelect(nil, nil)
	v.entityID.PlaceHolder = "(metadata of one IdP)"
	v.metaFile.onChosen = v.listEntities
	v.trustBox = map[string]fyne.CanvasObject{
		trustIdP: v.idpSelect,
		trustMetadata: container.NewVBox(container.NewBorder(nil, nil, v.metaFile.open, nil, v.metaFile.label),
			container.NewBorder(nil, nil, widget.NewLabel("IdP"), nil, v.entityID)),
		trustCert: container.NewVBox(container.NewBorder(nil, nil, v.certFile.open, nil, v.certFile.label),
			container.NewBorder(nil, nil, widget.NewLabel("Issuer"), nil, v.issuer)),
	}
	stack := container.NewStack()
	for _, o := range v.trustBox {
		o.Hide()
		stack.Add(o)
	}
	v.trust = widget.NewRadioGroup([]string{trustIdP, trustMetadata, trustCert}, func(choice string) {
		for name, o := range v.trustBox {
			if name == choice {
				o.Show()
			} else {
				o.Hide()
			}
		}
	})
	v.trust.Horizontal = true
	v.trust.Required = true
	v.trust.SetSelected(trustIdP)

	v.audience = widget.NewEntry()
	v.audience.SetPlaceHolder("SP entity ID the response must be addressed to")
	v.acs = widget.NewEntry()
	v.acs.SetPlaceHolder("ACS URL (the Destination and Recipient)")
	v.requestID = widget.NewEntry()
	v.requestID.SetPlaceHolder("optional: the AuthnRequest ID the response must answer")
	v.at = widget.NewEntry()
	v.at.SetPlaceHolder("now — or RFC 3339, e.g. 2024-05-01T12:00:00Z")
	sp := widget.NewForm(
		widget.NewFormItem("Audience", v.audience),
		widget.NewFormItem("ACS URL", v.acs),
		widget.NewFormItem("InResponseTo", v.requestID),
		widget.NewFormItem("Evaluate as of", v.at),
	)
	// Hints are short: a form's hint does not wrap, and the window must
	// fit a 1024×700 screen.
	sp.Items[0].HintText = "Prefilled for the chosen IdP; edit for another app."
	sp.Items[2].HintText = "Empty: any InResponseTo, for this check only."
	sp.Items[3].HintText = "A captured response at its own time."

	v.check = widget.NewButtonWithIcon("Check", theme.ConfirmIcon(), v.onCheck)
	v.check.Importance = widget.HighImportance
	v.progress = widget.NewProgressBarInfinite()
	v.progress.Hide()
	v.errLabel = errorLabel()

	form := container.NewVBox(
		title("Validate a SAML response"),
		wrapped("The same checks as the ACS, without creating or changing any account and without touching the replay cache.", widget.LowImportance),
		widget.NewCard("", "Response", container.NewBorder(nil, container.NewHBox(openResponse), nil, nil, v.response)),
		widget.NewCard("", "Trust", container.NewVBox(v.trust, stack)),
		widget.NewCard("", "Service provider and time", sp),
		container.NewBorder(nil, nil, nil, v.check, v.progress),
		v.errLabel,
	)
	v.result = newRecordView(v.app, true)
	v.result.message("Paste a response, choose whom to trust, and press Check.", widget.LowImportance, theme.ConfirmIcon())
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(form)), container.NewPadded(v.result.content))
	split.Offset = 0.42
	return split
}

func (v *validator) newFileChoice(button, none string) *fileChoice {
	f := &fileChoice{label: widget.NewLabel(none)}
	f.label.Importance = widget.LowImportance
	f.label.Truncation = fyne.TextTruncateEllipsis
	f.open = widget.NewButtonWithIcon(button, theme.FolderOpenIcon(), func() {
		v.openFile(func(name string, data []byte) {
			f.name, f.data = name, data
			f.label.Importance = widget.MediumImportance
			f.label.SetText(fmt.Sprintf("%s (%s)", name, byteSize(len(data))))
			if f.onChosen != nil {
				f.onChosen(data)
			}
		})
	})
	return f
}

// openFile lets the person pick a file, reads it in the background and
// hands its content to use on the UI goroutine.
func (v *validator) openFile(use func(name string, data []byte)) {
	b := v.app.bridge
	open := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			showText(v.errLabel, "The file could not be opened: "+err.Error(), widget.DangerImportance)
			return
		}
		if r == nil {
			return
		}
		name := r.URI().Name()
		b.run(func() {
			defer r.Close()
			data, err := io.ReadAll(io.LimitReader(r, maxResponseFile+1))
			if err == nil && len(data) > maxResponseFile {
				err = fmt.Errorf("it is larger than %s", byteSize(maxResponseFile))
			}
			b.ui(func() {
				if err != nil {
					showText(v.errLabel, fmt.Sprintf("%s could not be read: %v", name, err), widget.DangerImportance)
					return
				}
				showText(v.errLabel, "", widget.DangerImportance)
				use(name, data)
			})
		})
	}, v.win)
	open.Show()
}

func (v *validator) onOpenResponse() {
	v.openFile(func(_ string, data []byte) { v.response.SetText(string(data)) })
}

// loadIdPs reads the connected IdPs and their endpoints in the background.
func (v *validator) loadIdPs() {
	a := v.app
	eps := map[string]core.Endpoints{}
	background(a, "read the connected IdPs", func(ctx context.Context) ([]core.IdP, error) {
		idps, err := a.svc.IdPs(ctx)
		for _, idp := range idps {
			eps[idp.Slug] = a.svc.Endpoints(idp.Slug)
		}
		return idps, err
	}, func(idps []core.IdP, err error) {
		if err != nil {
			showText(v.errLabel, "The connected IdPs could not be read: "+errorText(err), widget.DangerImportance)
			return
		}
		v.idps, v.endpoints = idps, eps
		opts := make([]string, len(idps))
		for i, idp := range idps {
			opts[i] = idpOption(idp)
		}
		v.idpSelect.PlaceHolder = "Choose an IdP"
		v.idpSelect.SetOptions(opts)
		if len(opts) > 0 && v.idpSelect.Selected == "" {
			v.idpSelect.SetSelected(opts[0])
		}
	})
}

func idpOption(idp core.IdP) string { return fmt.Sprintf("%s (%s)", idp.DisplayName, idp.Slug) }

// chosenIdP is the connected IdP the select shows.
func (v *validator) chosenIdP() (core.IdP, bool) {
	i := slices.IndexFunc(v.idps, func(idp core.IdP) bool { return idpOption(idp) == v.idpSelect.Selected })
	if i < 0 {
		return core.IdP{}, false
	}
	return v.idps[i], true
}

// prefill puts the console's own SP values for the chosen IdP in the
// audience and ACS fields.
func (v *validator) prefill() {
	idp, ok := v.chosenIdP()
	if !ok {
		return
	}
	ep := v.endpoints[idp.Slug]
	v.audience.SetText(ep.EntityID)
	v.acs.SetText(ep.ACSURL)
}

// checkRequest is everything a check needs, collected on the UI goroutine.
type checkRequest struct {
	slug     string // check with the connected IdP and its own SP values
	opts     core.CheckOptions
	certData []byte
}

// request collects the form into a check; err says what is missing.
func (v *validator) request() (checkRequest, error) {
	var req checkRequest
	text := strings.TrimSpace(v.response.Text)
	if text == "" {
		return req, core.Errorf(core.EINVALID, "Paste a SAMLResponse or open a file first.")
	}
	req.opts = core.CheckOptions{Response: []byte(text),
		Audience:  strings.TrimSpace(v.audience.Text),
		ACS:       strings.TrimSpace(v.acs.Text),
		RequestID: strings.TrimSpace(v.requestID.Text)}
	if s := strings.TrimSpace(v.at.Text); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return req, core.Errorf(core.EINVALID, "%q is not an RFC 3339 time like 2024-05-01T12:00:00Z.", s)
		}
		req.opts.At = t
	}
	switch v.trust.Selected {
	case trustIdP:
		idp, ok := v.chosenIdP()
		if !ok {
			return req, core.Errorf(core.EINVALID, "Choose the connected IdP that sent the response.")
		}
		req.slug = idp.Slug
	case trustMetadata:
		if v.metaFile.data == nil {
			return req, core.Errorf(core.EINVALID, "Choose the IdP's metadata file.")
		}
		req.opts.IdPMetadata = v.metaFile.data
		req.opts.EntityID = v.entityID.Selected
		if len(v.entityID.Options) > 1 && req.opts.EntityID == "" {
			return req, core.Errorf(core.EINVALID, "The metadata describes %d IdPs: choose the one that sent the response.", len(v.entityID.Options))
		}
	case trustCert:
		if v.certFile.data == nil {
			return req, core.Errorf(core.EINVALID, "Choose the IdP's certificate file.")
		}
		req.certData = v.certFile.data
		req.opts.Issuer = strings.TrimSpace(v.issuer.Text)
	}
	return req, nil
}

// onCheck runs the check in the background.
func (v *validator) onCheck() {
	req, err := v.request()
	if err != nil {
		showText(v.errLabel, errorText(err), widget.DangerImportance)
		return
	}
	v.check.Disable()
	v.progress.Show()
	v.progress.Start()
	showText(v.errLabel, "", widget.DangerImportance)
	a := v.app
	var view core.RecordingView
	background(a, "check a response", func(ctx context.Context) (rep core.CheckReport, err error) {
		rep, view, err = runCheck(ctx, a.svc, req)
		return rep, err
	}, func(rep core.CheckReport, err error) {
		v.check.Enable()
		v.progress.Stop()
		v.progress.Hide()
		if err != nil {
			showText(v.errLabel, errorText(err), widget.DangerImportance)
			return
		}
		v.report = &rep
		v.result.show(view)
	})
}

// runCheck validates req and decodes the response for the recorder view.
// It runs in a background goroutine.
func runCheck(ctx context.Context, svc Service, req checkRequest) (core.CheckReport, core.RecordingView, error) {
	raw, err := core.DecodeResponse(req.opts.Response)
	if err != nil {
		return core.CheckReport{}, core.RecordingView{}, err
	}
	var rep core.CheckReport
	switch {
	case req.slug != "":
		rep, err = svc.CheckAgainstIdP(ctx, req.slug, req.opts)
	case req.certData != nil:
		req.opts.IdPCert, err = core.ParseCertificatePEM(req.certData)
		if err == nil {
			rep, err = core.CheckResponse(req.opts)
		}
	default:
		rep, err = core.CheckResponse(req.opts)
	}
	if err != nil {
		return rep, core.RecordingView{}, err
	}
	rec := core.Recording{At: rep.EvaluatedAt, IdPSlug: req.slug, NameID: rep.NameID, Outcome: core.OutcomeAccepted,
		Class: rep.Class, Reason: rep.Reason, Hint: rep.Hint, Detail: rep.Detail, Raw: raw, RawSize: len(raw)}
	if !rep.Valid {
		rec.Outcome = core.OutcomeRefused
	}
	for _, alg := range rep.Algorithms {
		rec.Weak = rec.Weak || strings.HasSuffix(alg, "sha1")
	}
	view := core.DecodeRecording(rec)
	core.MarkTrust(&view, trustedFingerprints(ctx, svc, req, rep.EvaluatedAt))
	return rep, view, nil
}

// trustedFingerprints are the signing certificates req trusts, for the
// view to tell a listed key from one the IdP's metadata does not list.
func trustedFingerprints(ctx context.Context, svc Service, req checkRequest, at time.Time) []string {
	switch {
	case req.slug != "":
		idps, err := svc.IdPs(ctx)
		if err != nil {
			return nil
		}
		for _, idp := range idps {
			if idp.Slug == req.slug {
				return core.SigningFingerprints([]byte(idp.MetadataXML), "", at)
			}
		}
	case req.opts.IdPCert != nil:
		return []string{core.CertFingerprint(req.opts.IdPCert)}
	case req.opts.IdPMetadata != nil:
		return core.SigningFingerprints(req.opts.IdPMetadata, req.opts.EntityID, at)
	}
	return nil
}

// listEntities offers the IdP entities of the chosen metadata: an
// aggregate's IdP is chosen here, never by the response's own Issuer.
func (v *validator) listEntities(data []byte) {
	ids, err := core.IdPEntityIDs(data)
	if err != nil || len(ids) < 2 {
		ids = nil
	}
	v.entityID.Options = ids
	v.entityID.ClearSelected()
	if len(ids) > 1 {
		v.entityID.PlaceHolder = fmt.Sprintf("Choose one of the %d IdPs in this metadata", len(ids))
	} else {
		v.entityID.PlaceHolder = "(metadata of one IdP)"
	}
	v.entityID.Refresh()
}
