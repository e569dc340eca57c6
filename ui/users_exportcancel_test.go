package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/jitconsole/jitconsole/core"
)

// heldExport is a service whose export walk stops after the first account
// until the export is cancelled, so that the test can cancel mid-way.
type heldExport struct {
	Service
	once    sync.Once
	started chan struct{}
}

func (s *heldExport) ForEachMatchingUser(ctx context.Context, f core.UserFilter, fn func(core.User) error) error {
	return s.Service.ForEachMatchingUser(ctx, f, func(x core.User) error {
		if err := fn(x); err != nil {
			return err
		}
		s.once.Do(func() { close(s.started) })
		<-ctx.Done()
		return ctx.Err()
	})
}

// TestExportCanBeCancelled checks that a running export's button cancels
// it, that the partial file is removed, and that the button is Export
// again afterwards.
func TestExportCanBeCancelled(t *testing.T) {
	held := &heldExport{started: make(chan struct{})}
	h := newHarness(t, func(s Service) Service { held.Service = s; return held })
	h.showTab("Users")
	u := h.app.users
	h.login("alice")
	h.login("dave")
	h.waitFor("two accounts", func() bool { return len(u.list) == 2 })

	path := filepath.Join(t.TempDir(), "users.csv")
	w, err := fynestorage.Writer(fynestorage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	u.exportTo(w)
	h.waitFor("the export to start", func() bool {
		select {
		case <-held.started:
			return true
		default:
			return false
		}
	})
	if u.export.Text != "Cancel export" {
		t.Fatalf("during an export the button says %q", u.export.Text)
	}
	test.Tap(u.export)
	h.waitFor("the cancelled export", func() bool { return strings.HasPrefix(u.notice.Text, "Export cancelled") })
	if !strings.Contains(u.notice.Text, "after 1 account") || !strings.Contains(u.notice.Text, "removed") {
		t.Errorf("notice %q", u.notice.Text)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the partial file is still there: %v", err)
	}
	if u.export.Text != "Export CSV…" {
		t.Errorf("after the cancel the button says %q", u.export.Text)
	}
}
