package ui

// Formatting shared by the screens: times, outcomes, plurals, sizes.

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// outcomeIcon is the icon of an event or login outcome: a green check for
// accepted, a red error for refused, a yellow warning, a neutral info.
func outcomeIcon(outcome core.Outcome) fyne.Resource {
	switch outcome {
	case core.OutcomeAccepted:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case core.OutcomeRefused:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	case core.OutcomeWarning:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	default:
		return theme.InfoIcon()
	}
}

// outcomeImportance colours text by outcome.
func outcomeImportance(outcome core.Outcome) widget.Importance {
	switch outcome {
	case core.OutcomeAccepted:
		return widget.SuccessImportance
	case core.OutcomeRefused:
		return widget.DangerImportance
	case core.OutcomeWarning:
		return widget.WarningImportance
	default:
		return widget.MediumImportance
	}
}

// clockTime is a time of day in local time, for the live feed.
func clockTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("15:04:05")
}

// shortTime is a date and time in local time; today's times omit the date.
func shortTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.Local()
	now := time.Now()
	if y, m, d := now.Date(); t.Year() == y && t.Month() == m && t.Day() == d {
		return "today " + t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// longTime is a full local timestamp.
func longTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// roleNames lists the role names of grants, comma-separated.
func roleNames(roles []core.RoleGrant) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r.Role
	}
	return strings.Join(names, ", ")
}

// orDash returns s, or a dash when s is empty.
func orDash[S ~string](s S) string {
	if s == "" {
		return "—"
	}
	return string(s)
}

// plural is "1 user", "2 users".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// day is a local date.
func day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02")
}

// signedDuration is "+5m0s" or "-2s": an offset from a reference time,
// rounded to the second (to the millisecond below a second).
func signedDuration(d time.Duration) string {
	switch {
	case d > -time.Second && d < time.Second:
		d = d.Round(time.Millisecond)
	default:
		d = d.Round(time.Second)
	}
	if d >= 0 {
		return "+" + d.String()
	}
	return d.String()
}

// byteSize is "812 B", "4.2 KiB", "1.5 MiB".
func byteSize(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
}

// lastSegment is what follows the last '#', ':' or '/' of a URI: the
// short name of a binding, algorithm or format.
func lastSegment(uri string) string {
	if i := strings.LastIndexAny(uri, "#:/"); i >= 0 && i+1 < len(uri) {
		return uri[i+1:]
	}
	return uri
}
