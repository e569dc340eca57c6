package ui

// The decoded view of one recorded sign-in (Activity and the validator):
// verdict, signatures, conditions on a time ruler, attributes, the pretty-
// printed XML.

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// recordView shows one flight recorder entry: the verdict on top, then
// tabs with the overview (what the provisioner did, identity, signatures,
// the time ruler, the library's detail), the attribute table and the
// pretty-printed XML. The Activity screen and the validator share it.
type recordView struct {
	app       *App
	checkOnly bool // the validator's: nothing was provisioned
	content   *fyne.Container

	verdictBox *fyne.Container
	verdict    *widget.Label // "Accepted" or "Refused — class"
	reason     *widget.Label
	hint       *widget.Label
	weak       fyne.CanvasObject

	tabs     *container.AppTabs
	overview *fyne.Container
	attrTab  *container.TabItem
	attrs    *fyne.Container
	xml      *widget.TextGrid
	xmlNote  *widget.Label
	xmlText  string
	xmlShown bool // the grid holds xmlText
	xmlTab   *container.TabItem
	copyXML  *widget.Button
	detail   *widget.Accordion // the library's error text, collapsed
	detailTx *widget.Label
}

func newRecordView(a *App, checkOnly bool) *recordView {
	v := &recordView{app: a, checkOnly: checkOnly}
	v.verdict = title("")
	v.reason = wrapped("", widget.MediumImportance)
	v.hint = wrapped("", widget.MediumImportance)
	v.verdictBox = container.NewVBox()
	v.overview = container.NewVBox()
	v.attrs = container.NewVBox()
	v.xml = widget.NewTextGrid()
	v.xml.Scroll = fyne.ScrollBoth
	v.xmlNote = widget.NewLabel("")
	v.xmlNote.Importance = widget.LowImportance
	v.copyXML = widget.NewButtonWithIcon("Copy XML", theme.ContentCopyIcon(), func() {
		a.fyneApp.Clipboard().SetContent(v.xmlText)
	})
	v.detailTx = mono("")
	v.detail = widget.NewAccordion(widget.NewAccordionItem("The verification library's own words", v.detailTx))

	v.attrTab = container.NewTabItemWithIcon("Attributes", theme.ListIcon(), container.NewVScroll(container.NewPadded(v.attrs)))
	v.xmlTab = container.NewTabItemWithIcon("XML", theme.FileTextIcon(), container.NewBorder(
		container.NewBorder(nil, nil, nil, v.copyXML, v.xmlNote), nil, nil, nil, v.xml))
	v.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Overview", theme.InfoIcon(), container.NewVScroll(container.NewPadded(v.overview))),
		v.attrTab,
		v.xmlTab,
	)
	v.tabs.OnSelected = func(t *container.TabItem) {
		if t == v.xmlTab {
			v.showXML()
		}
	}
	v.content = container.NewBorder(v.verdictBox, nil, nil, nil, v.tabs)
	return v
}

// message replaces the view with a sentence (none selected, loading, an
// error).
func (v *recordView) message(text string, imp widget.Importance, icon fyne.Resource) {
	l := wrapped(text, imp)
	l.Alignment = fyne.TextAlignCenter
	v.verdictBox.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewIcon(icon)), l}
	v.tabs.Hide()
	v.content.Refresh() // the verdict's height changed
}

// show fills the view with r.
func (v *recordView) show(r core.RecordingView) {
	v.showVerdict(r)
	v.showOverview(r)
	v.showAttributes(r.Attributes)
	v.xmlText = r.PrettyXML
	note := fmt.Sprintf("%s as received", byteSize(r.RawSize))
	if r.RawSize == 0 {
		note = byteSize(len(r.Raw))
	}
	if r.RawTruncated {
		note += fmt.Sprintf("; only the first %s were kept", byteSize(core.MaxRecordedResponse))
	}
	if len(r.Raw) == 0 {
		note = "Nothing was received."
	}
	v.xmlNote.SetText(note)
	v.tabs.Show()
	v.content.Refresh() // the verdict's height changed
	v.xmlShown = false
	if v.tabs.Selected() == v.xmlTab {
		v.showXML()
	}
}

