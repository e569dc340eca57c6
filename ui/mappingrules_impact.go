package ui

// The Mapping Rules screen's "Impact preview" tab: which accounts would gain
// or lose which roles under the working copy, or did when it was applied.

import (
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
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
// would be denied, in expandable lists. While one runs it shows how far it
// is ("12,000 of 100,020 accounts") with a Cancel button.
type impactView struct {
	content  fyne.CanvasObject
	summary  *widget.Label
	note     *widget.Label
	progress *progressBar
	count    *widget.Label // "12,000 of 100,020 accounts"
	cancel   *widget.Button
	stop     func() // cancels the running job, nil when none
	job      int    // counts the jobs run, to drop a finished one's reports
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
	v.progress = newProgressBar()
	v.count = widget.NewLabel("")
	v.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), v.onCancel)
	v.lists = widget.NewAccordion()
	v.lists.MultiOpen = true
	bar := container.NewBorder(nil, nil, nil, v.cancel, v.progress)
	v.content = container.NewVScroll(container.NewPadded(container.NewVBox(v.summary, bar, v.count, v.note, v.lists)))
	v.hideProgress()
	v.reset()
	return v
}

// reset shows the explanation of an empty preview.
func (v *impactView) reset() {
	v.key, v.last, v.applied = "", nil, false
	v.hideProgress()
	v.summary.SetText("Impact preview")
	showText(v.note, "“Preview impact” evaluates the working copy, unsaved, against the attributes of every account's last sign-in "+
		"and lists who would gain or lose which role, and who would be denied. Nothing changes until you save.", widget.LowImportance)
	v.lists.Items = nil
	v.lists.Refresh()
}

// running shows that a preview or an apply started, with stop to cancel
// it; setProgress, given the job number it returns, tells how far it is.
func (v *impactView) running(text string, stop func()) int {
	v.summary.SetText("Working…")
	showText(v.note, text, widget.LowImportance)
	v.lists.Items = nil
	v.lists.Refresh()
	v.stop = stop
	v.progress.SetValue(0)
	v.count.SetText("Counting the accounts…")
	v.cancel.SetText("Cancel")
	v.cancel.Enable()
	v.progress.Show()
	v.count.Show()
	v.cancel.Show()
	v.job++
	return v.job
}

// setProgress shows that done of total accounts have been evaluated by
// job.
func (v *impactView) setProgress(job, done, total int) {
	if v.stop == nil || job != v.job {
		return // a late report of a job that ended
	}
	if total > 0 {
		v.progress.SetValue(float64(done) / float64(total))
	}
	v.count.SetText(count(done) + " of " + countOf(total, "account", "accounts"))
}

// onCancel asks the running job to stop; it ends with cancelled.
func (v *impactView) onCancel() {
	if v.stop != nil {
		v.stop()
		v.cancel.SetText("Cancelling…")
		v.cancel.Disable()
	}
}

func (v *impactView) hideProgress() {
	v.stop = nil
	v.progress.Hide()
	v.count.Hide()
	v.cancel.Hide()
}

// cancelled shows that the job was stopped after done of total accounts;
// applied says it was Apply now, which changed nothing then.
func (v *impactView) cancelled(done, total int, applied bool) {
	v.hideProgress()
	v.key, v.last = "", nil
	v.lists.Items = nil
	v.lists.Refresh()
	at := fmt.Sprintf("after %s of %s", count(done), countOf(total, "account", "accounts"))
	if applied {
		v.summary.SetText("Apply now cancelled")
		showText(v.note, "Stopped "+at+". No account changed: the roles are written all at once at the end, and nothing was written. "+
			"The audit log records the cancelled apply.", widget.WarningImportance)
		return
	}
	v.summary.SetText("Preview cancelled")
	showText(v.note, "Stopped "+at+". Preview again to see the whole impact.", widget.WarningImportance)
}

// show shows an impact for the working copy key; applied says it was
// applied, not previewed.
func (v *impactView) show(im core.Impact, err error, key string, applied bool) {
	v.hideProgress()
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
		showText(v.note, fmt.Sprintf("Applied to the %s with recorded attributes. The audit log holds the change.", countOf(v.last.Users, "account", "accounts")), widget.SuccessImportance)
	default:
		showText(v.note, fmt.Sprintf("The working copy, unsaved, evaluated against the last sign-in of %s. Nothing has changed yet.", countOf(v.last.Users, "account", "accounts")), widget.LowImportance)
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
