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
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jitconsole/jitconsole/core"
)

// usersFormat is how streamUsers writes accounts.
type usersFormat int

// The formats of users list.
const (
	usersTable     usersFormat = iota // aligned columns (a first pass measures them)
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
		// Two passes over the accounts, so that no row is kept: the
		// first measures the columns, the second writes the rows.
		widths := userTableWidths()
		if _, err := eachUser(ctx, con, f, offset, limit, func(u core.User) error {
			widths.measure(userTableRow(u))
			return nil
		}); err != nil {
			return err
		}
		write, finish = tableWriter(w, empty, widths)
	}
	n, err := eachUser(ctx, con, f, offset, limit, write)
	if err != nil {
		return err
	}
	if err := finish(n); err != nil {
		return err
	}
	return w.Flush()
}

// eachUser calls fn for the accounts f selects, newest first, skipping the
// first offset and stopping after limit (0: all); it returns how many it
// passed to fn.
func eachUser(ctx context.Context, con *core.Console, f core.UserFilter, offset, limit int, fn func(core.User) error) (int, error) {
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
		return fn(u)
	})
	if err != nil && !errors.Is(err, errEnough) {
		return n, err
	}
	return n, nil
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

// userTableHead is the head row of the users table.
var userTableHead = []string{"ID", "USERNAME", "DISPLAY NAME", "EMAIL", "IDP", "SOURCE", "ROLES", "CREATED", "LAST LOGIN", "LOGINS"}

// userTableRow is an account's cells in the users table.
func userTableRow(u core.User) []string {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = r.Role
	}
	return []string{strconv.FormatInt(u.ID, 10), u.Username, u.DisplayName, u.Email, u.IdPSlug, u.ProvisionedBy,
		strings.Join(roles, ","), shortTime(u.CreatedAt), shortTime(u.LastLoginAt), strconv.Itoa(u.LoginCount)}
}

// tableWidths is the width, in runes, of each column of the users table
// but the last (which is not padded), as text/tabwriter would align them.
type tableWidths []int

// userTableWidths starts with the head's widths.
func userTableWidths() tableWidths {
	w := make(tableWidths, len(userTableHead)-1)
	w.measure(userTableHead)
	return w
}

// measure widens the columns to fit row's cells.
func (w tableWidths) measure(row []string) {
	for i := range w {
		if n := utf8.RuneCountInString(row[i]); n > w[i] {
			w[i] = n
		}
	}
}

// writeRow writes row with each cell but the last padded to its column's
// width and two spaces, as tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) does.
func (w tableWidths) writeRow(out io.Writer, row []string) error {
	var b strings.Builder
	for i, cell := range row {
		b.WriteString(cell)
		if i < len(w) {
			b.WriteString(strings.Repeat(" ", w[i]-utf8.RuneCountInString(cell)+2))
		}
	}
	b.WriteByte('\n')
	_, err := io.WriteString(out, b.String())
	return err
}

// tableWriter writes the accounts as a table with columns of widths (a
// first pass measured them), or the line empty after its head when there
// are none. No row is kept.
func tableWriter(w io.Writer, empty string, widths tableWidths) (func(core.User) error, func(int) error) {
	head := false
	writeHead := func() error {
		if head {
			return nil
		}
		head = true
		return widths.writeRow(w, userTableHead)
	}
	write := func(u core.User) error {
		if err := writeHead(); err != nil {
			return err
		}
		return widths.writeRow(w, userTableRow(u))
	}
	finish := func(n int) error {
		if err := writeHead(); err != nil {
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
		IdPRemoved: u.IdPRemoved, Disabled: u.Disabled, ProvisionedBy: u.ProvisionedBy}
	if !u.LastLoginAt.IsZero() {
		j.LastLoginAt = &u.LastLoginAt
	}
	for _, r := range u.Roles {
		j.Roles = append(j.Roles, roleJSON{Role: r.Role, Source: r.Source})
	}
	return j
}
