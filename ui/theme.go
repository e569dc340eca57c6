package ui

// The console's theme: Fyne's default light and dark variants with the
// colours of text moved, where they need it, until every text/background
// pair the screens draw reads at WCAG AA (4.5:1).

import (
	"image/color"
	"math"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// minContrast is the contrast the theme aims for: WCAG AA's 4.5:1 for body
// text, with a little room so that rounding to 8-bit channels never drops
// a pair under it.
const minContrast = 4.6

// mainTextContrast is the contrast of the main text (WCAG AAA's 7:1):
// higher than the rest, so that secondary lines, which reach only
// minContrast, still look secondary beside it.
const mainTextContrast = 7.0

// consoleTheme is Fyne's default theme, in whichever variant the app asks
// for, with its text colours made readable. Backgrounds stay as Fyne has
// them; a text colour that is too faint on one of them is moved towards
// black (light variant) or white (dark variant) until it reaches
// minContrast on all of them. Fyne draws low-importance labels (the
// console's hints, timestamps and secondary lines) in the disabled colour,
// so the disabled colour is one of the text colours made readable; a
// disabled button is told apart by its missing fill instead.
//
// The accent colours (primary, success, warning, error) are both text on
// the backgrounds and the backgrounds of buttons and badges. They are moved
// the same way, and the text drawn on them is white in the light variant
// and the window's background in the dark one: the accent's contrast with
// that is at least its contrast with the backgrounds.
type consoleTheme struct {
	fyne.Theme // Fyne's default theme, for everything but the colours

	mu    sync.Mutex
	cache map[adjustKey]color.Color
}

// adjustKey names one adjustment: a stock colour, in a variant, against
// the backgrounds of that variant (which depend on the primary colour
// through the selection).
type adjustKey struct {
	variant   fyne.ThemeVariant
	least     float64
	stock     color.NRGBA
	selection color.NRGBA
}

// Theme is the console's theme, which its window draws with: Fyne's
// default one with readable text colours (see consoleTheme).
func Theme() fyne.Theme { return newConsoleTheme() }

// isConsoleTheme reports whether th is the console's theme, in any
// variant (the Settings screen's fixed ones included).
func isConsoleTheme(th fyne.Theme) bool {
	switch th := th.(type) {
	case *consoleTheme:
		return true
	case fixedVariant:
		return isConsoleTheme(th.Theme)
	}
	return false
}

// newConsoleTheme is the console's theme over Fyne's default one.
func newConsoleTheme() fyne.Theme {
	return &consoleTheme{Theme: theme.DefaultTheme(), cache: map[adjustKey]color.Color{}}
}

// textColors are the colour names the console draws text in on the
// window's backgrounds.
var textColors = map[fyne.ThemeColorName]bool{
	theme.ColorNameForeground:  true,
	theme.ColorNamePlaceHolder: true,
	theme.ColorNameDisabled:    true, // low-importance labels
	theme.ColorNamePrimary:     true, // high-importance labels, primary buttons
	theme.ColorNameHyperlink:   true,
	theme.ColorNameSuccess:     true,
	theme.ColorNameWarning:     true,
	theme.ColorNameError:       true,
}

// onAccentColors are the colours of text on an accent background.
var onAccentColors = map[fyne.ThemeColorName]bool{
	theme.ColorNameForegroundOnPrimary: true,
	theme.ColorNameForegroundOnSuccess: true,
	theme.ColorNameForegroundOnWarning: true,
	theme.ColorNameForegroundOnError:   true,
}

// Color is the default theme's colour n, made readable when it is a text
// colour.
func (t *consoleTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch {
	case n == theme.ColorNameForeground:
		return t.readable(t.Theme.Color(n, v), v, mainTextContrast)
	case textColors[n]:
		return t.readable(t.Theme.Color(n, v), v, minContrast)
	case onAccentColors[n]:
		if v == theme.VariantLight {
			return color.White
		}
		return t.Theme.Color(theme.ColorNameBackground, v)
	case n == theme.ColorNameDisabledButton:
		// Disabled text is as readable as a hint, so a disabled button
		// tells itself apart by having no fill.
		return t.Theme.Color(theme.ColorNameBackground, v)
	}
	return t.Theme.Color(n, v)
}

// textBackgrounds are the opaque colours text is drawn on in variant v of
// th: the window, inputs, headers, menus, dialogs, buttons, and list rows
// under the hover and the selection overlays.
func textBackgrounds(th fyne.Theme, v fyne.ThemeVariant) []color.Color {
	bg := th.Color(theme.ColorNameBackground, v)
	return []color.Color{
		bg,
		th.Color(theme.ColorNameInputBackground, v),
		th.Color(theme.ColorNameHeaderBackground, v),
		th.Color(theme.ColorNameMenuBackground, v),
		th.Color(theme.ColorNameOverlayBackground, v),
		th.Color(theme.ColorNameButton, v),
		over(th.Color(theme.ColorNameHover, v), bg),
		over(th.Color(theme.ColorNameSelection, v), bg),
	}
}

// readable is c, or c moved towards black (light variant) or white (dark)
// just far enough to reach the contrast least on every text background of
// v.
func (t *consoleTheme) readable(c color.Color, v fyne.ThemeVariant, least float64) color.Color {
	key := adjustKey{variant: v, least: least, stock: nrgba(c), selection: nrgba(t.Theme.Color(theme.ColorNameSelection, v))}
	t.mu.Lock()
	defer t.mu.Unlock()
	if got, ok := t.cache[key]; ok {
		return got
	}
	bgs := textBackgrounds(t.Theme, v)
	target := color.NRGBA{A: 0xff}
	if v != theme.VariantLight {
		target = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	}
	out := key.stock
	out.A = 0xff
	for step := 0; step <= 100 && minContrastOn(out, bgs) < least; step++ {
		out = mix(key.stock, target, float64(step)/100)
	}
	t.cache[key] = out
	return out
}

// minContrastOn is the lowest contrast of fg on any of bgs.
func minContrastOn(fg color.Color, bgs []color.Color) float64 {
	least := math.Inf(1)
	for _, bg := range bgs {
		least = math.Min(least, contrast(fg, bg))
	}
	return least
}

// contrast is the WCAG 2 contrast ratio of two opaque colours, from 1 to
// 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is the WCAG 2 relative luminance of c (its alpha ignored).
func luminance(c color.Color) float64 {
	n := nrgba(c)
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}

// over is the opaque colour of the translucent fg painted over bg.
func over(fg, bg color.Color) color.Color {
	f, b := nrgba(fg), nrgba(bg)
	a := float64(f.A) / 255
	ch := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*a + float64(y)*(1-a))) }
	return color.NRGBA{R: ch(f.R, b.R), G: ch(f.G, b.G), B: ch(f.B, b.B), A: 0xff}
}

// mix is the opaque colour a fraction t of the way from a to b.
func mix(a, b color.NRGBA, t float64) color.NRGBA {
	ch := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-t) + float64(y)*t)) }
	return color.NRGBA{R: ch(a.R, b.R), G: ch(a.G, b.G), B: ch(a.B, b.B), A: 0xff}
}

// nrgba is c as non-premultiplied 8-bit channels.
func nrgba(c color.Color) color.NRGBA {
	return color.NRGBAModel.Convert(c).(color.NRGBA)
}
