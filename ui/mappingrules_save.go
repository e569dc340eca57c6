package ui

// The Mapping Rules screen's actions on the working copy: Save (with the
// offer to revoke grants of changed rules), Preview impact and Apply now.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// ruleOffer is a saved rule whose grants the person may revoke with the
// save: it was deleted, or its conditions or roles were edited.
type ruleOffer struct {
	id, label string
	index     int // 1-based, in the saved mapping
	deleted   bool
}

// revokeOffers compares the saved rules with the working copy's.
func revokeOffers(saved, working core.Mapping) []ruleOffer {
	var out []ruleOffer
	for i, old := range saved.RoleRules {
		if old.ID == "" {
			continue
		}
		j := slices.IndexFunc(working.RoleRules, func(r core.RoleRule) bool { return r.ID == old.ID })
		o := ruleOffer{id: old.ID, label: old.RuleLabel(), index: i + 1}
		switch {
		case j < 0:
			o.deleted = true
		case mappingKey(core.Mapping{RoleRules: []core.RoleRule{{Conditions: old.Conditions, Roles: old.Roles}}}) ==
			mappingKey(core.Mapping{RoleRules: []core.RoleRule{{Conditions: working.RoleRules[j].Conditions, Roles: working.RoleRules[j].Roles}}}):
			continue
		}
		out = append(out, o)
	}
	return out
}

// revokeOffer is the dialog that saves and offers to revoke the grants of
// deleted or edited rules.
type revokeOffer struct {
	dlg    *dialog.ConfirmDialog
	offers []ruleOffer
	checks []*widget.Check
}

func (r *rules) onSave() {
	if r.form == nil || r.form.problem != nil {
		return
	}
	offers := revokeOffers(r.loaded, r.form.m)
	if len(offers) == 0 {
		r.doSave(nil)
		return
	}
	ro := &revokeOffer{offers: offers}
	box := container.NewVBox(wrapped("Accounts keep the roles these rules granted until their next sign-in. "+
		"Revoke exactly those grants now?", widget.MediumImportance))
	for _, o := range offers {
		text := fmt.Sprintf("Revoke the grants of deleted rule %d, “%s”", o.index, o.label)
		if !o.deleted {
			text = fmt.Sprintf("Revoke the grants of edited rule %d, “%s” (they return at the next sign-in if it still matches)", o.index, o.label)
		}
		c := widget.NewCheck(text, nil)
		c.SetChecked(o.deleted)
		ro.checks = append(ro.checks, c)
		box.Add(c)
	}
	box.Add(lowLabel("Manual grants are never touched."))
	ro.dlg = dialog.NewCustomConfirm("Save the mapping", "Save", "Cancel", box, func(ok bool) {
		r.revoke = nil
		if !ok {
			return
		}
		var chosen []ruleOffer
		for i, c := range ro.checks {
			if c.Checked {
				chosen = append(chosen, ro.offers[i])
			}
		}
		r.doSave(chosen)
	}, r.app.win)
	ro.dlg.SetConfirmImportance(widget.HighImportance)
	ro.dlg.Resize(fyne.NewSize(560, ro.dlg.MinSize().Height))
	r.revoke = ro
	ro.dlg.Show()
}

// doSave saves the working copy and revokes the chosen rules' grants, as
// one change, in the background.
func (r *rules) doSave(revoke []ruleOffer) {
	a, slug, m := r.app, r.currentSlug(), cloneMapping(r.form.m)
	ids := make([]string, len(revoke))
	for i, o := range revoke {
		ids[i] = o.id
	}
	r.busy = true
	r.refreshState()
	showText(r.status, "Saving…", widget.LowImportance)
	var revoked int
	background(a, "save the mapping of "+slug, func(ctx context.Context) (idp core.IdP, err error) {
		idp, revoked, err = a.svc.SaveMapping(ctx, slug, m, ids)
		return idp, err
	}, func(idp core.IdP, err error) {
		r.busy = false
		if err != nil {
			r.saveFailed(err)
			return
		}
		note := "Saved. It applies from the next sign-in through " + idp.DisplayName + "."
		if len(revoke) > 0 {
			note += " " + plural(revoked, "grant", "grants") + " of the changed rules revoked."
		}
		r.saved(slug, idp, note)
	})
}

// saveFailed shows why core refused the mapping, under the field when it
// names one.
func (r *rules) saveFailed(err error) {
	var fe *core.FieldError
	if r.form != nil && errors.As(err, &fe) {
		r.form.problem = fe
		if l := r.form.labelFor(fe.Field); l != nil {
			showText(l, fe.Message, widget.DangerImportance)
		}
	}
	r.refreshState()
	showText(r.status, "Not saved: "+errorText(err), widget.DangerImportance)
}

// saved takes the stored mapping (with the IDs core gave new rules) into
// the form.
func (r *rules) saved(slug string, idp core.IdP, note string) {
	if r.currentSlug() == slug && r.form != nil {
		r.idp = idp
		r.loaded = prepareMapping(idp.Mapping)
		r.form.m = cloneMapping(r.loaded)
		r.form.rebuild()
	}
	r.note = note
	r.refreshState()
	r.reload.Trigger()
}

