package ui

// Opening a rule on the Mapping Rules screen from elsewhere: a user's
// role provenance ("rule 4 of demo") links to the rule that granted it.

import (
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/jitconsole/jitconsole/core"
)

// showRule switches to the Mapping Rules screen, shows the mapping of IdP
// slug and brings the rule ruleID (or, when no rule has that ID any more,
// the 1-based index-th rule) into view with its name field focused. When
// the screen holds unsaved edits of another IdP, it asks first, as
// choosing that IdP in its list does, and stays put when told to.
func (a *App) showRule(slug, ruleID string, index int) {
	a.tabs.SelectIndex(tabIndex(a, a.rules.content))
	r := a.rules
	if r.currentSlug() != slug {
		for opt, s := range r.idpOptions {
			if s == slug {
				r.idpSelect.SetSelected(opt) // onSelectIdP: asks about unsaved edits
			}
		}
	}
	if r.currentSlug() != slug || r.form == nil {
		return
	}
	r.focusRule(ruleID, index)
	// The screen just shown is laid out when the window next draws; until
	// then the rule has no position to scroll to. Scroll again after that.
	form := r.form
	a.bridge.run(func() {
		select {
		case <-time.After(ruleScrollDelay):
		case <-a.ctx.Done():
			return
		}
		a.bridge.ui(func() {
			if r.form == form {
				r.focusRule(ruleID, index)
			}
		})
	})
}

// ruleScrollDelay is how long showRule leaves the window to lay out the
// Mapping Rules screen before it scrolls to the rule again.
const ruleScrollDelay = 150 * time.Millisecond

// focusRule scrolls the form to the rule ruleID (or the index-th) and
// focuses its name.
func (r *rules) focusRule(ruleID string, index int) {
	i := slices.IndexFunc(r.form.m.RoleRules, func(rr core.RoleRule) bool { return ruleID != "" && rr.ID == ruleID })
	if i < 0 {
		i = index - 1
	}
	if i < 0 || i >= len(r.form.rules) {
		return
	}
	name := r.form.rules[i].name
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(name).Y - d.AbsolutePositionForObject(r.formScroll.Content).Y
	r.formScroll.ScrollToOffset(fyne.NewPos(0, max(top-2*theme.Padding(), 0)))
	r.app.win.Canvas().Focus(name)
}
