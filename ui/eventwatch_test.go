package ui

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// TestScreensFollowAnotherProcess: changes made by a second console on
// the same database (as a command run beside the GUI) show on the IdPs
// and Settings screens without a restart, and the running console follows.
func TestScreensFollowAnotherProcess(t *testing.T) {
	h := newHarnessOnDisk(t)
	ctx := context.Background()
	dir := h.con.DataDir()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	beside, err := core.New(ctx, core.Options{Store: db, Keys: storage.NewFileKeyStore(dir),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		beside.Close()
		db.Close()
	})
	h.showTab("Settings")
	s := h.app.settings
	h.waitFor("the saved skew", func() bool { return s.skew.Text == "180" })

	md, err := os.ReadFile(filepath.Join("..", "testdata", "metadata", "okta.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := beside.ImportIdP(ctx, core.ImportRequest{MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: md},
		DisplayName: "Okta", Slug: "okta"}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the IdP imported beside on the IdPs screen", func() bool {
		for _, i := range h.app.idps.list {
			if i.idp.Slug == "okta" {
				return true
			}
		}
		return false
	})

	if err := beside.SetClockSkew(ctx, 240*time.Second); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the skew set beside on the Settings screen", func() bool { return s.skew.Text == "240" })
	if !s.save.Disabled() {
		t.Error("Save is enabled after the skew changed elsewhere: the form shows it as an edit")
	}

	if _, err := beside.SetDemoIdPEnabled(ctx, false); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the demo IdP switched off beside on the Settings screen", func() bool { return !s.demo.enabled.Checked })
	if h.con.DemoIdP(ctx).On {
		t.Error("the running console's demo IdP is still on")
	}
}
