package ui

// The Mapping Rules screen's "Role rules" card: the ordered rules, each with
// its conditions (attribute, operator, value) and the roles it grants.

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

	line := newFlowRow(conditionWeights,
		container.New(atLeast{conditionFieldWidth}, row.attr),
		container.New(atLeast{operatorWidth(ops)}, row.op),
		container.New(atLeast{conditionFieldWidth}, row.value),
		container.NewBorder(nil, nil, nil, row.remove, row.ci))
	return container.NewVBox(line, row.err)
}

// conditionWeights share a condition line's spare room: attribute,
// operator, value, and the case switch with the remove button. The row
// wraps (flowRow) when the parts do not fit side by side.
var conditionWeights = []float32{3, 1, 4, 1}

// conditionFieldWidth is the least width of a condition's attribute and
// value entries: narrower, they would show a few letters; the row wraps
// instead.
const conditionFieldWidth = 150

// operatorWidth is the width of an operator dropdown showing the longest
// of titles whole. A Select asks only for the width of its placeholder
// (its label truncates the choice to the room it gets), so a probe with
// each title as placeholder measures it, plus the room the label's own
// padding takes.
func operatorWidth(titles []string) float32 {
	probe := widget.NewSelect(nil, nil)
	var w float32
	for _, t := range titles {
		probe.PlaceHolder = t
		w = max(w, probe.MinSize().Width)
	}
	return w + 2*theme.InnerPadding()
}
