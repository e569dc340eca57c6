// jitconsole users: the provisioned accounts.

package main

import (
	"context"
	"flag"
	"io"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// cmdUsersList prints the accounts, as the Users screen lists them. It
// only reads (openReader), so it runs beside a console on the same data
// dir and on a read-only one.
func cmdUsersList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole users list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	asJSONL := fs.Bool("jsonl", false, "print one JSON object a line (JSON Lines), each as it is read")
	search := fs.String("search", "", "only accounts whose username, name, email or NameID contains `S`")
	idp := fs.String("idp", "", "only the accounts of the IdP `SLUG`")
	role := fs.String("role", "", "only the accounts holding `ROLE`")
	limit := fs.Int("limit", 0, "print at most `N` accounts (0: all)")
	offset := fs.Int("offset", 0, "skip the first `N` accounts")
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, "jitconsole users list [--json | --jsonl] [--search S] [--idp SLUG] [--role ROLE]\n         [--limit N] [--offset N] [--data-dir DIR]\n\nLists the provisioned accounts, newest first. --json and --jsonl write each\naccount as it is read, so memory stays flat however many there are.\n", args, stdout, stderr); err != nil {
		return err
	}
	if *asJSON && *asJSONL {
		return usageError(fs, stderr, "give --json or --jsonl, not both")
	}
	if *limit < 0 || *offset < 0 {
		return usageError(fs, stderr, "--limit and --offset take a number from 0")
	}
	ctx := context.Background()
	con, err := openReader(ctx, dirFlag, "", nil)
	if err != nil {
		return err
	}
	defer con.close()
	format := usersTable
	switch {
	case *asJSON:
		format = usersJSONArray
	case *asJSONL:
		format = usersJSONLines
	}
	f := core.UserFilter{Search: *search, IdPSlug: *idp, Role: *role}
	empty := "(no accounts yet: sign someone in, or run jitconsole demo simulate)"
	if f != (core.UserFilter{}) || *offset > 0 {
		empty = "(no accounts match)"
	}
	return plainError(streamUsers(ctx, con.Console, f, *offset, *limit, format, empty, stdout))
}

type userJSON struct {
	ID          int64      `json:"id"`
	IdP         string     `json:"idp"`
	NameID      string     `json:"name_id"`
	Username    string     `json:"username"`
	Email       string     `json:"email"`
	DisplayName string     `json:"display_name"`
	Roles       []roleJSON `json:"roles"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLoginAt *time.Time `json:"last_login_at"`
	LoginCount  int        `json:"login_count"`
	// ProvisionedBy is how the account was created: "jit" (a first
	// sign-in) or "scim" (pre-provisioned).
	ProvisionedBy string `json:"provisioned_by"`
	IdPRemoved    bool   `json:"idp_removed,omitempty"` // the IdP connection was removed; the account stays
	Disabled      bool   `json:"disabled,omitempty"`    // sign-ins are refused
}

type roleJSON struct {
	Role   string `json:"role"`
	Source string `json:"source"`
}

func shortTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}
