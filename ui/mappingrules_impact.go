package ui

// The Mapping Rules screen's "Impact preview" tab: which accounts would gain
// or lose which roles under the working copy, or did when it was applied.

import (
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// impactSummary is the impact's summary line, or that nothing changes.
func impactSummary(im core.Impact) string {
	if s := im.Summary(); s != "" {
		return s
	}
	return "no account gains or loses a role"
}

// impactView shows an impact preview (or what "Apply now" did): the
// summary, then per role the accounts that gain or lose it and those that
// would be denied, in expandable lists.
type impactView struct {
	content  fyne.CanvasObject
	summary  *widget.Label
	note     *widget.Label
	progress *widget.ProgressBarInfinite
	lists    *widget.Accordion
	key      string // the working copy the preview shows, "" for none
	applied  bool
	last     *core.Impact
}

func newImpactView() *impactView {
	v := &impactView{}
	v.summary = title("")
	v.summary.Wrapping = fyne.TextWrapWord
	v.note = wrapped("", widget.LowImportance)
	v.progress = widget.NewProgressBarInfinite()
	v.progress.Hide()
	v.lists = widget.NewAccordion()
	v.lists.MultiOpen = true
	v.content = container.NewVScroll(container.NewPadded(container.NewVBox(v.summary, v.progress, v.note, v.lists)))
	v.reset()
	return v
}

// reset shows the explanation of an empty preview.
func (v *impactView) reset() {
	v.key, v.last, v.applied = "", nil, false
	v.progress.Stop()
	v.progress.Hide()
	v.summary.SetText("Impact preview")
	showText(v.note, "“Preview impact” evaluates the working copy, unsaved, against the attributes of every account's last sign-in "+
		"and lists who would gain or lose which role, and who would be denied. Nothing changes until you save.", widget.LowImportance)
	v.lists.Items = nil
	v.lists.Refresh()
}

func (v *impactView) running(text string) {
	v.summary.SetText("Working…")
	showText(v.note, text, widget.LowImportance)
	v.lists.Items = nil
	v.lists.Refresh()
	v.progress.Show()
	v.progress.Start()
}

// show shows an impact for the working copy key; applied says it was
// applied, not previewed.
func (v *impactView) show(im core.Impact, err error, key string, applied bool) {
	v.progress.Stop()
	v.progress.Hide()
	v.lists.Items = nil
	if err != nil {
		v.key, v.last = "", nil
		v.summary.SetText("No preview")
		showText(v.note, errorText(err), widget.DangerImportance)
		v.lists.Refresh()
		return
	}
	v.key, v.last, v.applied = key, &im, applied
	v.summary.SetText(impactSummary(im))
	v.note.Importance = widget.LowImportance
	v.setNote(false)
	for _, role := range sortedKeys(im.Gains) {
		v.lists.Append(widget.NewAccordionItem(fmt.Sprintf("+%s — %s gain it", role, plural(len(im.Gains[role]), "account", "accounts")), impactUsers(im.Gains[role])))
	}
	for _, role := range sortedKeys(im.Losses) {
		v.lists.Append(widget.NewAccordionItem(fmt.Sprintf("−%s — %s lose it", role, plural(len(im.Losses[role]), "account", "accounts")), impactUsers(im.Losses[role])))
	}
	if len(im.Denied) > 0 {
		v.lists.Append(widget.NewAccordionItem(fmt.Sprintf("Denied — %s would be refused at the next sign-in", plural(len(im.Denied), "account", "accounts")), impactUsers(im.Denied)))
	}
	if len(v.lists.Items) > 0 && len(v.lists.Items) <= 3 {
		for i := range v.lists.Items {
			v.lists.Open(i)
		}
	}
	v.lists.Refresh()
}

// setNote says what the shown impact is, and whether the rules changed
// since.
func (v *impactView) setNote(stale bool) {
	if v.last == nil {
		return
	}
	switch {
	case stale:
		showText(v.note, "The rules changed since this preview: preview again to see their impact.", widget.WarningImportance)
	case v.applied:
		showText(v.note, fmt.Sprintf("Applied to the %s with recorded attributes. The audit log holds the change.", plural(v.last.Users, "account", "accounts")), widget.SuccessImportance)
	default:
		showText(v.note, fmt.Sprintf("The working copy, unsaved, evaluated against the last sign-in of %s. Nothing has changed yet.", plural(v.last.Users, "account", "accounts")), widget.LowImportance)
	}
}

// workingChanged marks the preview stale when the working copy moved on.
func (v *impactView) workingChanged(key string) {
	if v.key != "" {
		v.setNote(key != v.key)
	}
}

func sortedKeys(m map[string][]core.ImpactUser) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// maxImpactNames bounds the accounts one list names.
const maxImpactNames = 200

// impactUsers lists accounts by username.
func impactUsers(us []core.ImpactUser) fyne.CanvasObject {
	names := make([]string, 0, min(len(us), maxImpactNames))
	for i, u := range us {
		if i == maxImpactNames {
			break
		}
		names = append(names, orDash(u.Username))
	}
	text := strings.Join(names, "\n")
	if more := len(us) - len(names); more > 0 {
		text += fmt.Sprintf("\n… and %d more", more)
	}
	l := widget.NewLabel(text)
	l.Selectable = true
	l.Wrapping = fyne.TextWrapWord
	return l
}
