package ui

// The role catalogue dialog, opened by the Mapping Rules screen's "Role
// catalogue…" button: list, create, rename, describe and delete roles.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// roleCatalogue is the role catalogue's dialog, opened from the Mapping
// Rules screen: every role with its description and how many accounts
// hold it; create, rename and describe, delete. Core refuses to delete a
// role that accounts hold or rules grant, and the dialog says why.
type roleCatalogue struct {
	r     *rules
	dlg   *dialog.CustomDialog
	roles []core.RoleInfo
	list  *widget.List

	selected  string // the role being edited, "" for a new one
	editTitle *widget.Label
	name      *widget.Entry
	desc      *widget.Entry
	saveBtn   *widget.Button
	deleteBtn *widget.Button
	newBtn    *widget.Button
	msg       *widget.Label
	saveWhy   *widget.Label // beside Save: why it is disabled
	caseWarn  *widget.Label // under the editor: a name like another but for case
	saving    bool
}

// openCatalogue shows the role catalogue.
func (r *rules) openCatalogue() {
	if r.catalogueDlg != nil {
		return
	}
	c := &roleCatalogue{r: r, roles: r.catalogue}
	c.list = widget.NewList(func() int { return len(c.roles) }, newRoleRow,
		func(id widget.ListItemID, o fyne.CanvasObject) { updateRoleRow(o, c.roles[id]) })
	c.list.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(c.roles) {
			c.edit(c.roles[id])
		}
	}
	c.editTitle = heading("")
	c.name = widget.NewEntry()
	c.name.SetPlaceHolder("e.g. editor")
	c.name.OnSubmitted = func(string) {
		if !c.saveBtn.Disabled() {
			c.onSave()
		}
	}
	c.name.OnChanged = func(string) { c.refreshSave() }
	c.desc = widget.NewMultiLineEntry()
	c.desc.Wrapping = fyne.TextWrapWord
	c.desc.SetPlaceHolder("What the role allows in your application")
	c.desc.SetMinRowsVisible(3)
	c.desc.OnChanged = func(string) { c.refreshSave() }
	c.saveBtn = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), c.onSave)
	c.saveBtn.Importance = widget.HighImportance
	c.deleteBtn = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), c.onDelete)
	c.deleteBtn.Importance = widget.DangerImportance
	c.newBtn = widget.NewButtonWithIcon("New role", theme.ContentAddIcon(), c.startNew)
	c.msg = errorLabel()
	c.saveWhy = widget.NewLabel("")
	c.saveWhy.Importance = widget.LowImportance
	c.caseWarn = wrapped("", widget.WarningImportance)
	c.caseWarn.Hide()

	form := widget.NewForm(widget.NewFormItem("Name", c.name), widget.NewFormItem("Description", c.desc))
	form.Items[0].HintText = "Renaming changes it in every rule and on every account."
	editor := container.NewVBox(c.editTitle, form,
		c.caseWarn, container.NewHBox(c.deleteBtn, layout.NewSpacer(), c.saveWhy, c.saveBtn), c.msg)
	left := container.NewBorder(nil, container.NewHBox(c.newBtn), nil, nil, c.list)
	body := container.NewBorder(
		wrapped("The roles rules and manual grants can give. A role cannot be deleted while accounts hold it or rules grant it.", widget.LowImportance),
		nil, container.NewGridWrap(fyne.NewSize(300, 360), left), nil, container.NewPadded(editor))

	closeBtn := widget.NewButtonWithIcon("Close", theme.CancelIcon(), func() { c.dlg.Hide() })
	c.dlg = dialog.NewCustomWithoutButtons("Role catalogue", body, r.app.win)
	c.dlg.SetButtons([]fyne.CanvasObject{closeBtn})
	c.dlg.SetOnClosed(func() {
		if r.catalogueDlg == c {
			r.catalogueDlg = nil
		}
	})
	r.catalogueDlg = c
	c.startNew()
	c.dlg.Resize(fyne.NewSize(820, 520))
	c.dlg.Show()
	r.reload.Trigger()
}

func newRoleRow() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("role", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	holders := widget.NewLabel("0 accounts")
	holders.Importance = widget.LowImportance
	desc := widget.NewLabel("")
	desc.Importance = widget.LowImportance
	desc.Truncation = fyne.TextTruncateEllipsis
	return container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()),
		container.NewBorder(nil, nil, nil, holders, name), desc)
}

func updateRoleRow(o fyne.CanvasObject, ri core.RoleInfo) {
	rows := o.(*fyne.Container).Objects
	line := rows[0].(*fyne.Container)
	line.Objects[0].(*widget.Label).SetText(ri.Name)
	line.Objects[1].(*widget.Label).SetText(plural(ri.Holders, "account", "accounts"))
	rows[1].(*widget.Label).SetText(orDash(ri.Description))
}

