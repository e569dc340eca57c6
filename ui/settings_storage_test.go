package ui

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

func TestSettingsStorageSection(t *testing.T) {
	h := newHarnessOnDisk(t) // the figures are the database file's
	h.showTab("Settings")
	s := h.app.settings.storage
	h.waitFor("the saved retention", func() bool {
		return s.recordings.Text == "30" && s.events.Text == "180" && s.recCap.Text == "256"
	})
	h.waitFor("the database's size", func() bool { return strings.HasPrefix(s.usage.Text, "The database is ") })
	if !s.save.Disabled() {
		t.Error("Save is enabled with nothing changed")
	}

	// Validated at the field, and again on save.
	s.events.SetText("0")
	if err := s.events.Validate(); err == nil || !strings.Contains(err.Error(), "whole number of days") {
		t.Errorf("the field accepts 0 days: %v", err)
	}
	test.Tap(s.save)
	if s.status.Importance != widget.DangerImportance || !strings.Contains(s.status.Text, "whole number of days") {
		t.Errorf("a bad value: %q", s.status.Text)
	}
	s.recCap.SetText("lots")
	if err := s.recCap.Validate(); err == nil || !strings.Contains(err.Error(), "MiB") {
		t.Errorf("the cap field accepts %q: %v", s.recCap.Text, err)
	}

	s.recordings.SetText("7")
	s.events.SetText("90")
	s.recCap.SetText("64")
	test.Tap(s.save)
	h.waitFor("the save", func() bool { return strings.HasPrefix(s.status.Text, "Saved") })
	rs, err := h.con.Retention(context.Background())
	want := core.RetentionPolicy{KeepRecordings: 7 * 24 * time.Hour, KeepEvents: 90 * 24 * time.Hour, RecorderCap: 64 << 20}
	if err != nil || rs.Policy != want {
		t.Errorf("stored %+v, %v; want %+v", rs.Policy, err, want)
	}
	if !s.save.Disabled() {
		t.Error("Save is still enabled after saving")
	}

	test.Tap(s.runNow)
	h.waitFor("the run's result", func() bool { return strings.HasPrefix(s.runStatus.Text, "Retention deleted") })
	if s.runStatus.Importance != widget.SuccessImportance {
		t.Errorf("run status %q in importance %v", s.runStatus.Text, s.runStatus.Importance)
	}
	h.waitFor("the last run", func() bool {
		return strings.HasPrefix(s.lastRun.Text, "Last run ") && strings.Contains(s.lastRun.Text, "Retention deleted")
	})
}

func TestEventTextShowsTheCount(t *testing.T) {
	for _, tt := range []struct {
		count int
		want  string
	}{{0, "Refused"}, {1, "Refused"}, {37, "Refused ×37"}} {
		if got := eventText(core.Event{Message: "Refused", Count: tt.count}); got != tt.want {
			t.Errorf("count %d: %q, want %q", tt.count, got, tt.want)
		}
	}
}

// TestSettingsStorageFiguresAreCurrent: opening Settings shows the
// database as it is now, not as it was when the window opened.
func TestSettingsStorageFiguresAreCurrent(t *testing.T) {
	h := newHarnessOnDisk(t)
	s := h.app.settings.storage
	h.waitFor("the first figures", func() bool { return strings.Contains(s.usage.Text, "in 0 entries") })
	resp, err := http.Get(h.con.Endpoints("nosuch").ACSURL) // a refusal: one recorder entry
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h.showTab("Dashboard")
	h.showTab("Settings")
	h.waitFor("the figures after a refusal", func() bool { return strings.Contains(s.usage.Text, "in 1 entry") })
}
