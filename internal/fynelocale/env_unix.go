//go:build !windows && !darwin && !js && !android

package fynelocale

import (
	"os"
	"strings"

	"golang.org/x/text/language"
)

// The build constraint is that of go-locale's locale_unix.go, the one
// implementation that reads the environment.

func init() {
	if v, ok := languageFor(os.Getenv); ok {
		os.Setenv("LANGUAGE", v)
	}
}

// fallback is the locale Fyne gets when none of the user's parses: its own
// fallback language, English.
const fallback = "en"

// languageFor returns the value LANGUAGE must take for Fyne to read only
// locales it can parse, and false when the environment is fine as it is.
// It follows go-locale's getUnixLocales: the first non-empty of LC_ALL,
// LC_MESSAGES and LANG; none at all for exactly "C" or "POSIX"; else the
// colon-separated LANGUAGE when set, else that one locale.
func languageFor(getenv func(string) string) (string, bool) {
	var locale string
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = getenv(name); locale != "" {
			break
		}
	}
	if locale == "C" || locale == "POSIX" {
		return "", false
	}
	if list := getenv("LANGUAGE"); list != "" {
		var kept []string
		for _, l := range strings.Split(list, ":") {
			if c, ok := readable(l); ok {
				kept = append(kept, c)
			}
		}
		if len(kept) == 0 {
			return orFallback(locale), true
		}
		if v := strings.Join(kept, ":"); v != list {
			return v, true
		}
		return "", false
	}
	if locale == "" {
		return "", false
	}
	if parses(locale) {
		return "", false
	}
	return orFallback(locale), true
}

// orFallback is locale without its encoding and modifier when Fyne can
// parse that, else the fallback.
func orFallback(locale string) string {
	if c, ok := readable(locale); ok {
		return c
	}
	return fallback
}

// readable returns locale as Fyne can parse it: locale itself when it
// parses, else without its encoding and modifier (de_DE@euro: de_DE), and
// false when neither parses (C.UTF-8, xx_YY.UTF-8, "").
func readable(locale string) (string, bool) {
	if parses(locale) {
		return locale, true
	}
	bare, _, _ := strings.Cut(locale, "@")
	bare, _, _ = strings.Cut(bare, ".")
	if bare != locale && parses(bare) {
		return bare, true
	}
	return "", false
}

// parses reports whether Fyne parses locale without an error: go-locale's
// splitLocale (drop the encoding, language_TERRITORY to language-TERRITORY)
// and then language.Parse, as Fyne's closestSupportedLocale does.
func parses(locale string) bool {
	s, _, _ := strings.Cut(locale, ".")
	s = strings.ReplaceAll(s, "-", "_")
	lang, region, _ := strings.Cut(s, "_")
	if region != "" {
		lang += "-" + region
	}
	_, err := language.Parse(lang)
	return err == nil
}
