package ui

// Leaving the Mapping Rules screen with unsaved edits asks first.

import (
	"fmt"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// tabUnselected notes, from the window's tabs, that a tab is being left;
// tabSelected, called next with the tab chosen, then knows whether it was
// this screen's.
func (r *rules) tabUnselected(t *container.TabItem) {
	r.leaving = screenOf(t) == r.content
}

// tabSelected keeps the window on Mapping Rules when another tab was
// chosen while the working copy holds unsaved edits, and asks whether to
// discard them: "Discard" undoes them and goes to the tab chosen, "Keep
// editing" stays. It reports whether it held the tabs back (the caller
// then skips its own work for to).
func (r *rules) tabSelected(tabs *container.AppTabs, to *container.TabItem) bool {
	leaving := r.leaving
	r.leaving = false
	if !leaving || screenOf(to) == r.content || !r.dirty() || r.leaveDlg != nil {
		return false
	}
	for _, t := range tabs.Items {
		if screenOf(t) == r.content {
			tabs.Select(t)
		}
	}
	msg := wrapped(fmt.Sprintf("The mapping of %s has unsaved changes. Leaving Mapping Rules discards them; save them first to keep them.",
		r.idp.DisplayName), widget.MediumImportance)
	r.leaveDlg = dialog.NewCustomConfirm("Discard unsaved changes?", "Discard", "Keep editing", msg, func(ok bool) {
		r.leaveDlg = nil
		if ok {
			r.onUndo()
			tabs.Select(to)
		}
	}, r.app.win)
	r.leaveDlg.SetConfirmImportance(widget.DangerImportance)
	r.leaveDlg.Show()
	return true
}