// showXML puts the XML in the grid. It runs when the XML tab is shown: a
// TextGrid given its text while hidden may draw nothing.
func (v *recordView) showXML() {
	if v.xmlShown {
		return
	}
	v.xmlShown = true
	v.xml.SetText(foldLines(v.xmlText, xmlColumns))
	v.xml.ScrollToTop()
}

func (v *recordView) showVerdict(r core.RecordingView) {
	refused := r.Outcome == core.OutcomeRefused
	switch {
	case refused:
		v.verdict.SetText("Refused — " + orDash(r.Class))
		v.verdict.Importance = widget.DangerImportance
	case v.checkOnly:
		v.verdict.SetText("Valid — the console would accept this response")
		v.verdict.Importance = widget.SuccessImportance
	default:
		v.verdict.SetText("Accepted")
		v.verdict.Importance = widget.SuccessImportance
	}
	v.verdict.Refresh()
	showText(v.reason, r.Reason, widget.MediumImportance)
	if refused {
		v.reason.Importance = widget.DangerImportance
		v.reason.Refresh()
	}
	hint := ""
	if refused {
		hint = r.Hint // an accepted response needs none
	}
	showText(v.hint, hint, widget.MediumImportance)
	v.hint.TextStyle = fyne.TextStyle{Italic: true}

	var facts []string
	if v.checkOnly {
		facts = append(facts, "Evaluated as of "+longTime(r.At))
	} else {
		facts = append(facts, "Received "+longTime(r.At))
	}
	if r.IdPSlug != "" {
		facts = append(facts, "IdP “"+r.IdPSlug+"”")
	}
	if r.RemoteAddr != "" {
		facts = append(facts, "from "+r.RemoteAddr)
	}
	if r.EventID != 0 {
		facts = append(facts, "event #"+strconv.FormatInt(r.EventID, 10))
	}
	meta := widget.NewLabel(strings.Join(facts, " · "))
	meta.Importance = widget.LowImportance
	meta.Wrapping = fyne.TextWrapWord

	parts := []fyne.CanvasObject{
		container.NewBorder(nil, nil, widget.NewIcon(outcomeIcon(r.Outcome)), nil, v.verdict),
		v.reason, v.hint,
	}
	v.weak = nil
	if r.Weak {
		text := "Weak algorithm: signed with SHA-1, which this IdP's settings accept. Ask the IdP's admin to sign with SHA-256."
		if v.checkOnly {
			text = "Weak algorithm: signed with SHA-1. The console accepts it only from IdPs whose settings allow SHA-1."
		}
		v.weak = container.NewBorder(nil, nil, widget.NewIcon(outcomeIcon(core.OutcomeWarning)), nil,
			wrapped(text, widget.WarningImportance))
		parts = append(parts, v.weak)
	}
	parts = append(parts, meta, widget.NewSeparator())
	v.verdictBox.Objects = parts
}

func (v *recordView) showOverview(r core.RecordingView) {
	v.overview.Objects = []fyne.CanvasObject{
		widget.NewCard("", "What the provisioner did", v.provisioned(r)),
		widget.NewCard("", "Identity", formRows(
			"Issuer", r.Issuer,
			"NameID", r.NameID,
			"NameID format", r.NameIDFormat,
		)),
		widget.NewCard("", "Signatures and encryption", signaturesView(r)),
		widget.NewCard("", "Time ruler", timeRuler(r, v.checkOnly)),
	}
	if r.Detail != "" {
		v.detailTx.SetText(r.Detail)
		v.detail.CloseAll()
		v.overview.Add(v.detail)
	}
	v.overview.Refresh()
}

