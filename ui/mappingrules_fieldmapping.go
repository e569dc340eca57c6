package ui

// The Mapping Rules screen's "Field mapping" card: the preset bar and one
// row per mapped field (source, candidate attributes, transforms, required).

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// fieldTitles name the mapped fields for a person.
var fieldTitles = map[string]string{
	core.FieldUsername:    "Username",
	core.FieldEmail:       "Email",
	core.FieldDisplayName: "Display name",
	core.FieldGivenName:   "Given name",
	core.FieldFamilyName:  "Family name",
	core.FieldGroups:      "Groups",
}

// The choices of a field's source.
const (
	sourceAttribute = "Attribute"
	sourceNameID    = "NameID"
	sourceDefault   = "Built-in default"
)

// transformTitles name the transforms for a person, in menu order.
var transformTitles = []struct {
	kind  core.TransformKind
	title string
}{
	{core.TransformTrim, "Trim spaces"},
	{core.TransformLower, "Lowercase"},
	{core.TransformBeforeAt, "Part before @"},
	{core.TransformRegex, "Regex capture"},
}

func transformTitle(kind core.TransformKind) string {
	for _, t := range transformTitles {
		if t.kind == kind {
			return t.title
		}
	}
	return string(kind)
}

// fieldRow is one mapped field: its source, candidates, transforms and
// whether it is required.
type fieldRow struct {
	source     *widget.Select
	attrs      *widget.Entry
	required   *widget.Check
	transforms []*transformChip
	add        *widget.Select // "Add transform…"
	err        *widget.Label
}

// transformChip is one transform of a field, removable; a regex has its
// pattern entry.
type transformChip struct {
	pattern *widget.Entry // nil unless a regex
	remove  *widget.Button
	err     *widget.Label
}

// buildFields is the field mapping card: the preset bar and one row per
// field.
func (f *mappingForm) buildFields() fyne.CanvasObject {
	f.presetSelect = widget.NewSelect(nil, nil)
	f.presetSelect.PlaceHolder = "Choose a preset…"
	f.presetHint = wrapped("", widget.LowImportance)
	f.usePreset = widget.NewButtonWithIcon("Fill from preset", theme.DownloadIcon(), f.onPreset)
	f.fillPresets()
	presets := container.NewBorder(nil, nil, fieldName("Preset"), f.usePreset, f.presetSelect)

	f.fields = map[string]*fieldRow{}
	rows := container.NewVBox()
	for i, name := range core.MappedFieldNames {
		if i > 0 {
			rows.Add(widget.NewSeparator())
		}
		rows.Add(f.buildFieldRow(name))
	}
	return section(theme.AccountIcon(), "Field mapping",
		"Where each account field comes from: the NameID, or the first of the named attributes the IdP sends (by Name or FriendlyName), then the transforms in order.",
		container.NewVBox(presets, f.presetHint, f.errLabel("required"), rows))
}

// fillPresets lists the presets, the suggested one first and marked.
func (f *mappingForm) fillPresets() {
	if f.presetSelect == nil {
		return
	}
	var opts []string
	for _, p := range core.Presets {
		if p.Name == f.suggested {
			opts = append([]string{presetOption(p.Name, true)}, opts...)
		} else {
			opts = append(opts, presetOption(p.Name, false))
		}
	}
	f.presetSelect.SetOptions(opts)
	if f.suggested != "" {
		f.presetSelect.SetSelected(presetOption(f.suggested, true))
		showText(f.presetHint, "Suggested for this IdP: "+f.suggested+
			" — from its entity ID and the attribute names of its latest sign-in.", widget.HighImportance)
	} else {
		f.presetHint.Hide()
	}
}

func presetOption(name string, suggested bool) string {
	if suggested {
		return name + "  ★ suggested"
	}
	return name
}

// onPreset replaces the field mapping with the chosen preset's.
func (f *mappingForm) onPreset() {
	name := strings.TrimSuffix(f.presetSelect.Selected, "  ★ suggested")
	p, ok := core.PresetNamed(name)
	if !ok {
		return
	}
	f.m = cloneMapping(f.m.WithPreset(p)) // the presets are shared: edit a copy
	f.structureChanged()
}

