package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
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

// operatorTitles name the condition operators for a person.
var operatorTitles = map[core.Operator]string{
	core.OpEquals:    "equals",
	core.OpContains:  "contains",
	core.OpMatches:   "matches regex",
	core.OpExists:    "exists",
	core.OpNotExists: "does not exist",
}

func operatorOf(title string) core.Operator {
	for op, t := range operatorTitles {
		if t == title {
			return op
		}
	}
	return core.Operator(title)
}

// syncTitles name the per-field sync policies for a person.
var syncTitles = []struct {
	policy core.FieldSync
	title  string
}{
	{core.FieldAlways, "Always update"},
	{core.FieldImportOnce, "Import once"},
	{core.FieldKeepWhenAbsent, "Keep when absent"},
}

// Choices of the account key, the no-match policy and the sync mode.
const (
	keyNameID      = "The NameID"
	keyAttribute   = "An attribute"
	noMatchDefault = "Grant the default role"
	noMatchDeny    = "Deny the sign-in"
	noDefaultRole  = "(no role)"
	syncEveryLogin = "Update on every sign-in"
	syncCreateOnly = "Create only"
)

// prepareMapping is a stored mapping as the editor holds it: rules in
// their full form and legacy attribute lists moved into the field
// mapping, which means the same.
func prepareMapping(m core.Mapping) core.Mapping {
	m = cloneMapping(m.Normalized())
	legacy := map[string][]string{core.FieldUsername: m.UsernameAttrs, core.FieldEmail: m.EmailAttrs,
		core.FieldDisplayName: m.DisplayNameAttrs, core.FieldGroups: m.GroupsAttrs}
	for field, names := range legacy {
		if _, ok := m.Fields[field]; !ok && len(names) > 0 {
			if m.Fields == nil {
				m.Fields = map[string]core.FieldSource{}
			}
			m.Fields[field] = core.FieldSource{Attributes: names}
		}
	}
	m.UsernameAttrs, m.EmailAttrs, m.DisplayNameAttrs, m.GroupsAttrs = nil, nil, nil, nil
	return m
}

// cloneMapping is a deep copy of m, safe to hand to a goroutine while the
// form goes on editing m.
func cloneMapping(m core.Mapping) core.Mapping {
	var out core.Mapping
	data, err := json.Marshal(m)
	if err == nil {
		err = json.Unmarshal(data, &out)
	}
	if err != nil {
		panic("clone a mapping: " + err.Error()) // plain data: cannot happen
	}
	return out
}

// mappingKey identifies a mapping's content, to tell an edited working
// copy from the saved one.
func mappingKey(m core.Mapping) string {
	data, _ := json.Marshal(m)
	return string(data)
}

