//go:build !windows && !darwin && !js && !android

package fynelocale

import (
	"testing"

	"github.com/jeandeaual/go-locale"
	"golang.org/x/text/language"
)

func TestLanguageFor(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // "": left as it is
	}{
		{"unset", nil, ""},
		{"C", map[string]string{"LANG": "C"}, ""},
		{"POSIX", map[string]string{"LANG": "POSIX"}, ""},
		{"LC_ALL C over a bad LANG", map[string]string{"LC_ALL": "C", "LANG": "C.UTF-8"}, ""},
		{"C.UTF-8", map[string]string{"LANG": "C.UTF-8"}, "en"},
		{"C.utf8", map[string]string{"LANG": "C.utf8"}, "en"},
		{"LC_ALL C.UTF-8", map[string]string{"LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"}, "en"},
		{"LC_MESSAGES C.UTF-8", map[string]string{"LC_MESSAGES": "C.UTF-8", "LANG": "de_DE.UTF-8"}, "en"},
		{"unknown language", map[string]string{"LANG": "xx_YY.UTF-8"}, "en"},
		{"modifier", map[string]string{"LANG": "de_DE@euro"}, "de_DE"},
		{"encoding and modifier", map[string]string{"LANG": "de_DE.UTF-8@euro"}, ""},
		{"valid", map[string]string{"LANG": "fr_FR.UTF-8"}, ""},
		{"valid without territory", map[string]string{"LANG": "pt"}, ""},
		{"valid LANGUAGE list", map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "de_DE:fr"}, ""},
		{"LANGUAGE with a bad entry", map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "xx:de_DE@euro::fr"}, "de_DE:fr"},
		{"LANGUAGE all bad, LANG valid", map[string]string{"LANG": "sv_SE.UTF-8", "LANGUAGE": "C.UTF-8"}, "sv_SE.UTF-8"},
		{"LANGUAGE all bad, LANG bad", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "xx"}, "en"},
		{"LANGUAGE ignored under C", map[string]string{"LANG": "C", "LANGUAGE": "xx"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			got, changed := languageFor(getenv)
			if changed != (tt.want != "") || got != tt.want {
				t.Fatalf("languageFor(%v) = %q, %v; want %q", tt.env, got, changed, tt.want)
			}
			// What go-locale then reads, Fyne parses.
			for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"} {
				v := tt.env[k]
				if k == "LANGUAGE" && changed {
					v = got
				}
				t.Setenv(k, v)
			}
			locales, err := locale.GetLocales()
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range locales {
				if _, err := language.Parse(l); err != nil {
					t.Errorf("Fyne would read %q: %v", l, err)
				}
			}
		})
	}
}
