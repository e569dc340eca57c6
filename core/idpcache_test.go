package core_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

// TestIdPChangedByAnotherProcessReachesTheACS: the ACS keeps IdPs in
// memory, yet a change made through another connection to the database
// (as a CLI command beside a running console makes it) applies to the
// very next login.
func TestIdPChangedByAnotherProcessReachesTheACS(t *testing.T) {
	dir := t.TempDir()
	tc := startConsole(t, dir, "")
	ctx := context.Background()
	if status, page := capture(t, tc, "alice").post(t, ""); status != http.StatusOK {
		t.Fatalf("first login: HTTP %d\n%s", status, page) // the IdP is in the cache now
	}
	other, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	setIdP := func(edit func(*core.IdP)) {
		t.Helper()
		idp, err := other.GetIdP(ctx, core.DemoSlug)
		if err != nil {
			t.Fatal(err)
		}
		edit(&idp)
		if _, err := other.SaveIdP(ctx, idp); err != nil {
			t.Fatal(err)
		}
	}

	bob, carol := capture(t, tc, "bob"), capture(t, tc, "carol") // made while the IdP is on
	setIdP(func(idp *core.IdP) { idp.Enabled = false })
	if status, _ := bob.post(t, ""); status != http.StatusForbidden {
		t.Fatalf("login at an IdP switched off elsewhere: HTTP %d, want 403", status)
	}
	if got := refusalClass(t, tc, lastRefusal(t, tc)); got != core.ClassIdPDisabled {
		t.Errorf("class %q, want %q", got, core.ClassIdPDisabled)
	}

	setIdP(func(idp *core.IdP) { idp.Enabled, idp.DisplayName = true, "Renamed Demo" })
	status, page := carol.post(t, "")
	if status != http.StatusOK || !contains(page, "Renamed Demo") {
		t.Fatalf("login after the IdP was switched on and renamed elsewhere: HTTP %d\n%s", status, page)
	}
}
