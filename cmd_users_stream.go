// Writing accounts as they are read: users list and users stale stream
// through core's ForEachMatchingUser, so memory does not grow with the
// number of accounts.

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/jitconsole/jitconsole/core"
)

// usersFormat is how streamUsers writes accounts.
type usersFormat int

// The formats of users list.
const (
	usersTable     usersFormat = iota // aligned columns (the text is kept until the end to align it)
	usersJSONArray                    // one JSON array, element by element
	usersJSONLines                    // one JSON object a line
)

// errEnough stops ForEachMatchingUser once --limit accounts are written.
var errEnough = errors.New("enough accounts")

// streamUsers writes the accounts f selects, newest first, skipping the
// first offset and stopping after limit (0: all), in format.
func streamUsers(ctx context.Context, con *core.Console, f core.UserFilter, offset, limit int, format usersFormat, empty string, stdout io.Writer) error {
	w := bufio.NewWriterSize(stdout, 64<<10)
	var write func(core.User) error
	var finish func(n int) error
	switch format {
	case usersJSONLines:
		enc := json.NewEncoder(w)
		write = func(u core.User) error { return enc.Encode(makeUserJSON(u)) }
		finish = func(int) error { return nil }
	case usersJSONArray:
		write, finish = jsonArrayWriter(w)
	default:
		write, finish = tableWriter(w, empty)
	}
	n, skipped := 0, 0
	err := con.ForEachMatchingUser(ctx, f, func(u core.User) error {
		if skipped < offset {
			skipped++
			return nil
		}
		if limit > 0 && n >= limit {
			return errEnough
		}
		n++
		return write(u)
	})
	if err != nil && !errors.Is(err, errEnough) {
		return err
	}
	if err := finish(n); err != nil {
		return err
	}
	return w.Flush()
}

// jsonArrayWriter writes a JSON array element by element, indented as
// json.Encoder with SetIndent("", "  ") writes a whole one.
func jsonArrayWriter(w io.Writer) (func(core.User) error, func(int) error) {
	first := true
	write := func(u core.User) error {
		b, err := json.MarshalIndent(makeUserJSON(u), "  ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if first {
			sep, first = "[\n  ", false
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	finish := func(n int) error {
		if n == 0 {
			_, err := io.WriteString(w, "[]\n")
			return err
		}
		_, err := io.WriteString(w, "\n]\n")
		return err
	}
	return write, finish
}

// tableWriter writes the accounts as a table, or the line empty after its
// head when there are none. Aligning the columns needs
// every row's text: the text is kept (not the accounts).
func tableWriter(w io.Writer, empty string) (func(core.User) error, func(int) error) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tDISPLAY NAME\tEMAIL\tIDP\tROLES\tCREATED\tLAST LOGIN\tLOGINS")
	write := func(u core.User) error {
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = r.Role
		}
		_, err := fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", u.ID, u.Username, u.DisplayName, u.Email,
			u.IdPSlug, strings.Join(roles, ","), shortTime(u.CreatedAt), shortTime(u.LastLoginAt), u.LoginCount)
		return err
	}
	finish := func(n int) error {
		if err := tw.Flush(); err != nil {
			return err
		}
		if n == 0 {
			_, err := fmt.Fprintln(w, empty)
			return err
		}
		return nil
	}
	return write, finish
}

// makeUserJSON is an account as users list --json and --jsonl print it.
func makeUserJSON(u core.User) userJSON {
	j := userJSON{ID: u.ID, IdP: u.IdPSlug, NameID: u.NameID, Username: u.Username, Email: u.Email,
		DisplayName: u.DisplayName, Roles: []roleJSON{}, CreatedAt: u.CreatedAt, LoginCount: u.LoginCount,
		IdPRemoved: u.IdPRemoved, Disabled: u.Disabled}
	if !u.LastLoginAt.IsZero() {
		j.LastLoginAt = &u.LastLoginAt
	}
	for _, r := range u.Roles {
		j.Roles = append(j.Roles, roleJSON{Role: r.Role, Source: r.Source})
	}
	return j
}
