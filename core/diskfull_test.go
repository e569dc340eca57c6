package core_test

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/storage"
)

// TestFullDiskIsServiceUnavailable: when the database cannot grow (SQLite's
// max_page_count, as a full disk), a login is answered 503 "could not
// save", never a 403 security refusal; nothing is half-written and the
// database passes integrity_check afterwards.
func TestFullDiskIsServiceUnavailable(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	client := newClient()
	var posts []captured
	for i := 0; i < 40; i++ {
		acs, form, err := demoResponseForHire(ctx, client, tc, fmtHire(i))
		if err != nil {
			t.Fatal(err)
		}
		posts = append(posts, captured{ACS: acs, Form: form, Client: client})
	}
	before := len(users(t, tc))
	if err := tc.DB.LimitGrowth(ctx, 0); err != nil {
		t.Fatal(err)
	}
	accepted, full := 0, 0
	for i, p := range posts {
		status, page := p.post(t, "")
		switch status {
		case http.StatusOK:
			accepted++
		case http.StatusServiceUnavailable:
			full++
			if !strings.Contains(page, "could not save") {
				t.Errorf("login %d: 503 without saying what failed:\n%.400s", i, page)
			}
		default:
			t.Fatalf("login %d: HTTP %d, want 200 or 503:\n%.400s", i, status, page)
		}
	}
	if full == 0 {
		t.Fatalf("all %d logins were saved in a database that cannot grow", accepted)
	}
	if got := len(users(t, tc)) - before; got != accepted {
		t.Errorf("%d new accounts after %d accepted logins", got, accepted)
	}
	tc.close()
	db, err := sql.Open("sqlite", storage.DBPath(tc.Dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var verdict string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&verdict); err != nil || verdict != "ok" {
		t.Fatalf("integrity_check after a full disk: %q, %v", verdict, err)
	}
}
