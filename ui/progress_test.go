package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// TestProgressBarLooksEmptyAtZero checks, in both variants of the console's
// theme, that at 0% nothing of the bar is in the primary colour and its
// track is the input background (an empty field), and that at 50% half the
// track is filled.
func TestProgressBarLooksEmptyAtZero(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		test.NewTempApp(t)
		th := variantTheme{newConsoleTheme(), v}
		test.ApplyTheme(t, th)
		p := newProgressBar()
		w := test.NewTempWindow(t, p)
		w.Resize(fyne.NewSize(300, 60))
		p.Resize(fyne.NewSize(300, 40))
		r := test.WidgetRenderer(p).(*progressRenderer)

		p.SetValue(0)
		if !r.fill.Hidden && r.fill.Size().Width > 0 {
			t.Errorf("variant %d: at 0%% the fill shows, %v wide", v, r.fill.Size().Width)
		}
		if got, want := nrgba(r.track.FillColor), nrgba(th.Color(theme.ColorNameInputBackground, v)); got != want {
			t.Errorf("variant %d: track = %v, want the input background %v", v, got, want)
		}
		if c := contrast(r.track.FillColor, th.Color(theme.ColorNamePrimary, v)); c < 2 {
			t.Errorf("variant %d: the track is hard to tell from the fill (%.2f:1)", v, c)
		}
		if r.label.Text != "0%" {
			t.Errorf("variant %d: label = %q, want 0%%", v, r.label.Text)
		}

		p.SetValue(0.5)
		if r.fill.Hidden || r.fill.Size().Width != r.track.Size().Width/2 {
			t.Errorf("variant %d: at 50%% the fill is %v of %v (hidden %v)", v, r.fill.Size().Width, r.track.Size().Width, r.fill.Hidden)
		}
		if got := r.fill.FillColor; nrgba(got) != nrgba(th.Color(theme.ColorNamePrimary, v)) {
			t.Errorf("variant %d: fill = %v, want primary", v, nrgba(got))
		}
	}
}

// variantTheme is a theme that always draws in one variant, for tests.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}
