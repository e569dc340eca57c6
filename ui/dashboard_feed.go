package ui

// The dashboard's live activity: the feed's rows, whose message takes the
// row's width, and the selected event's detail under it in a split the
// user can drag, with a link to the account the event is about.

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

func (d *dashboard) buildFeed() fyne.CanvasObject {
	d.feedList = widget.NewList(
		func() int { return len(d.events) },
		newFeedRow,
		func(id widget.ListItemID, o fyne.CanvasObject) { updateFeedRow(o, d.events[id]) },
	)
	d.feedList.OnSelected = func(id widget.ListItemID) {
		d.selectedIdx, d.selectedEvt = id, d.events[id].ID
		d.showEventDetail(d.events[id])
	}
	d.feedDetail = widget.NewLabel("Select an event to see its details.")
	d.feedDetail.Wrapping = fyne.TextWrapWord
	d.feedDetail.Importance = widget.LowImportance // until an event is selected
	d.openUser = widget.NewButtonWithIcon("Open account", theme.AccountIcon(), func() { d.app.showUser(d.detailUser) })
	d.openUser.Importance = widget.LowImportance
	d.openUser.Hide()
	d.detailScroll = container.NewVScroll(container.NewVBox(container.NewHBox(d.openUser), d.feedDetail))
	d.feedSplit = container.NewVSplit(d.feedList, container.NewBorder(widget.NewSeparator(), nil, nil, nil, d.detailScroll))
	d.feedSplit.Offset = 0.6
	return widget.NewCard("", "", container.NewBorder(heading("Live activity"), nil, nil, nil, d.feedSplit))
}

// newFeedRow is a row of the feed: the outcome's icon, then the message
// over the whole width left, with the time and the IdP in a line under it.
func newFeedRow() fyne.CanvasObject {
	icon := widget.NewIcon(theme.InfoIcon())
	msg := widget.NewLabel("")
	msg.Truncation = fyne.TextTruncateEllipsis
	meta := widget.NewLabel("00:00:00 · idp-slug")
	meta.Importance = widget.LowImportance
	meta.Truncation = fyne.TextTruncateEllipsis
	meta.SizeName = theme.SizeNameCaptionText
	lines := container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), msg, meta)
	return container.NewBorder(nil, nil, container.NewCenter(icon), nil, lines)
}

func updateFeedRow(o fyne.CanvasObject, e core.Event) {
	row := o.(*fyne.Container)
	lines := row.Objects[0].(*fyne.Container)
	icon := row.Objects[1].(*fyne.Container).Objects[0].(*widget.Icon)
	icon.SetResource(outcomeIcon(e.Outcome))
	lines.Objects[0].(*widget.Label).SetText(eventText(e))
	meta := clockTime(e.At)
	if e.IdPSlug != "" {
		meta += " · " + e.IdPSlug
	}
	lines.Objects[1].(*widget.Label).SetText(meta)
}

func (d *dashboard) showEventDetail(e core.Event) {
	lines := []string{fmt.Sprintf("%s · %s · %s", longTime(e.At), e.Kind, e.Outcome)}
	if e.IdPSlug != "" {
		lines = append(lines, "IdP: "+e.IdPSlug)
	}
	if e.Subject != "" {
		lines = append(lines, "Subject: "+e.Subject)
	}
	lines = append(lines, "", e.Message)
	if e.Detail != "" {
		lines = append(lines, e.Detail)
	}
	d.feedDetail.Importance = outcomeImportance(e.Outcome)
	if e.Outcome == core.OutcomeInfo {
		d.feedDetail.Importance = widget.MediumImportance
	}
	d.feedDetail.SetText(strings.Join(lines, "\n"))
	d.detailUser = e.UserID
	if e.UserID != 0 {
		who := e.Subject
		if who == "" {
			who = fmt.Sprintf("account %d", e.UserID)
		}
		d.openUser.SetText("Open " + who + " in Users")
		d.openUser.Show()
	} else {
		d.openUser.Hide()
	}
	d.detailScroll.ScrollToTop()
}
