package ui

// The key banner's offer to move private keys kept in files (saved while
// no OS keyring was reachable) into the OS keyring, now that it answers.

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// keyMoveService is the part of the service that moves keys into the OS
// keyring (*core.Console has it).
type keyMoveService interface {
	CanMoveKeysToKeyring() bool
	MoveKeysToKeyring(ctx context.Context) error
	KeyWarning() string
}

// keyMoveAction is the banner's "Move keys into the keyring" button, or
// nil when there is nothing to move or the keyring does not answer.
func (a *App) keyMoveAction() fyne.CanvasObject {
	svc, ok := a.svc.(keyMoveService)
	if !ok || !svc.CanMoveKeysToKeyring() {
		return nil
	}
	a.keyMove = widget.NewButtonWithIcon("Move keys into the keyring", theme.UploadIcon(), a.onMoveKeys)
	a.keyMove.Importance = widget.HighImportance
	return a.keyMove
}

// onMoveKeys moves the keys in the background; the banner goes when
// nothing is left in files, and otherwise says what is left and why.
func (a *App) onMoveKeys() {
	svc := a.svc.(keyMoveService)
	a.keyMove.Disable()
	a.keyMove.SetText("Moving…")
	backgroundErr(a, "move the private keys into the OS keyring", svc.MoveKeysToKeyring, func(err error) {
		left := svc.KeyWarning()
		if left == "" && err == nil {
			a.banner.Hide()
			a.win.Content().Refresh()
			dialog.ShowInformation("Keys moved", "The private keys are now in the OS keyring; their files are gone.", a.win)
			return
		}
		a.warning.SetText(left)
		a.keyMove.SetText("Move keys into the keyring")
		a.keyMove.Enable()
		if err != nil {
			a.bridge.showErrorNow(err)
		}
	})
}
