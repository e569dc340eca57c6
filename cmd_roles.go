// jitconsole roles: the role catalogue, as the Mapping Rules screen's
// catalogue edits it.

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/jitconsole/jitconsole/core"
)

// cmdRolesList prints the catalogue with how many accounts hold each
// role. It only reads (openReader).
func cmdRolesList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole roles list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	con, err := readerCommand(fs, "jitconsole roles list [--json] [--data-dir DIR]\n\nLists the role catalogue with how many accounts hold each role.\n", args, stdout, stderr)
	if err != nil {
		return err
	}
	ctx := context.Background()
	defer con.close()
	roles, err := con.Roles(ctx)
	if err != nil {
		return plainError(err)
	}
	if *asJSON {
		type roleInfoJSON struct {
			Name        string `json:"name"`
			Description string `json:"description"`
			Holders     int    `json:"holders"`
		}
		out := make([]roleInfoJSON, 0, len(roles))
		for _, r := range roles {
			out = append(out, roleInfoJSON{r.Name, r.Description, r.Holders})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tHOLDERS\tDESCRIPTION")
	for _, r := range roles {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", r.Name, r.Holders, r.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(roles) == 0 {
		fmt.Fprintln(stdout, "(no roles yet: jitconsole roles add NAME)")
	}
	return nil
}

// roleCommand parses the flags and NAME arguments of a roles verb that
// changes the catalogue and opens the console; it returns the arguments.
func roleCommand(fs *flag.FlagSet, synopsis string, args []string, n int, stdout, stderr io.Writer, dirFlag *string) ([]string, *opened, error) {
	addDataDirFlag(fs, dirFlag)
	pos, err := parseFlagsArgs(fs, synopsis, args, n, stdout, stderr)
	if err != nil {
		return nil, nil, err
	}
	if len(pos) != n {
		return nil, nil, usageError(fs, stderr, "usage: %s", firstLine(synopsis))
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	con, err := openExistingConsole(context.Background(), *dirFlag, logger)
	if err != nil {
		return nil, nil, err
	}
	return pos, con, nil
}

// firstLine is s up to its first newline.
func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// roleNamed returns the catalogue's role name, and whether it is there.
func roleNamed(ctx context.Context, con *opened, name string) (core.RoleInfo, bool, error) {
	roles, err := con.Roles(ctx)
	if err != nil {
		return core.RoleInfo{}, false, plainError(err)
	}
	for _, r := range roles {
		if r.Name == name {
			return r, true, nil
		}
	}
	return core.RoleInfo{}, false, nil
}

// existingRole is roleNamed for a command about a role that must exist.
func existingRole(ctx context.Context, con *opened, name string) (core.RoleInfo, error) {
	ri, ok, err := roleNamed(ctx, con, name)
	if err == nil && !ok {
		err = fmt.Errorf("there is no role %q; jitconsole roles list shows the catalogue", name)
	}
	return ri, err
}

// cmdRolesAdd adds a role to the catalogue.
func cmdRolesAdd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole roles add", flag.ContinueOnError)
	description := fs.String("description", "", "what the role gives, for the people who read the catalogue")
	var dirFlag string
	pos, con, err := roleCommand(fs, "jitconsole roles add NAME [--description D] [--data-dir DIR]\n\nAdds a role to the catalogue, that rules and admins can grant.\n", args, 1, stdout, stderr, &dirFlag)
	if err != nil {
		return err
	}
	defer con.close()
	ctx := context.Background()
	if _, ok, err := roleNamed(ctx, con, pos[0]); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("the role %q exists already; nothing changed (jitconsole roles list)", pos[0])
	}
	if err := con.SaveRole(ctx, pos[0], *description); err != nil {
		return plainError(err)
	}
	fmt.Fprintf(stdout, "Added role %s.\n", pos[0])
	return nil
}

// cmdRolesRename renames a role for every holder and in every IdP's
// rules.
func cmdRolesRename(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole roles rename", flag.ContinueOnError)
	var dirFlag string
	pos, con, err := roleCommand(fs, "jitconsole roles rename OLD NEW [--data-dir DIR]\n\nRenames a role: its holders and the rules that grant it follow, in one change.\n", args, 2, stdout, stderr, &dirFlag)
	if err != nil {
		return err
	}
	defer con.close()
	ctx := context.Background()
	ri, err := existingRole(ctx, con, pos[0])
	if err != nil {
		return err
	}
	if pos[0] == pos[1] {
		fmt.Fprintf(stdout, "The role is called %s already: nothing changed.\n", pos[0])
		return nil
	}
	if err := con.RenameRole(ctx, pos[0], pos[1]); err != nil {
		return plainError(err)
	}
	fmt.Fprintf(stdout, "Renamed role %s → %s (%s, and the rules that grant it, follow).\n", pos[0], pos[1], plural(ri.Holders, "account", "accounts"))
	return nil
}

// cmdRolesDelete deletes a role nobody holds and no rule grants; for one
// that people hold it says how many and what to do, as the GUI refuses.
func cmdRolesDelete(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole roles delete", flag.ContinueOnError)
	var dirFlag string
	pos, con, err := roleCommand(fs, "jitconsole roles delete NAME [--data-dir DIR]\n\nDeletes a role that no account holds and no rule grants.\n", args, 1, stdout, stderr, &dirFlag)
	if err != nil {
		return err
	}
	defer con.close()
	ctx := context.Background()
	ri, err := existingRole(ctx, con, pos[0])
	if err != nil {
		return err
	}
	if err := con.DeleteRole(ctx, pos[0]); err != nil {
		return roleDeleteError(ri, err)
	}
	fmt.Fprintf(stdout, "Deleted role %s.\n", pos[0])
	return nil
}

// roleDeleteError says why the role ri was not deleted: how many hold it,
// what grants it, and what to do first.
func roleDeleteError(ri core.RoleInfo, err error) error {
	msg := errorText(err)
	held := errorText(core.RoleHeld(ri.Name, ri.Holders))
	switch {
	case ri.Holders > 0 && msg == held:
		msg += fmt.Sprintf(" Revoke the grants made by hand first (jitconsole users list --role %s; jitconsole users revoke ID %[1]s); "+
			"grants made by rules go when no rule grants it and the holders sign in again.", ri.Name)
	case ri.Holders > 0:
		msg = held + " " + msg
	}
	if ri.Holders > 0 {
		//lint:ignore ST1005 sentences for a person, which run prints as they are
		return fmt.Errorf("%s Nothing was deleted: they keep %s.", msg, ri.Name)
	}
	//lint:ignore ST1005 sentences for a person, which run prints as they are
	return fmt.Errorf("%s Nothing was deleted.", msg)
}

// plural is "1 account" or "3 accounts".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