// provisioned says what happened to the account.
func (v *recordView) provisioned(r core.RecordingView) fyne.CanvasObject {
	var text string
	imp := widget.MediumImportance
	icon := theme.InfoIcon()
	switch {
	case v.checkOnly:
		text = "Nothing: the validator never creates or changes an account."
	case r.Action == "created":
		text, imp, icon = fmt.Sprintf("Created account #%d for %s.", r.UserID, orDash(r.NameID)), widget.SuccessImportance, theme.ContentAddIcon()
	case r.Action == "updated":
		text, imp, icon = fmt.Sprintf("Updated account #%d (%s) and recomputed its roles.", r.UserID, orDash(r.NameID)), widget.SuccessImportance, theme.AccountIcon()
	case r.Outcome == core.OutcomeRefused:
		text, imp, icon = "Nothing: the response was refused, so no account was created or changed.", widget.DangerImportance, theme.CancelIcon()
	default:
		text = "Nothing was recorded about the account."
	}
	return container.NewBorder(nil, nil, widget.NewIcon(icon), nil, wrapped(text, imp))
}

// signaturesView lists each signature: which element, the algorithms, the
// certificate in KeyInfo, SHA-1 flagged; then whether it was encrypted.
func signaturesView(r core.RecordingView) fyne.CanvasObject {
	box := container.NewVBox()
	if len(r.Signatures) == 0 {
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(outcomeIcon(core.OutcomeRefused)), nil,
			wrapped("No signature on the Response or the Assertion.", widget.DangerImportance)))
	}
	for _, s := range r.Signatures {
		imp, icon, what := widget.SuccessImportance, outcomeIcon(core.OutcomeAccepted), s.Element+" signed"
		switch {
		case s.Trust == core.TrustUnlisted:
			imp, icon, what = widget.DangerImportance, outcomeIcon(core.OutcomeRefused),
				s.Element+" signed by a key this IdP's metadata does not list"
		case s.Weak:
			imp, icon, what = widget.WarningImportance, outcomeIcon(core.OutcomeWarning), s.Element+" signed with a weak (SHA-1) algorithm"
		}
		head := widget.NewLabelWithStyle(what, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		head.Importance = imp
		fp := s.CertFingerprint
		if fp == "" {
			fp = "no certificate in KeyInfo"
		}
		rows := []string{"Signature", lastSegment(s.SignatureMethod),
			"Digest", strings.Join(shortNames(s.DigestMethods), ", "),
			"Certificate SHA-256", fp}
		if s.Trust == core.TrustUnlisted {
			rows = append(rows, "Metadata lists", strings.Join(r.TrustedFingerprints, "\n"))
		}
		box.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, container.NewVBox(head,
			formRows(rows...))))
	}
	var enc string
	switch {
	case r.Encrypted:
		enc = "Yes: the assertion was encrypted to the SP's key."
	case r.Transport == "https":
		enc = "No: the assertion was sent in clear, inside TLS."
	case r.Transport == "http":
		enc = "No: the assertion was sent in clear over plain HTTP (the base URL is http://), readable by anyone on the way."
	default:
		enc = "No: the assertion is in clear."
	}
	box.Add(formRows("Encrypted", enc))
	return box
}

