package ui

// The Mapping Rules screen's editor form (mappingForm): the working copy of
// one IdP's mapping, how the form is built from its cards and rebuilt, and
// where a validation problem is shown. Each card has a file of its own:
// mappingrules_fieldmapping.go, _accountkey.go, _rolerules.go, _policies.go.

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

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