// splitList splits a comma-separated entry into its trimmed, non-empty
// items.
func splitList(text string) []string {
	var out []string
	for _, s := range strings.Split(text, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// mappingForm edits a working copy of one IdP's mapping: the field
// mapping with its preset, the account key, the role rules, the no-match
// policy and the sync policy. Every widget writes into m as it changes and
// calls onChange; adding, removing or moving a part rebuilds the form from
// m. The first problem Validate finds is shown under the widget it is
// about.
type mappingForm struct {
	win      fyne.Window
	m        core.Mapping // the working copy
	roles    []string     // the role catalogue's names
	onChange func()

	suggested string // the preset suggested for this IdP, "" for none

	content *fyne.Container
	errs    map[string]*widget.Label // error labels by field path prefix
	problem *core.FieldError         // the shown problem, nil when valid

	presetSelect *widget.Select
	presetHint   *widget.Label
	usePreset    *widget.Button
	fields       map[string]*fieldRow

	keyMode         *widget.RadioGroup
	keyAttr         *widget.Entry
	caseInsensitive *widget.Check
	linkByEmail     *widget.Check
	linkConfirm     *dialog.ConfirmDialog

	rules   []*ruleCard
	addRule *widget.Button

	noMatch     *widget.RadioGroup
	defaultRole *widget.Select

	syncMode   *widget.RadioGroup
	syncFields map[string]*widget.Select
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

// ruleCard is one role rule.
type ruleCard struct {
	name     *widget.Entry
	conds    []*condRow
	addCond  *widget.Button
	roles    *widget.Entry
	addRole  *widget.Button
	up, down *widget.Button
	remove   *widget.Button
	err      *widget.Label // about the rule as a whole
	rolesErr *widget.Label
}

// condRow is one condition of a rule.
type condRow struct {
	attr   *widget.Entry
	op     *widget.Select
	value  *widget.Entry
	ci     *widget.Check
	remove *widget.Button
	err    *widget.Label
}

func newMappingForm(win fyne.Window, m core.Mapping, roles []string, suggested string, onChange func()) *mappingForm {
	f := &mappingForm{win: win, m: m, roles: roles, suggested: suggested, onChange: onChange,
		content: container.NewVBox()}
	f.rebuild()
	return f
}

// rebuild makes every widget anew from m and shows the current problem.
func (f *mappingForm) rebuild() {
	f.errs = map[string]*widget.Label{}
	f.content.Objects = []fyne.CanvasObject{
		f.buildFields(),
		f.buildKey(),
		f.buildRules(),
		f.buildNoMatch(),
		f.buildSync(),
	}
	f.content.Refresh()
	f.check()
}

// changed is called after every edit of m.
func (f *mappingForm) changed() {
	f.check()
	if f.onChange != nil {
		f.onChange()
	}
}

// structureChanged rebuilds the form after a part was added, removed or
// moved, and reports the change.
func (f *mappingForm) structureChanged() {
	f.rebuild()
	if f.onChange != nil {
		f.onChange()
	}
}

// setRoles changes the role catalogue the form validates against and
// offers.
func (f *mappingForm) setRoles(roles []string) {
	if slices.Equal(roles, f.roles) {
		return
	}
	f.roles = roles
	if f.defaultRole != nil {
		sel := f.defaultRole.Selected
		f.defaultRole.Options = append([]string{noDefaultRole}, roles...)
		f.defaultRole.Selected = sel // keep a role that is gone: validation points at it
		f.defaultRole.Refresh()
	}
	f.check()
}

// setSuggestion marks the preset that fits the IdP.
func (f *mappingForm) setSuggestion(name string) {
	if name == f.suggested {
		return
	}
	f.suggested = name
	f.fillPresets()
}

// errLabel registers a hidden error label for the fields whose path starts
// with key.
func (f *mappingForm) errLabel(key string) *widget.Label {
	l := errorLabel()
	f.errs[key] = l
	return l
}

// check validates m and shows the first problem under its widget.
func (f *mappingForm) check() {
	f.problem = f.validate()
	for _, l := range f.errs {
		showText(l, "", widget.DangerImportance)
	}
	if f.problem == nil {
		return
	}
	if l := f.labelFor(f.problem.Field); l != nil {
		showText(l, f.problem.Message, widget.DangerImportance)
	}
}

// validate returns the first problem of m: the editor's own (an empty
// attribute list) first, then core's Validate against the catalogue.
func (f *mappingForm) validate() *core.FieldError {
	if f.keyMode != nil && f.keyMode.Selected == keyAttribute && strings.TrimSpace(f.m.AccountKeyAttr) == "" {
		return &core.FieldError{Field: "account_key_attr", Message: "Name the attribute that holds the account key."}
	}
	for _, name := range core.MappedFieldNames {
		if row := f.fields[name]; row != nil && row.source.Selected == sourceAttribute && len(f.m.Fields[name].Attributes) == 0 {
			return &core.FieldError{Field: "fields." + name + ".attributes",
				Message: "Name at least one attribute, or take the NameID or the built-in default."}
		}
	}
	err := f.m.Validate(f.roles)
	if err == nil {
		return nil
	}
	var fe *core.FieldError
	if errors.As(err, &fe) {
		return fe
	}
	return &core.FieldError{Message: errorText(err)}
}

// labelFor is the error label registered under the longest key that is
// a prefix of path (ending at a "." or "[").
func (f *mappingForm) labelFor(path string) *widget.Label {
	best, bestLen := (*widget.Label)(nil), -1
	for key, l := range f.errs {
		if (path == key || strings.HasPrefix(path, key+".") || strings.HasPrefix(path, key+"[")) && len(key) > bestLen {
			best, bestLen = l, len(key)
		}
	}
	return best
}

// fieldPathRE parses the parts of a validation path.
var fieldPathRE = regexp.MustCompile(`([a-z_]+)(?:\[(\d+)\])?`)

// describeField says where a validation path points, for a person:
// "role_rules[1].conditions[0].value" is "rule 2, condition 1, value".
func describeField(path string) string {
	if path == "" {
		return ""
	}
	var parts []string
	for _, seg := range strings.Split(path, ".") {
		m := fieldPathRE.FindStringSubmatch(seg)
		if m == nil {
			parts = append(parts, seg)
			continue
		}
		name, idx := m[1], m[2]
		word := map[string]string{"role_rules": "rule", "conditions": "condition", "roles": "role",
			"transforms": "transform", "required": "required field", "fields": "field mapping",
			"sync": "sync policy", "no_match": "no-match policy", "default_role": "default role",
			"account_key_attr": "account key", "attribute": "attribute", "value": "value",
			"operator": "operator", "pattern": "pattern", "kind": "kind", "attributes": "attributes",
			"mode": "mode"}[name]
		if word == "" {
			word = name
			if t, ok := fieldTitles[name]; ok {
				word = t
			}
		}
		if idx != "" {
			n, _ := strconv.Atoi(idx)
			word += " " + strconv.Itoa(n+1)
		}
		parts = append(parts, word)
	}
	s := strings.Join(parts, ", ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// section is a card with an icon, a title and a one-line explanation.
func section(icon fyne.Resource, name, sub string, body fyne.CanvasObject) fyne.CanvasObject {
	head := container.NewBorder(nil, nil, widget.NewIcon(icon), nil, heading(name))
	parts := []fyne.CanvasObject{head}
	if sub != "" {
		parts = append(parts, wrapped(sub, widget.LowImportance))
	}
	parts = append(parts, body)
	return widget.NewCard("", "", container.NewVBox(parts...))
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

// buildKey is the account key card.
func (f *mappingForm) buildKey() fyne.CanvasObject {
	f.keyAttr = widget.NewEntry()
	f.keyAttr.SetPlaceHolder("a stable attribute, e.g. objectGUID or employeeNumber")
	f.keyAttr.SetText(f.m.AccountKeyAttr)
	f.keyMode = widget.NewRadioGroup([]string{keyNameID, keyAttribute}, nil)
	f.keyMode.Horizontal = true
	f.keyMode.Required = true
	if f.m.AccountKeyAttr != "" {
		f.keyMode.SetSelected(keyAttribute)
	} else {
		f.keyMode.SetSelected(keyNameID)
		f.keyAttr.Disable()
	}
	f.keyMode.OnChanged = func(choice string) {
		if choice == keyNameID {
			f.m.AccountKeyAttr = ""
			f.keyAttr.SetText("")
			f.keyAttr.Disable()
		} else {
			f.keyAttr.Enable()
		}
		f.changed()
	}
	f.keyAttr.OnChanged = func(text string) {
		f.m.AccountKeyAttr = strings.TrimSpace(text)
		f.changed()
	}
	f.caseInsensitive = widget.NewCheck("Match the key whatever its case", nil)
	f.caseInsensitive.SetChecked(!f.m.CaseSensitiveKey)
	f.caseInsensitive.OnChanged = func(on bool) {
		f.m.CaseSensitiveKey = !on
		f.changed()
	}
	f.linkByEmail = widget.NewCheck("Link to an existing account by email", nil)
	f.linkByEmail.SetChecked(f.m.LinkByEmail)
	f.linkByEmail.OnChanged = f.onLinkByEmail

	form := widget.NewForm(
		widget.NewFormItem("Account key", container.NewVBox(f.keyMode, f.keyAttr, f.errLabel("account_key_attr"))),
		widget.NewFormItem("Case", f.caseInsensitive),
		widget.NewFormItem("Linking", f.linkByEmail),
	)
	form.Items[0].HintText = "The NameID identifies the person unless the IdP sends transient NameIDs; then name a stable attribute."
	form.Items[1].HintText = "On by default: Alice@Example.com and alice@example.com are one account."
	form.Items[2].HintText = "Off by default. A first sign-in then takes over an account from another IdP with the same email."
	return section(theme.LoginIcon(), "Account key", "What identifies a person's account from one sign-in to the next.", form)
}

// onLinkByEmail asks before linking by email is switched on: it is a
// trust decision.
func (f *mappingForm) onLinkByEmail(on bool) {
	f.m.LinkByEmail = on
	f.changed()
	if !on {
		return
	}
	msg := wrapped("With this on, the first sign-in through this IdP of someone whose email matches an account "+
		"that another IdP created takes over that account, with its roles and manual grants.\n\n"+
		"This is a trust decision: anyone who controls that email address at this IdP gets that account. "+
		"Turn it on only if this IdP verifies the email addresses it sends and you trust it as much as the other IdPs.",
		widget.MediumImportance)
	f.linkConfirm = dialog.NewCustomConfirm("Link accounts by email?", "Link by email", "Keep it off", msg, func(ok bool) {
		f.linkConfirm = nil
		if !ok {
			f.linkByEmail.SetChecked(false)
		}
	}, f.win)
	f.linkConfirm.SetConfirmImportance(widget.WarningImportance)
	f.linkConfirm.Resize(fyne.NewSize(520, f.linkConfirm.MinSize().Height))
	f.linkConfirm.Show()
}

// buildRules is the card of the ordered role rules.
func (f *mappingForm) buildRules() fyne.CanvasObject {
	f.rules = nil
	box := container.NewVBox()
	for i := range f.m.RoleRules {
		box.Add(f.buildRule(i))
	}
	if len(f.m.RoleRules) == 0 {
		box.Add(lowLabel("No rules yet: everyone gets the default role (or is denied, below)."))
	}
	f.addRule = widget.NewButtonWithIcon("Add rule", theme.ContentAddIcon(), func() {
		f.m.RoleRules = append(f.m.RoleRules, core.RoleRule{
			Conditions: []core.Condition{{Attribute: "groups", Operator: core.OpContains, CaseInsensitive: true}}})
		f.structureChanged()
	})
	f.addRule.Importance = widget.HighImportance
	return section(theme.ListIcon(), "Role rules",
		"Evaluated in order at every sign-in; every rule whose conditions all hold grants its roles. Roles granted by rules are recomputed each time; manual grants stay.",
		container.NewVBox(box, container.NewHBox(f.addRule)))
}

func (f *mappingForm) buildRule(i int) fyne.CanvasObject {
	r := f.m.RoleRules[i]
	where := fmt.Sprintf("role_rules[%d]", i)
	c := &ruleCard{err: f.errLabel(where), rolesErr: f.errLabel(where + ".roles")}
	f.rules = append(f.rules, c)

	c.name = widget.NewEntry()
	c.name.SetPlaceHolder("Name (optional), e.g. Admins → admin")
	c.name.SetText(r.Name)
	c.name.OnChanged = func(text string) {
		f.m.RoleRules[i].Name = strings.TrimSpace(text)
		f.changed()
	}
	c.up = widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { f.moveRule(i, i-1) })
	c.down = widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { f.moveRule(i, i+1) })
	c.remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
		f.m.RoleRules = slices.Delete(slices.Clone(f.m.RoleRules), i, i+1)
		f.structureChanged()
	})
	c.remove.Importance = widget.DangerImportance
	if i == 0 {
		c.up.Disable()
	}
	if i == len(f.m.RoleRules)-1 {
		c.down.Disable()
	}
	number := widget.NewLabelWithStyle(fmt.Sprintf("Rule %d", i+1), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head := container.NewBorder(nil, nil, number, container.NewHBox(c.up, c.down, c.remove), c.name)

	conds := container.NewVBox()
	for j := range r.Conditions {
		conds.Add(f.buildCondition(i, j, c))
	}
	c.addCond = widget.NewButtonWithIcon("Add condition", theme.ContentAddIcon(), func() {
		f.m.RoleRules[i].Conditions = append(slices.Clone(f.m.RoleRules[i].Conditions),
			core.Condition{Operator: core.OpContains, CaseInsensitive: true})
		f.structureChanged()
	})
	c.addCond.Importance = widget.LowImportance

	c.roles = widget.NewEntry()
	c.roles.SetPlaceHolder("roles from the catalogue, comma-separated")
	c.roles.SetText(strings.Join(r.Roles, ", "))
	c.roles.OnChanged = func(text string) {
		f.m.RoleRules[i].Roles = splitList(text)
		f.changed()
	}
	c.addRole = widget.NewButtonWithIcon("", theme.MenuDropDownIcon(), nil)
	c.addRole.OnTapped = func() { f.showRoleMenu(c) }
	grants := container.NewBorder(nil, nil, fieldName("Grants"), c.addRole, c.roles)

	when := widget.NewLabelWithStyle("When all of these hold:", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	body := container.NewVBox(head, when, conds, container.NewHBox(c.addCond), c.err, grants, c.rolesErr)
	return widget.NewCard("", "", body)
}

// showRoleMenu offers the catalogue's roles the rule does not grant yet.
func (f *mappingForm) showRoleMenu(c *ruleCard) {
	have := splitList(c.roles.Text)
	var items []*fyne.MenuItem
	for _, role := range f.roles {
		if slices.Contains(have, role) {
			continue
		}
		items = append(items, fyne.NewMenuItem(role, func() {
			c.roles.SetText(strings.Join(append(splitList(c.roles.Text), role), ", "))
		}))
	}
	if len(items) == 0 {
		none := fyne.NewMenuItem("Every role of the catalogue is granted", nil)
		none.Disabled = true
		items = append(items, none)
	}
	widget.ShowPopUpMenuAtRelativePosition(fyne.NewMenu("", items...), f.win.Canvas(),
		fyne.NewPos(0, c.addRole.Size().Height), c.addRole)
}

func (f *mappingForm) moveRule(from, to int) {
	if to < 0 || to >= len(f.m.RoleRules) {
		return
	}
	rules := slices.Clone(f.m.RoleRules)
	rules[from], rules[to] = rules[to], rules[from]
	f.m.RoleRules = rules
	f.structureChanged()
}

func (f *mappingForm) buildCondition(i, j int, card *ruleCard) fyne.CanvasObject {
	cond := f.m.RoleRules[i].Conditions[j]
	row := &condRow{err: f.errLabel(fmt.Sprintf("role_rules[%d].conditions[%d]", i, j))}
	card.conds = append(card.conds, row)
	set := func(change func(*core.Condition)) {
		conds := slices.Clone(f.m.RoleRules[i].Conditions)
		change(&conds[j])
		f.m.RoleRules[i].Conditions = conds
		f.changed()
	}

	row.attr = widget.NewEntry()
	row.attr.SetPlaceHolder("attribute")
	row.attr.SetText(cond.Attribute)
	row.attr.OnChanged = func(text string) { set(func(c *core.Condition) { c.Attribute = strings.TrimSpace(text) }) }
	ops := make([]string, len(core.Operators))
	for k, op := range core.Operators {
		ops[k] = operatorTitles[op]
	}
	row.op = widget.NewSelect(ops, nil)
	row.op.SetSelected(operatorTitles[cond.Operator])
	row.value = widget.NewEntry()
	row.value.SetPlaceHolder("value")
	row.value.SetText(cond.Value)
	row.value.OnChanged = func(text string) { set(func(c *core.Condition) { c.Value = text }) }
	row.ci = widget.NewCheck("Any case", nil)
	row.ci.SetChecked(cond.CaseInsensitive)
	row.ci.OnChanged = func(on bool) { set(func(c *core.Condition) { c.CaseInsensitive = on }) }
	valued := func(op core.Operator) {
		if op == core.OpExists || op == core.OpNotExists {
			row.value.Disable()
			row.ci.Disable()
			return
		}
		row.value.Enable()
		row.ci.Enable()
		if op == core.OpMatches {
			row.value.SetPlaceHolder("RE2 regular expression, e.g. ^eng-")
		} else {
			row.value.SetPlaceHolder("value")
		}
	}
	valued(cond.Operator)
	row.op.OnChanged = func(title string) {
		op := operatorOf(title)
		valued(op)
		set(func(c *core.Condition) {
			c.Operator = op
			if op == core.OpExists || op == core.OpNotExists {
				c.Value = ""
			}
		})
	}
	row.remove = widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() {
		f.m.RoleRules[i].Conditions = slices.Delete(slices.Clone(f.m.RoleRules[i].Conditions), j, j+1)
		f.structureChanged()
	})
	row.remove.Importance = widget.LowImportance

	line := container.New(conditionColumns, row.attr, row.op, row.value,
		container.NewBorder(nil, nil, nil, row.remove, row.ci))
	return container.NewVBox(line, row.err)
}

// conditionColumns lays out a condition: attribute, operator, value, and
// the case switch with the remove button.
var conditionColumns = columns{0.26, 0.2, 0.3, 0.24}

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
