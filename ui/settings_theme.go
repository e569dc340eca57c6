package ui

// The theme the Settings screen chooses (system, light or dark),
// remembered in Fyne's preferences and applied to the app.

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Theme variants the Settings screen offers, as stored in the preferences.
const (
	themeSystem = "system"
	themeLight  = "light"
	themeDark   = "dark"
	// themePreference is the preferences key of the chosen variant.
	themePreference = "theme"
)

// storedThemeVariant is the variant kept in a's preferences (system when
// none or an unknown one is).
func storedThemeVariant(a fyne.App) string {
	switch v := a.Preferences().StringWithFallback(themePreference, themeSystem); v {
	case themeLight, themeDark:
		return v
	default:
		return themeSystem
	}
}

// applyThemeVariant makes a draw in variant v: themeLight, themeDark or
// themeSystem (follow the OS), in the console's own theme. It is the one
// place that sets the app's theme for a variant.
func applyThemeVariant(a fyne.App, v string) {
	base := newConsoleTheme() // readable in both variants (theme.go)
	switch v {
	case themeLight:
		a.Settings().SetTheme(fixedVariant{Theme: base, variant: theme.VariantLight})
	case themeDark:
		a.Settings().SetTheme(fixedVariant{Theme: base, variant: theme.VariantDark})
	default:
		a.Settings().SetTheme(base)
	}
}

// fixedVariant is a theme drawn in one variant whatever the OS prefers.
type fixedVariant struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

// Color is the base theme's colour n in the fixed variant.
func (t fixedVariant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}
