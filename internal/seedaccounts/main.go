// Command seedaccounts fills a data directory with N accounts of the demo
// IdP, as that many first sign-ins would have left them (attributes, the
// demo mapping's roles), straight through the store and much faster than
// N real sign-ins. It is for measuring the console at scale by hand or in
// scripts/rss.sh, never for tests (they seed through their own helpers).
//
//	jitconsole demo simulate --count 1 --data-dir DIR   # makes DIR and the demo IdP
//	go run -tags migrated_fynedo,no_emoji ./internal/seedaccounts DIR 100000
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: seedaccounts DATA_DIR N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "seedaccounts: N must be a positive number")
		os.Exit(2)
	}
	if err := seed(context.Background(), filepath.Join(os.Args[1], "jitconsole.db"), n); err != nil {
		fmt.Fprintln(os.Stderr, "seedaccounts:", err)
		os.Exit(1)
	}
}

// seed provisions n generated hires at the demo IdP of the database at path.
func seed(ctx context.Context, path string, n int) error {
	db, err := storage.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	idp, err := db.GetIdP(ctx, core.DemoSlug)
	if err != nil {
		return fmt.Errorf("the demo IdP (run jitconsole demo simulate --count 1 first): %w", err)
	}
	start := time.Now()
	for i, h := range core.GenerateHires(n, 42) {
		attrs := core.Attributes{"uid": {h.Username}, "email": {h.Email}, "displayName": {h.DisplayName}}
		if len(h.Groups) > 0 {
			attrs["groups"] = h.Groups
		}
		ev := idp.Mapping.Evaluate(h.NameIDValue(), attrs, nil)
		for j := range ev.Fields.Roles {
			ev.Fields.Roles[j].IdPSlug = core.DemoSlug
		}
		if _, err := db.ApplyLogin(ctx, core.Provision{At: time.Now(), IdPSlug: core.DemoSlug, NameID: h.NameIDValue(),
			Username: ev.Fields.Username, Email: ev.Fields.Email, DisplayName: ev.Fields.DisplayName,
			Roles: ev.Fields.Roles, Attributes: attrs, CaseInsensitiveKey: true}); err != nil {
			return fmt.Errorf("account %d: %w", i, err)
		}
		if (i+1)%10000 == 0 {
			fmt.Printf("%d accounts (%s)\n", i+1, time.Since(start).Round(time.Second))
		}
	}
	return nil
}