func (f *mappingForm) buildFieldRow(name string) fyne.CanvasObject {
	src, set := f.m.Fields[name]
	row := &fieldRow{err: f.errLabel("fields." + name)}
	f.fields[name] = row

	row.attrs = widget.NewEntry()
	row.attrs.SetPlaceHolder("attribute names, comma-separated: the first present wins")
	row.source = widget.NewSelect([]string{sourceAttribute, sourceNameID, sourceDefault}, nil)
	switch {
	case !set:
		row.source.SetSelected(sourceDefault)
		row.attrs.SetPlaceHolder("the usual attribute names")
		row.attrs.Disable()
	case src.NameID:
		row.source.SetSelected(sourceNameID)
		row.attrs.Disable()
	default:
		row.source.SetSelected(sourceAttribute)
		row.attrs.SetText(strings.Join(src.Attributes, ", "))
	}
	row.source.OnChanged = func(choice string) {
		switch choice {
		case sourceDefault:
			delete(f.m.Fields, name)
		case sourceNameID:
			s := f.m.Fields[name]
			s.NameID, s.Attributes = true, nil
			f.setField(name, s)
		default:
			s := f.m.Fields[name]
			s.NameID = false
			f.setField(name, s)
		}
		f.structureChanged()
	}
	row.attrs.OnChanged = func(text string) {
		s := f.m.Fields[name]
		s.Attributes = splitList(text)
		f.setField(name, s)
		f.changed()
	}
	row.required = widget.NewCheck("Required", nil)
	row.required.SetChecked(slices.Contains(f.m.Required, name))
	row.required.OnChanged = func(on bool) {
		f.setRequired(name, on)
		f.changed()
	}

	row.add = widget.NewSelect(transformNames(), func(title string) {
		for _, t := range transformTitles {
			if t.title == title {
				s := f.m.Fields[name]
				s.Transforms = append(s.Transforms, core.Transform{Kind: t.kind})
				f.setField(name, s)
			}
		}
		f.structureChanged()
	})
	row.add.PlaceHolder = "+ Transform"
	if !set {
		row.add.Disable()
	}

	title := widget.NewLabelWithStyle(fieldTitles[name], fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	left := container.NewHBox(container.NewGridWrap(fyne.NewSize(110, title.MinSize().Height), title),
		container.NewGridWrap(fyne.NewSize(160, row.source.MinSize().Height), row.source))
	right := container.NewHBox(container.NewGridWrap(fyne.NewSize(140, row.add.MinSize().Height), row.add), row.required)
	box := container.NewVBox(container.NewBorder(nil, nil, left, right, row.attrs))
	if len(src.Transforms) > 0 {
		chips := container.NewHBox(widget.NewLabelWithStyle("then", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
		for i, t := range src.Transforms {
			chips.Add(f.buildTransform(name, i, t, row))
		}
		box.Add(container.NewHScroll(chips))
	}
	box.Add(row.err)
	return box
}

func transformNames() []string {
	out := make([]string, len(transformTitles))
	for i, t := range transformTitles {
		out[i] = t.title
	}
	return out
}

// buildTransform is the chip of the i-th transform of field name.
func (f *mappingForm) buildTransform(name string, i int, t core.Transform, row *fieldRow) fyne.CanvasObject {
	chip := &transformChip{err: f.errLabel(fmt.Sprintf("fields.%s.transforms[%d]", name, i))}
	row.transforms = append(row.transforms, chip)
	chip.remove = widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() {
		s := f.m.Fields[name]
		s.Transforms = slices.Delete(slices.Clone(s.Transforms), i, i+1)
		f.setField(name, s)
		f.structureChanged()
	})
	chip.remove.Importance = widget.LowImportance
	parts := []fyne.CanvasObject{widget.NewLabel(fmt.Sprintf("%d. %s", i+1, transformTitle(t.Kind)))}
	if t.Kind == core.TransformRegex {
		chip.pattern = widget.NewEntry()
		chip.pattern.TextStyle = fyne.TextStyle{Monospace: true}
		chip.pattern.SetPlaceHolder(`^(\w+)@`)
		chip.pattern.SetText(t.Pattern)
		chip.pattern.OnChanged = func(text string) {
			s := f.m.Fields[name]
			s.Transforms = slices.Clone(s.Transforms)
			s.Transforms[i].Pattern = text
			f.setField(name, s)
			f.changed()
		}
		parts = append(parts, container.NewGridWrap(fyne.NewSize(180, chip.pattern.MinSize().Height), chip.pattern))
	}
	parts = append(parts, chip.remove)
	box := container.NewHBox(parts...)
	return widget.NewCard("", "", container.NewVBox(box, chip.err))
}

func (f *mappingForm) setField(name string, s core.FieldSource) {
	if f.m.Fields == nil {
		f.m.Fields = map[string]core.FieldSource{}
	}
	f.m.Fields[name] = s
}

// setRequired keeps Required in the fields' display order.
func (f *mappingForm) setRequired(name string, on bool) {
	var req []string
	for _, n := range core.MappedFieldNames {
		if (n == name && on) || (n != name && slices.Contains(f.m.Required, n)) {
			req = append(req, n)
		}
	}
	f.m.Required = req
}