// update shows a new read of the catalogue.
func (c *roleCatalogue) update(roles []core.RoleInfo) {
	c.roles = roles
	c.list.Refresh()
	defer c.refreshSave()
	if i := slices.IndexFunc(roles, func(ri core.RoleInfo) bool { return ri.Name == c.selected }); i >= 0 {
		c.list.Select(i)
	} else {
		c.list.UnselectAll()
	}
}

// edit fills the editor with an existing role.
func (c *roleCatalogue) edit(ri core.RoleInfo) {
	if c.selected == ri.Name && c.name.Text != "" {
		return // the same role: keep unsaved edits
	}
	c.selected = ri.Name
	c.editTitle.SetText("Role “" + ri.Name + "” — " + plural(ri.Holders, "account holds", "accounts hold") + " it")
	c.name.SetText(ri.Name)
	c.desc.SetText(ri.Description)
	c.deleteBtn.Enable()
	showText(c.msg, "", widget.DangerImportance)
	c.refreshSave()
}

// startNew empties the editor for a new role.
func (c *roleCatalogue) startNew() {
	c.selected = ""
	c.list.UnselectAll()
	c.editTitle.SetText("New role")
	c.name.SetText("")
	c.desc.SetText("")
	c.deleteBtn.Disable()
	showText(c.msg, "", widget.DangerImportance)
	c.refreshSave()
}

// onSave creates the role, or renames and describes the selected one, in
// the background.
func (c *roleCatalogue) onSave() {
	name, desc, old := strings.TrimSpace(c.name.Text), strings.TrimSpace(c.desc.Text), c.selected
	if name == "" {
		showText(c.msg, "A role needs a name.", widget.DangerImportance)
		return
	}
	c.saving = true
	c.refreshSave()
	a := c.r.app
	backgroundErr(a, "save role "+name, func(ctx context.Context) error {
		if old != "" && old != name {
			if err := a.svc.RenameRole(ctx, old, name); err != nil {
				return err
			}
		}
		return a.svc.SaveRole(ctx, name, desc)
	}, func(err error) {
		c.saving = false
		defer c.refreshSave()
		if err != nil {
			showText(c.msg, errorText(err), widget.DangerImportance)
			return
		}
		c.selected = name
		c.deleteBtn.Enable()
		c.editTitle.SetText("Role “" + name + "”")
		text := fmt.Sprintf("Saved “%s”.", name)
		if old != "" && old != name {
			text = fmt.Sprintf("Renamed “%s” to “%s”.", old, name)
		}
		showText(c.msg, text, widget.SuccessImportance)
		c.r.reload.Trigger()
	})
}

// onDelete deletes the selected role in the background; core refuses
// when it is held or granted by rules.
func (c *roleCatalogue) onDelete() {
	name := c.selected
	if name == "" {
		return
	}
	c.deleteBtn.Disable()
	a := c.r.app
	backgroundErr(a, "delete role "+name, func(ctx context.Context) error {
		return a.svc.DeleteRole(ctx, name)
	}, func(err error) {
		if err != nil {
			c.deleteBtn.Enable()
			showText(c.msg, "Not deleted: "+errorText(err), widget.DangerImportance)
			return
		}
		c.startNew()
		showText(c.msg, fmt.Sprintf("Deleted “%s”.", name), widget.SuccessImportance)
		c.r.reload.Trigger()
	})
}

// refreshSave enables Save when the editor holds something to save and
// says beside it why not otherwise; a name that differs from another
// role's only in case ("Admin" beside "admin") is a warning under the
// editor, since rules, grants and applications may take them for one.
func (c *roleCatalogue) refreshSave() {
	name := strings.TrimSpace(c.name.Text)
	why := ""
	warn := ""
	var current *core.RoleInfo
	for i, ri := range c.roles {
		switch {
		case ri.Name == c.selected && c.selected != "":
			current = &c.roles[i]
		case ri.Name == name:
			why = fmt.Sprintf("“%s” already exists: pick it in the list to edit it", name)
		case strings.EqualFold(ri.Name, name):
			warn = fmt.Sprintf("“%s” differs from the role “%s” only in case: rules, grants and your application may take them for one role. Use “%s”, or a name that differs.", name, ri.Name, ri.Name)
		}
	}
	switch {
	case c.saving:
		why = "Saving…"
	case name == "":
		why = "Name the role to save it"
	case why != "":
	case current != nil && name == current.Name && strings.TrimSpace(c.desc.Text) == strings.TrimSpace(current.Description):
		why = "No changes to save"
	}
	enable(c.saveBtn, why == "")
	c.saveWhy.SetText(why)
	showText(c.caseWarn, warn, widget.WarningImportance)
}
