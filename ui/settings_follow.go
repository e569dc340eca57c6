package ui

// The Settings screen following admin changes, this console's and those
// of a command run beside it (settings set, config apply...), which reach
// the feed as any event does.

import (
	"context"
	"strconv"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// follow re-reads the allowed clock skew and the demo IdP's switch after
// each admin change. (The retention figures are re-read each time the
// screen is shown; the listener is this process's own.)
func (s *settings) follow() {
	s.app.feed.listen(func(e core.Event) {
		if e.Kind == core.EventAdminChange {
			s.reread()
		}
	})
}

// reread shows the stored settings again where they differ from what the
// screen shows, keeping a skew being edited; a change this screen made
// itself (which it already shows, with its own status) shows as it was.
func (s *settings) reread() {
	a := s.app
	var demo core.DemoIdPState
	background(a, "read the settings", func(ctx context.Context) (time.Duration, error) {
		demo = a.svc.DemoIdP(ctx)
		return a.svc.ClockSkew(ctx), nil
	}, func(d time.Duration, _ error) {
		if s.demo.enabled.Checked != demo.Stored {
			s.demo.show(demo)
		}
		if s.hasValue && d == s.current {
			return // this screen's own save, or another setting
		}
		edited := s.hasValue && s.skew.Text != strconv.Itoa(int(s.current/time.Second))
		s.current, s.hasValue = d, true
		if !edited {
			s.skew.SetText(strconv.Itoa(int(d / time.Second)))
			showText(s.status, "Changed elsewhere: responses may now be up to "+seconds(d)+" early or late.", widget.LowImportance)
		}
		s.onEdited()
	})
}
