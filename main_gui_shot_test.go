package main

import (
	"fmt"
	"image"
	"image/color"
	"sync"

	fynetest "fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/jitconsole/jitconsole/ui"
)

// primaryColours are the primary colour of the console's theme in its
// light and dark variants (the window shows one, as the system prefers):
// the console marks its selected navigation tab with it.
func primaryColours() []color.NRGBA {
	primaryOnce.Do(func() {
		fynetest.NewApp() // Fyne's theme reads the app's primary colour setting
		th := ui.Theme()
		primaries = []color.NRGBA{
			nrgba(th.Color(theme.ColorNamePrimary, theme.VariantLight)),
			nrgba(th.Color(theme.ColorNamePrimary, theme.VariantDark)),
		}
	})
	return primaries
}

var (
	primaryOnce sync.Once
	primaries   []color.NRGBA
)

func nrgba(c color.Color) color.NRGBA { return color.NRGBAModel.Convert(c).(color.NRGBA) }

// isPrimary tells whether c is a primary colour, within a margin for
// anti-aliasing and the renderer's rounding.
func isPrimary(c color.Color) bool {
	n := nrgba(c)
	near := func(a, b uint8) bool { return int(a)-int(b) <= 24 && int(b)-int(a) <= 24 }
	for _, p := range primaryColours() {
		if near(n.R, p.R) && near(n.G, p.G) && near(n.B, p.B) {
			return true
		}
	}
	return false
}

// dashboardShown checks that a screenshot of the window shows the console
// with its Dashboard tab selected: in the navigation column (the left
// quarter, top fifth of the window) the selected tab is drawn in the
// primary colour — its icon and label, and a vertical indicator bar beside
// it. An error window (like the one of a console that cannot start) or an
// empty frame has no such marks. Sizes are not compared with a picture, so
// that other fonts pass.
func dashboardShown(img image.Image) error {
	b := img.Bounds()
	region := image.Rect(b.Min.X, b.Min.Y, b.Min.X+b.Dx()/4, b.Min.Y+b.Dy()/5)
	primary, longestBar := 0, 0
	for x := region.Min.X; x < region.Max.X; x++ {
		run := 0
		for y := region.Min.Y; y < region.Max.Y; y++ {
			if !isPrimary(img.At(x, y)) {
				run = 0
				continue
			}
			primary++
			run++
			longestBar = max(longestBar, run)
		}
	}
	// The home icon alone is some 30×30 pixels; the indicator bar is as
	// tall as the tab (icon and label), some 80 pixels.
	if primary < 300 || longestBar < 40 {
		return fmt.Errorf("the navigation column (%v) shows %d pixels of the primary colours %v, the tallest vertical line of it %d pixels; "+
			"want the selected Dashboard tab: at least 300 pixels and a bar of 40", region, primary, primaryColours(), longestBar)
	}
	return nil
}
