package ui

// Opening a URL in the system browser, saying so when it cannot: Fyne's
// OpenURL reports some failures (xdg-open missing or not startable) and
// not others, so every "Sign in as…" also shows its URL to copy, and a
// detectable failure shows a dialog with the URL and a copy button.

import (
	"errors"
	"net/url"
	"os/exec"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// noBrowserTitle heads the dialog shown when no browser could be opened.
const noBrowserTitle = "No web browser could be opened"

// browserOpener reports, before a URL is opened, whether this system
// has a way to open a browser (nil when it seems to).
type browserOpener func() error

// systemBrowserOpener checks for xdg-open where Fyne's driver uses it
// (Linux and the BSDs); elsewhere the OS always has an opener.
func systemBrowserOpener() error {
	switch runtime.GOOS {
	case "windows", "darwin", "android", "ios", "js":
		return nil
	}
	if _, err := exec.LookPath("xdg-open"); err != nil {
		return errors.New("xdg-open, which opens the browser, is not installed")
	}
	return nil
}

// openURL opens raw in the system browser; when that fails detectably it
// shows a dialog with the URL to copy into a browser.
func (a *App) openURL(raw string) {
	find := a.findBrowser
	if find == nil {
		find = systemBrowserOpener
	}
	u, err := url.Parse(raw)
	if err == nil {
		err = find()
	}
	if err == nil {
		err = a.fyneApp.OpenURL(u)
	}
	if err != nil {
		a.showNoBrowser(raw, err)
	}
}

// showNoBrowser shows the dialog with raw and a copy button.
func (a *App) showNoBrowser(raw string, why error) {
	text := widget.NewLabel("The browser did not open (" + why.Error() + "). Copy this URL into a browser:")
	text.Wrapping = fyne.TextWrapWord
	u := mono(raw)
	u.Wrapping = fyne.TextWrapBreak
	copyButton := widget.NewButtonWithIcon("Copy URL", theme.ContentCopyIcon(), func() {
		a.fyneApp.Clipboard().SetContent(raw)
	})
	content := container.NewVBox(text, u, container.NewHBox(copyButton))
	d := dialog.NewCustom(noBrowserTitle, "Close", content, a.win)
	d.Resize(fyne.NewSize(fyne.Min(560, a.win.Canvas().Size().Width), 220))
	a.noBrowser = d
	d.Show()
}
