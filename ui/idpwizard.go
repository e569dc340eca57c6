package ui

// The "Connect an identity provider" wizard, in the order the work is
// done: 1. the IdP's type and name (which makes a draft IdP whose SP
// endpoints answer), 2. the values to paste into the IdP's admin console,
// 3. the IdP's metadata (previewed, then it completes the draft), 4. a
// test sign-in whose result the wizard shows. Each step is in its own
// idpwizard_*.go file.

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// idpWizard is the open wizard: its dialog, the current step's body and
// buttons, and each step's widgets.
type idpWizard struct {
	s    *idps
	dlg  *dialog.CustomDialog
	body *fyne.Container // the current step
	step int             // 1 to 4

	cancel   *widget.Button
	progress *widget.ProgressBarInfinite
	errLabel *widget.Label
	busy     bool

	// The draft made by step 1 (zero before) and its endpoints.
	draft core.IdP
	ep    core.Endpoints
	kind  core.IdPType
	// leave is the keep-or-delete question of a cancel (nil before one).
	leave *dialog.CustomDialog

	name  wizardName
	vals  wizardValues
	meta  wizardMetadata
	trial wizardTest
}

// onAdd opens the wizard at step 1.
func (s *idps) onAdd() { s.openWizard(core.IdP{}) }

// openWizard opens the wizard: at step 1, or at step 2 for a draft.
func (s *idps) openWizard(draft core.IdP) {
	w := &idpWizard{s: s}
	w.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), w.onCancel)
	w.progress = widget.NewProgressBarInfinite()
	w.progress.Hide()
	w.errLabel = errorLabel()
	w.body = container.NewStack()
	content := container.NewBorder(nil, container.NewVBox(w.progress, w.errLabel), nil, nil, w.body)
	w.dlg = dialog.NewCustomWithoutButtons("Connect an identity provider", content, s.app.win)
	w.dlg.SetOnClosed(func() {
		if s.wizard == w {
			s.wizard = nil
		}
	})
	s.wizard = w
	if draft.Slug != "" {
		w.setDraft(draft, core.IdPTypeByID(core.IdPTypeOther))
		w.showValues()
	} else {
		w.showName()
	}
	w.dlg.Show()
	w.fit()
}

// setDraft remembers the draft step 1 made (or the wizard reopened).
func (w *idpWizard) setDraft(idp core.IdP, kind core.IdPType) {
	w.draft, w.kind, w.ep = idp, kind, w.s.app.svc.Endpoints(idp.Slug)
}

// show makes body the current step's content with buttons.
func (w *idpWizard) show(step int, body fyne.CanvasObject, buttons ...fyne.CanvasObject) {
	w.step = step
	w.body.Objects = []fyne.CanvasObject{body}
	w.body.Refresh()
	w.dlg.SetButtons(buttons)
	w.dlg.Refresh()
	showText(w.errLabel, "", widget.DangerImportance)
}

// stepTitle is the line that says where the wizard is.
func stepTitle(step int, what string) *widget.Label {
	l := widget.NewLabelWithStyle(fmt.Sprintf("Step %d of 4 — %s", step, what), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}

// fit sizes the dialog to the window: at most 820×660, always inside.
func (w *idpWizard) fit() {
	size := w.s.app.win.Canvas().Size()
	w.dlg.Resize(fyne.NewSize(min(wizardSize.Width, size.Width-40), min(wizardSize.Height, size.Height-40)))
}

// setBusy shows the progress bar and disables the step's forward button
// while core works.
func (w *idpWizard) setBusy(busy bool, buttons ...*widget.Button) {
	w.busy = busy
	for _, b := range buttons {
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
}

// onCancel closes the wizard; a draft made by step 1 and not completed
// is kept or deleted, as the admin says.
func (w *idpWizard) onCancel() {
	if w.draft.Slug == "" || !w.draft.IsDraft() {
		w.close()
		return
	}
	msg := widget.NewLabel(fmt.Sprintf("“%s” is a draft waiting for its metadata. Keep it to finish later (its SP metadata and ACS URLs keep answering), or delete it?", w.draft.DisplayName))
	msg.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	keep := widget.NewButton("Keep draft", func() { d.Hide(); w.close() })
	del := widget.NewButtonWithIcon("Delete draft", theme.DeleteIcon(), func() { d.Hide(); w.deleteDraft() })
	del.Importance = widget.DangerImportance
	back := widget.NewButton("Back to the wizard", func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons("Leave the wizard?", msg, w.s.app.win)
	d.SetButtons([]fyne.CanvasObject{back, keep, del})
	d.Resize(fyne.NewSize(min(520, w.s.app.win.Canvas().Size().Width-40), 0))
	w.leave = d
	d.Show()
}

// deleteDraft removes the draft, then closes the wizard.
func (w *idpWizard) deleteDraft() {
	a, slug := w.s.app, w.draft.Slug
	backgroundErr(a, "delete the draft IdP "+slug, func(ctx context.Context) error {
		return a.svc.RemoveIdP(ctx, slug)
	}, func(err error) {
		if err != nil {
			showText(w.errLabel, "The draft was not deleted: "+errorText(err), widget.DangerImportance)
			return
		}
		w.close()
	})
}

// close hides the wizard and shows the IdP it made, if any.
func (w *idpWizard) close() {
	w.trial.stop()
	w.dlg.Hide()
	if w.draft.Slug != "" {
		w.s.wantSelect = w.draft.Slug
	}
	w.s.reload.Trigger()
}

// onEvent takes a live event, on the UI goroutine, for step 4.
func (w *idpWizard) onEvent(e core.Event) {
	if w.step == 4 && e.IdPSlug == w.draft.Slug {
		w.trial.onEvent(w, e)
	}
}
