package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestSettingsClockSkew(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Settings")
	s := h.app.settings
	h.waitFor("the saved skew", func() bool { return s.skew.Text == "180" })
	if !s.save.Disabled() {
		t.Error("Save is enabled with nothing changed")
	}

	s.skew.SetText("forever")
	test.Tap(s.save)
	if s.status.Importance != widget.DangerImportance || !strings.Contains(s.status.Text, "whole number of seconds") {
		t.Errorf("a bad skew: %q", s.status.Text)
	}

	s.skew.SetText("240")
	test.Tap(s.save)
	h.waitFor("the save", func() bool { return strings.HasPrefix(s.status.Text, "Saved") })
	if got := h.con.ClockSkew(context.Background()); got != 240*time.Second {
		t.Errorf("skew = %s, want 4m", got)
	}
	// The listener restarted and serves.
	h.waitFor("the listener", func() bool { return h.con.Listener().Running })
}
