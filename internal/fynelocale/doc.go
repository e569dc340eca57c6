// Package fynelocale makes the locale environment one that Fyne can read,
// before Fyne reads it. Import it for its side effect, from main only:
//
//	import _ "github.com/jitconsole/jitconsole/internal/fynelocale"
//
// Fyne's lang package reads the user's locale in its package init (through
// github.com/jeandeaual/go-locale) and logs three lines of "Fyne error:
// Error parsing user locale" for a locale it cannot parse: C.UTF-8, the
// default of many servers and containers, an unknown one like xx_YY.UTF-8,
// or one with a modifier like de_DE@euro. Every command of the binary links
// Fyne, so without this package even "jitconsole --help" prints them.
//
// This package's init runs first because Go initialises packages in the
// order of their import paths among those whose imports are initialised
// (the Go spec, "Package initialization"): it imports only os, strings and
// golang.org/x/text/language, which github.com/nicksnyder/go-i18n/v2/i18n
// imports too, and its path sorts before that package, which Fyne's lang
// package imports. main_locale_test.go holds the real binary to it.
//
// It never touches LANG, LC_ALL or LC_MESSAGES: when the locale Fyne would
// read is not a language it can parse, it sets LANGUAGE, the gettext
// priority list that go-locale reads before LANG, to the same locale
// without its encoding and modifier when that parses, else to "en". A
// locale Fyne can read is left as it is. The package knows nothing of
// Fyne's API and imports none of it.
package fynelocale
