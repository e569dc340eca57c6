// jitconsole users: the provisioned accounts.

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// cmdUsersList prints the accounts, as the Users screen lists them. It
// only reads (openReader), so it runs beside a console on the same data
// dir and on a read-only one.
func cmdUsersList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole users list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	search := fs.String("search", "", "only accounts whose username, name, email or NameID contains `S`")
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, "jitconsole users list [--json] [--search S] [--data-dir DIR]\n\nLists the provisioned accounts, newest first.\n", args, stdout, stderr); err != nil {
		return err
	}
	ctx := context.Background()
	con, err := openReader(ctx, dirFlag, "", nil)
	if err != nil {
		return err
	}
	defer con.close()
	users, err := con.Users(ctx, core.UserFilter{Search: *search})
	if err != nil {
		return plainError(err)
	}
	if *asJSON {
		return writeUsersJSON(stdout, users)
	}
	return writeUsersTable(stdout, users)
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
	IdPRemoved  bool       `json:"idp_removed,omitempty"` // the IdP connection was removed; the account stays
}

type roleJSON struct {
	Role   string `json:"role"`
	Source string `json:"source"`
}

func writeUsersJSON(w io.Writer, users []core.User) error {
	out := make([]userJSON, 0, len(users))
	for _, u := range users {
		j := userJSON{ID: u.ID, IdP: u.IdPSlug, NameID: u.NameID, Username: u.Username, Email: u.Email,
			DisplayName: u.DisplayName, Roles: []roleJSON{}, CreatedAt: u.CreatedAt, LoginCount: u.LoginCount, IdPRemoved: u.IdPRemoved}
		if !u.LastLoginAt.IsZero() {
			j.LastLoginAt = &u.LastLoginAt
		}
		for _, r := range u.Roles {
			j.Roles = append(j.Roles, roleJSON{Role: r.Role, Source: r.Source})
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeUsersTable(w io.Writer, users []core.User) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tDISPLAY NAME\tEMAIL\tIDP\tROLES\tCREATED\tLAST LOGIN\tLOGINS")
	for _, u := range users {
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = r.Role
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", u.ID, u.Username, u.DisplayName, u.Email,
			u.IdPSlug, strings.Join(roles, ","), shortTime(u.CreatedAt), shortTime(u.LastLoginAt), u.LoginCount)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintln(w, "(no accounts yet: sign someone in, or run jitconsole demo simulate)")
	}
	return nil
}

func shortTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}
