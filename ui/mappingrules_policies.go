package ui

// The Mapping Rules screen's policy cards: "When no rule matches" (a default
// role or deny) and "Sync policy" (create only or update on every sign-in,
// per field).

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// syncTitles name the per-field sync policies for a person.
var syncTitles = []struct {
	policy core.FieldSync
	title  string
}{
	{core.FieldAlways, "Always update"},
	{core.FieldImportOnce, "Import once"},
	{core.FieldKeepWhenAbsent, "Keep when absent"},
}

// buildNoMatch is the card of what happens when no rule grants a role.
func (f *mappingForm) buildNoMatch() fyne.CanvasObject {
	f.defaultRole = widget.NewSelect(append([]string{noDefaultRole}, f.roles...), nil)
	if f.m.DefaultRole == "" {
		f.defaultRole.SetSelected(noDefaultRole)
	} else {
		f.defaultRole.SetSelected(f.m.DefaultRole)
	}
	f.noMatch = widget.NewRadioGroup([]string{noMatchDefault, noMatchDeny}, nil)
	f.noMatch.Required = true
	if f.m.NoMatch == core.NoMatchDeny {
		f.noMatch.SetSelected(noMatchDeny)
		f.defaultRole.Disable()
	} else {
		f.noMatch.SetSelected(noMatchDefault)
	}
	f.defaultRole.OnChanged = func(choice string) {
		if choice == noDefaultRole {
			choice = ""
		}
		f.m.DefaultRole = choice
		f.changed()
	}
	f.noMatch.OnChanged = func(choice string) {
		if choice == noMatchDeny {
			f.m.NoMatch = core.NoMatchDeny
			f.defaultRole.Disable()
		} else {
			f.m.NoMatch = core.NoMatchDefault
			f.defaultRole.Enable()
		}
		f.changed()
	}
	role := container.NewBorder(nil, nil, widget.NewLabel("Default role"), nil, f.defaultRole)
	return section(theme.QuestionIcon(), "When no rule matches",
		"A denied sign-in is refused with the reason recorded in Activity.",
		container.NewVBox(f.noMatch, container.NewGridWrap(fyne.NewSize(360, role.MinSize().Height), role),
			f.errLabel("no_match"), f.errLabel("default_role")))
}

// buildSync is the sync policy card.
func (f *mappingForm) buildSync() fyne.CanvasObject {
	f.syncMode = widget.NewRadioGroup([]string{syncEveryLogin, syncCreateOnly}, nil)
	f.syncMode.Horizontal = true
	f.syncMode.Required = true
	if f.m.Sync.Mode == core.SyncCreateOnly {
		f.syncMode.SetSelected(syncCreateOnly)
	} else {
		f.syncMode.SetSelected(syncEveryLogin)
	}
	f.syncMode.OnChanged = func(choice string) {
		f.m.Sync.Mode = ""
		if choice == syncCreateOnly {
			f.m.Sync.Mode = core.SyncCreateOnly
		}
		f.changed()
	}
	titles := make([]string, len(syncTitles))
	for i, s := range syncTitles {
		titles[i] = s.title
	}
	f.syncFields = map[string]*widget.Select{}
	grid := container.New(layout.NewFormLayout())
	for _, name := range core.MappedFieldNames {
		sel := widget.NewSelect(titles, nil)
		for _, s := range syncTitles {
			if s.policy == f.m.Sync.FieldPolicy(name) {
				sel.SetSelected(s.title)
			}
		}
		sel.OnChanged = func(title string) {
			for _, s := range syncTitles {
				if s.title != title {
					continue
				}
				fields := map[string]core.FieldSync{}
				for k, v := range f.m.Sync.Fields {
					fields[k] = v
				}
				if s.policy == core.FieldAlways {
					delete(fields, name)
				} else {
					fields[name] = s.policy
				}
				if len(fields) == 0 {
					fields = nil
				}
				f.m.Sync.Fields = fields
			}
			f.changed()
		}
		f.syncFields[name] = sel
		grid.Add(fieldName(fieldTitles[name]))
		grid.Add(container.NewGridWrap(fyne.NewSize(220, sel.MinSize().Height), sel))
	}
	return section(theme.ViewRefreshIcon(), "Sync policy",
		"What a later sign-in updates. “Keep when absent” never blanks a stored value because the IdP omitted the attribute; “Import once” sets a field when the account is created only.",
		container.NewVBox(f.syncMode, grid, f.errLabel("sync")))
}
