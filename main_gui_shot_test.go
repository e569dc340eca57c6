package main

import (
	"fmt"
	"image"
	"image/color"
)

// primaryColour is the primary colour of Fyne's default theme (light and
// dark alike): the console marks its selected navigation tab with it.
var primaryColour = color.NRGBA{R: 41, G: 111, B: 246, A: 255}

// isPrimary tells whether c is the primary colour, within a margin for
// anti-aliasing and the renderer's rounding.
func isPrimary(c color.Color) bool {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	near := func(a, b uint8) bool { return int(a)-int(b) <= 24 && int(b)-int(a) <= 24 }
	return near(n.R, primaryColour.R) && near(n.G, primaryColour.G) && near(n.B, primaryColour.B)
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
		return fmt.Errorf("the navigation column (%v) shows %d pixels of the primary colour %v, the tallest vertical line of it %d pixels; "+
			"want the selected Dashboard tab: at least 300 pixels and a bar of 40", region, primary, primaryColour, longestBar)
	}
	return nil
}