// timeRuler lists the response's times in order, each against the
// moment it was received (or evaluated), with that moment itself in its
// place. A validity end already passed and a start still ahead are
// coloured.
func timeRuler(r core.RecordingView, checkOnly bool) fyne.CanvasObject {
	if len(r.Times) == 0 {
		return lowLabel("The response carries no times.")
	}
	now := "received (our clock)"
	if checkOnly {
		now = "evaluated at"
	}
	grid := container.New(layout.NewFormLayout())
	row := func(name *widget.Label, at time.Time, offset string, imp widget.Importance, where, note string) {
		off := widget.NewLabelWithStyle(offset, fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
		off.Importance = imp
		w := widget.NewLabel(strings.TrimSpace(where + "  " + note))
		w.Importance = widget.LowImportance
		if note != "" {
			w.Importance = imp
		}
		// Where the time comes from goes on a line of its own under the
		// time, wrapped: beside it, it was cut on a narrow window.
		w.Wrapping = fyne.TextWrapWord
		t := widget.NewLabelWithStyle(longUTC(at), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		grid.Add(name)
		when := container.NewHBox(t, container.NewGridWrap(fyne.NewSize(90, off.MinSize().Height), off))
		if w.Text == "" {
			grid.Add(when)
			return
		}
		grid.Add(container.NewVBox(when, w))
	}
	nowShown := false
	addNow := func() {
		l := widget.NewLabelWithStyle(now, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		l.Importance = widget.HighImportance
		row(l, r.At, "±0s", widget.HighImportance, "", "")
		nowShown = true
	}
	for _, m := range r.Times {
		if !nowShown && m.Offset > 0 {
			addNow()
		}
		imp, note := widget.MediumImportance, ""
		switch {
		case strings.HasSuffix(m.Name, "NotOnOrAfter") && m.Offset <= 0:
			imp, note = widget.DangerImportance, "— already passed"
		case m.Name == "NotBefore" && m.Offset > 0:
			imp, note = widget.WarningImportance, "— still ahead"
		}
		row(fieldName(m.Name), m.At, signedDuration(m.Offset), imp, m.Where, note)
	}
	if !nowShown {
		addNow()
	}
	note := lowLabel("Offsets are from the moment the response was received; the allowed clock skew (Settings) applies to NotBefore and NotOnOrAfter.")
	if checkOnly {
		note = lowLabel("Offsets are from the evaluation time; the allowed clock skew (Settings) applies to NotBefore and NotOnOrAfter.")
	}
	return container.NewVBox(grid, note)
}

// longUTC is a timestamp in UTC with seconds, as SAML writes them.
func longUTC(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// showAttributes fills the attribute table: Name, FriendlyName,
// NameFormat and every value.
func (v *recordView) showAttributes(rows []core.AttributeRow) {
	v.attrTab.Text = fmt.Sprintf("Attributes (%d)", len(rows))
	v.attrs.RemoveAll()
	if len(rows) == 0 {
		v.attrs.Add(lowLabel("The assertion carries no attributes (or could not be read)."))
		return
	}
	head := container.New(attrColumns)
	for _, h := range []string{"Name", "FriendlyName", "NameFormat", "Values"} {
		head.Add(heading(h))
	}
	v.attrs.Add(head)
	v.attrs.Add(widget.NewSeparator())
	for _, a := range rows {
		name := widget.NewLabel(a.Name)
		name.Wrapping = fyne.TextWrapBreak
		name.Selectable = true
		friendly := widget.NewLabel(orDash(a.FriendlyName))
		friendly.Wrapping = fyne.TextWrapBreak
		format := widget.NewLabel(orDash(lastSegment(a.NameFormat)))
		format.Importance = widget.LowImportance
		values := widget.NewLabel(strings.Join(a.Values, "\n"))
		values.Wrapping = fyne.TextWrapBreak
		values.Selectable = true
		if len(a.Values) == 0 {
			values.SetText("(no value)")
			values.Importance = widget.LowImportance
		}
		v.attrs.Add(container.New(attrColumns, name, friendly, format, values))
	}
	v.attrs.Refresh()
}

// xmlColumns is where the XML view folds long lines (certificates and
// signature values are single lines of thousands of characters).
const xmlColumns = 96

// foldLines breaks lines longer than width into pieces, each continuation
// indented like its line and marked with "»". Copying uses the unfolded
// text.
func foldLines(text string, width int) string {
	lines := strings.Split(text, "\n")
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		r := []rune(line)
		if len(r) <= width {
			b.WriteString(line)
			continue
		}
		indent := len(r) - len([]rune(strings.TrimLeft(line, " ")))
		prefix := strings.Repeat(" ", min(indent, width/2)) + "» "
		b.WriteString(string(r[:width]))
		r = r[width:]
		step := max(width-len([]rune(prefix)), 10)
		for len(r) > 0 {
			n := min(step, len(r))
			b.WriteString("\n" + prefix + string(r[:n]))
			r = r[n:]
		}
	}
	return b.String()
}

// attrColumns lays out the attribute table's rows: the values get the
// most room.
var attrColumns = columns{0.27, 0.17, 0.16, 0.4}

// columns is a row layout giving each object its share of the width and
// the whole height; its height is the tallest object's at that width.
type columns []float32

// Layout implements fyne.Layout.
func (c columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	pad := theme.Padding()
	for i, o := range objs {
		if i >= len(c) {
			break
		}
		w := (size.Width - pad*float32(len(c)-1)) * c[i]
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + pad
	}
}

// MinSize implements fyne.Layout.
func (c columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(len(c))*40, h)
}
