package ui

import (
	"fmt"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// textPair is text in colour fg drawn on background bg.
type textPair struct {
	fg, bg string
	fgc    color.Color
	bgc    color.Color
}

// consoleTextPairs are the text/background pairs the console draws in
// variant v of th: every text colour on every background text sits on,
// and the text of primary, success, warning and danger buttons on them.
// The disabled colour counts as text: Fyne draws low-importance labels
// (hints, timestamps, secondary lines) in it.
func consoleTextPairs(th fyne.Theme, v fyne.ThemeVariant) []textPair {
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, v) }
	bg := c(theme.ColorNameBackground)
	backgrounds := []struct {
		name string
		c    color.Color
	}{
		{"background", bg},
		{"inputBackground", c(theme.ColorNameInputBackground)},
		{"headerBackground", c(theme.ColorNameHeaderBackground)},
		{"menuBackground", c(theme.ColorNameMenuBackground)},
		{"overlayBackground", c(theme.ColorNameOverlayBackground)},
		{"button", c(theme.ColorNameButton)},
		{"hover over background", over(c(theme.ColorNameHover), bg)},
		{"selection over background", over(c(theme.ColorNameSelection), bg)},
	}
	texts := []fyne.ThemeColorName{
		theme.ColorNameForeground, theme.ColorNamePlaceHolder, theme.ColorNameDisabled,
		theme.ColorNamePrimary, theme.ColorNameHyperlink, theme.ColorNameSuccess,
		theme.ColorNameWarning, theme.ColorNameError,
	}
	var pairs []textPair
	for _, fg := range texts {
		for _, b := range backgrounds {
			pairs = append(pairs, textPair{string(fg), b.name, c(fg), b.c})
		}
	}
	for _, on := range []struct{ fg, bg fyne.ThemeColorName }{
		{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
		{theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess},
		{theme.ColorNameForegroundOnWarning, theme.ColorNameWarning},
		{theme.ColorNameForegroundOnError, theme.ColorNameError},
	} {
		pairs = append(pairs, textPair{string(on.fg), string(on.bg), c(on.fg), c(on.bg)})
	}
	return pairs
}

// failingPairs lists the pairs of th under 4.5:1 in both variants.
func failingPairs(th fyne.Theme) []string {
	var failed []string
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, p := range consoleTextPairs(th, v) {
			if r := contrast(p.fgc, p.bgc); r < 4.5 {
				failed = append(failed, fmt.Sprintf("variant %d: %s %v on %s %v: %.2f:1",
					v, p.fg, nrgba(p.fgc), p.bg, nrgba(p.bgc), r))
			}
		}
	}
	return failed
}

// TestThemeTextContrast walks every text/background pair of the console's
// theme in the light and the dark variant and wants WCAG AA (4.5:1) for
// each; Fyne's stock theme, which the console's replaces, must fail it, so
// that the check cannot pass by accident.
func TestThemeTextContrast(t *testing.T) {
	test.NewTempApp(t)
	for _, tc := range []struct {
		name     string
		theme    fyne.Theme
		wantPass bool
	}{
		{"console", newConsoleTheme(), true},
		{"fyne stock", theme.DefaultTheme(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			failed := failingPairs(tc.theme)
			switch {
			case tc.wantPass:
				for _, f := range failed {
					t.Errorf("under 4.5:1: %s", f)
				}
			case len(failed) == 0:
				t.Errorf("the stock theme passes; the check no longer tells anything")
			default:
				t.Logf("%d pairs of the stock theme under 4.5:1:", len(failed))
				for _, f := range failed {
					t.Log("  " + f)
				}
			}
		})
	}
}

// TestThemeKeepsLowTextSecondary checks that making the faint colours
// readable keeps them apart from the main text: secondary lines still look
// secondary.
func TestThemeKeepsLowTextSecondary(t *testing.T) {
	test.NewTempApp(t)
	th := newConsoleTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		fg := th.Color(theme.ColorNameForeground, v)
		for _, n := range []fyne.ThemeColorName{theme.ColorNameDisabled, theme.ColorNamePlaceHolder} {
			if r := contrast(fg, th.Color(n, v)); r < 1.3 {
				t.Errorf("variant %d: %s %v is too close to the foreground %v (%.2f:1)", v, n, nrgba(th.Color(n, v)), nrgba(fg), r)
			}
		}
	}
}

// TestContrast checks the WCAG formula on known pairs.
func TestContrast(t *testing.T) {
	for _, tc := range []struct {
		a, b color.Color
		want float64
	}{
		{color.Black, color.White, 21},
		{color.White, color.White, 1},
		{color.NRGBA{0x76, 0x76, 0x76, 0xff}, color.White, 4.54},
		{color.NRGBA{0xff, 0x98, 0x00, 0xff}, color.White, 2.16},
	} {
		if got := contrast(tc.a, tc.b); got < tc.want-0.01 || got > tc.want+0.01 {
			t.Errorf("contrast(%v, %v) = %.3f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}
}
