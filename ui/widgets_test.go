package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func TestFitDialogKeepsToTheWindow(t *testing.T) {
	cases := []struct {
		name   string
		window fyne.Size
		width  float32
		text   string
	}{
		{"short text, wide window", fyne.NewSize(1400, 900), 480, "Disable 3 accounts?"},
		{"long text, small window", fyne.NewSize(500, 400), 480, strings.Repeat("Their sign-ins are refused until enabled again. ", 12)},
		{"preferred wider than the window", fyne.NewSize(400, 700), 900, "Delete the account?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := test.NewTempWindow(t, widget.NewLabel(""))
			w.Resize(c.window)
			d := dialog.NewCustomConfirm("Sure?", "Yes", "No", wrapped(c.text, widget.MediumImportance), nil, w)
			d.Show()
			fitDialog(d, w, c.width)
			// The pop-up's content is the dialog less the pop-up's padding.
			size := w.Canvas().Overlays().Top().(*widget.PopUp).Content.Size().AddWidthHeight(2*theme.Padding(), 2*theme.Padding())
			if size.Width > c.window.Width*dialogShare+0.5 || size.Height > c.window.Height*dialogShare+0.5 {
				t.Errorf("the dialog is %v in a %v window", size, c.window)
			}
			if c.width < c.window.Width*dialogShare && size.Width < c.width-0.5 {
				t.Errorf("the dialog is %v wide, want %v", size.Width, c.width)
			}
			if min := d.MinSize(); size.Height < c.window.Height*dialogShare-0.5 && min.Height > size.Height+0.5 {
				t.Errorf("the dialog is %v, its content needs %v", size, min)
			}
		})
	}
}
