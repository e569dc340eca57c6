// Command minimalwindow is the yardstick for the console's memory: the
// smallest Fyne window (a label and a button), built with the same Fyne
// and measured the same way by scripts/rss.sh, so that the console's idle
// RSS can be given as a ratio to what Fyne itself costs on this machine.
package main

import (
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("dev.jitconsole.minimalwindow")
	w := a.NewWindow("Minimal window")
	label := widget.NewLabel("Hello")
	w.SetContent(container.NewVBox(label, widget.NewButton("Press", func() { label.SetText("Pressed") })))
	w.ShowAndRun()
}