// impactRun is the end of a preview or an apply run in the background:
// its result, or that it was cancelled after done of total accounts.
type impactRun struct {
	im          core.Impact
	idp         core.IdP // the IdP as saved by an apply of edits, else zero
	cancelled   bool
	done, total int
}

// startImpact starts a cancellable preview or apply in the impact tab:
// run does the work with ctx and progress; done gets the result on the UI
// goroutine. A cancelled run ends with cancelled set and no error.
func (r *rules) startImpact(text, what string, run func(ctx context.Context, progress core.ImpactProgress) (impactRun, error), done func(impactRun, error)) {
	a := r.app
	ctx, cancel := context.WithCancel(a.ctx)
	r.side.Select(r.impactTab)
	job := r.impact.running(text, cancel)
	background(a, what, func(context.Context) (impactRun, error) {
		var last [2]int // written by progress, on this goroutine
		res, err := run(ctx, func(d, t int) {
			last = [2]int{d, t}
			a.bridge.ui(func() { r.impact.setProgress(job, d, t) })
		})
		if err != nil && errors.Is(err, context.Canceled) && ctx.Err() != nil && a.ctx.Err() == nil {
			res.cancelled, res.done, res.total, err = true, last[0], last[1], nil
		}
		cancel()
		return res, err
	}, func(res impactRun, err error) {
		a.memory.afterBigJob() // a walk over every account: give its memory back
		done(res, err)
	})
}

// onPreview evaluates the working copy against every account in the
// background.
func (r *rules) onPreview() {
	if r.form == nil || r.form.problem != nil {
		return
	}
	a, slug, m, key := r.app, r.currentSlug(), cloneMapping(r.form.m), mappingKey(r.form.m)
	r.previewing = true
	r.refreshState()
	r.startImpact("Evaluating the working copy against the last sign-in of every account of "+r.idp.DisplayName+"…",
		"preview the impact of the mapping of "+slug,
		func(ctx context.Context, progress core.ImpactProgress) (impactRun, error) {
			im, err := a.svc.PreviewImpactProgress(ctx, slug, m, progress)
			return impactRun{im: im}, err
		}, func(res impactRun, err error) {
			r.previewing = false
			switch {
			case r.currentSlug() != slug:
			case res.cancelled:
				r.impact.cancelled(res.done, res.total, false)
			default:
				r.impact.show(res.im, err, key, false)
			}
			r.refreshState()
		})
}

// onApplyNow asks, then saves (if edited) and re-evaluates every account
// of the IdP with the saved mapping.
func (r *rules) onApplyNow() {
	if r.form == nil || r.form.problem != nil {
		return
	}
	what := "Re-evaluate the roles of every account of " + r.idp.DisplayName + " now"
	if r.dirty() {
		what = "Save the mapping and re-evaluate the roles of every account of " + r.idp.DisplayName + " now"
	}
	msg := wrapped(what+", from the attributes of each one's last sign-in?\n\n"+
		"Roles granted by rules and the default role change at once instead of at each person's next sign-in. "+
		"Manual grants stay. The change is recorded in the audit log.", widget.MediumImportance)
	r.applyConfirm = dialog.NewCustomConfirm("Apply now?", "Apply now", "Cancel", msg, func(ok bool) {
		r.applyConfirm = nil
		if ok {
			r.doApply()
		}
	}, r.app.win)
	r.applyConfirm.SetConfirmImportance(widget.WarningImportance)
	r.applyConfirm.Resize(fyne.NewSize(520, r.applyConfirm.MinSize().Height))
	r.applyConfirm.Show()
}

func (r *rules) doApply() {
	a, slug, m, dirty := r.app, r.currentSlug(), cloneMapping(r.form.m), r.dirty()
	key := mappingKey(r.form.m)
	r.busy = true
	r.refreshState()
	r.startImpact("Applying the mapping to every account of "+r.idp.DisplayName+"…", "apply the mapping of "+slug+" now",
		func(ctx context.Context, progress core.ImpactProgress) (impactRun, error) {
			var res impactRun
			if dirty {
				var err error
				if res.idp, _, err = a.svc.SaveMapping(ctx, slug, m, nil); err != nil {
					return res, err
				}
			}
			im, err := a.svc.ApplyNowProgress(ctx, slug, progress)
			res.im = im
			return res, err
		}, func(res impactRun, err error) {
			r.busy = false
			if err != nil {
				r.impact.show(core.Impact{}, err, "", true)
				r.saveFailed(err)
				return
			}
			note := "Applied now: " + strings.TrimSuffix(impactSummary(res.im), ".") + "."
			if res.cancelled {
				note = "Apply now cancelled: no account changed."
				if dirty && res.idp.Slug != "" {
					note = "Saved; Apply now cancelled: no account changed until each one's next sign-in."
				}
			}
			if dirty && res.idp.Slug != "" {
				// The form takes the stored mapping (new rules get their IDs)
				// first: the impact is of that mapping, not stale against it.
				r.saved(slug, res.idp, note)
				if r.currentSlug() == slug && r.form != nil {
					key = mappingKey(r.form.m)
				}
			}
			if res.cancelled {
				r.impact.cancelled(res.done, res.total, true)
				r.note = ""
				r.refreshState()
				showText(r.status, note, widget.WarningImportance) // until the next edit
				return
			}
			r.impact.show(res.im, nil, key, true)
			r.note = note
			r.refreshState()
		})
}
