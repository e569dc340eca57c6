package ui

// The Users screen's paging: a page of userPage accounts at a time, the
// total the filters select ("1–100 of 23,989"), previous and next; and the
// debouncer that lets typing (the search, the stale view's days) pause
// before a read.

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// userPage is how many accounts a page of the table holds.
const userPage = 100

// count writes n with thousands separators: 23,989.
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// countOf is "1 account" or "23,989 accounts".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return count(n) + " " + many
}

// pageRange is the rows a page shows of total: "1–100 of 23,989".
func pageRange(page, shown, total int) string {
	first := page*userPage + 1
	return fmt.Sprintf("%s–%s of %s", count(first), count(first+shown-1), count(total))
}

// lastPage is the index of the last page of total accounts.
func lastPage(total int) int { return max(total-1, 0) / userPage }

// buildPaging is the previous and next buttons around the page's range.
func (u *users) buildPaging() fyne.CanvasObject {
	u.prevPage = widget.NewButtonWithIcon("Previous", theme.NavigateBackIcon(), func() { u.turnPage(-1) })
	u.nextPage = widget.NewButtonWithIcon("Next", theme.NavigateNextIcon(), func() { u.turnPage(+1) })
	u.nextPage.IconPlacement = widget.ButtonIconTrailingText
	u.pageLabel = widget.NewLabel("")
	u.prevPage.Disable()
	u.nextPage.Disable()
	return container.NewHBox(u.prevPage, u.pageLabel, u.nextPage)
}

// turnPage reads the page by pages after (or before) the shown one.
func (u *users) turnPage(by int) {
	u.queryMu.Lock()
	u.query.page = min(max(u.query.page+by, 0), lastPage(u.total))
	u.queryMu.Unlock()
	u.reload.Trigger()
}

// showPaging updates the buttons and the range for a read of page q.
func (u *users) showPaging(q userQuery, shown, total int) {
	enable(u.prevPage, q.page > 0)
	enable(u.nextPage, (q.page+1)*userPage < total)
	u.pageLabel.SetText("")
	if total > 0 && shown > 0 {
		u.pageLabel.SetText(pageRange(q.page, shown, total))
	}
}

// typingDelay is how long typing must pause before the search or the
// stale view's days are read.
const typingDelay = 300 * time.Millisecond

// stopper is a pending call of a debouncer: a *time.Timer.
type stopper interface{ Stop() bool }

// debouncer runs the last of a burst of calls once they pause for delay.
// after schedules a call (time.AfterFunc; tests put their own).
type debouncer struct {
	delay time.Duration
	after func(time.Duration, func()) stopper

	mu      sync.Mutex
	pending stopper
}

func newDebouncer(delay time.Duration) *debouncer {
	return &debouncer{delay: delay, after: func(d time.Duration, fn func()) stopper { return time.AfterFunc(d, fn) }}
}

// call runs fn after the delay, unless call or stop comes first.
func (d *debouncer) call(fn func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pending != nil {
		d.pending.Stop()
	}
	d.pending = d.after(d.delay, fn)
}

// stop drops the pending call, if any.
func (d *debouncer) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pending != nil {
		d.pending.Stop()
		d.pending = nil
	}
}

// countText says what the table shows of the total its query selects.
func countText(q userQuery, shown, total int) string {
	filtered := q.search != "" || q.idp != "" || q.role != "" || q.status != "" || q.warnings
	of := pageRange(q.page, shown, total) + " "
	if shown == 0 {
		of = ""
	}
	// The noun and verb agree with the total: "1–1 of 1 account matches".
	noun, match := "accounts", "match"
	if total == 1 {
		noun, match = "account", "matches"
	}
	switch {
	case q.stale && total == 0:
		return fmt.Sprintf("No account has gone %s without a sign-in.", plural(q.staleDays, "day", "days"))
	case q.stale:
		return fmt.Sprintf("%s%s without a sign-in for %s", of, noun, plural(q.staleDays, "day", "days"))
	case q.search != "" && total == 0:
		return fmt.Sprintf("No account matches “%s”", q.search)
	case q.search != "":
		return fmt.Sprintf("%s%s %s “%s”", of, noun, match, q.search)
	case filtered && total == 0:
		return "No account matches the filters"
	case filtered:
		return fmt.Sprintf("%s%s %s the filters", of, noun, match)
	case total == 0:
		return "No accounts yet. Sign in as a demo persona, or simulate new hires on the Demo screen."
	case q.sort != "" || q.asc:
		if q.sort == "" {
			return of + noun + ", oldest first"
		}
		return of + noun + ", " + sortTitle(q)
	default:
		return of + noun + ", newest first"
	}
}
