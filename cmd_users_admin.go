// jitconsole users show|disable|enable|grant|revoke|delete|stale: one
// account's details and the Users screen's actions on accounts.

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// accountRef is how a command names an account: its ID, or --idp SLUG
// and its NameID (a NameID can repeat across IdPs).
type accountRef struct{ idp string }

func addAccountRef(fs *flag.FlagSet) *accountRef {
	r := &accountRef{}
	fs.StringVar(&r.idp, "idp", "", "name the account by the IdP `SLUG` and its NameID instead of its ID")
	return r
}

// find returns the ID of the account arg names.
func (r *accountRef) find(ctx context.Context, con *core.Console, arg string) (int64, error) {
	if r.idp != "" {
		u, err := con.UserByNameID(ctx, r.idp, arg)
		if core.ErrorCode(err) == core.ENOTFOUND {
			return 0, fmt.Errorf("there is no account with NameID %q from IdP %q; jitconsole users list --idp %s --search TEXT finds it", arg, r.idp, r.idp)
		}
		return u.ID, plainError(err)
	}
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%q is not an account ID (the ID column of jitconsole users list); name an account by NameID with --idp SLUG NAMEID", arg)
	}
	if _, err := con.User(ctx, id); core.ErrorCode(err) == core.ENOTFOUND {
		return 0, fmt.Errorf("there is no account %d; jitconsole users list shows the IDs", id)
	} else if err != nil {
		return 0, plainError(err)
	}
	return id, nil
}

// accountCommand parses a users verb that takes an account (and n-1 more
// arguments) and opens the data directory, read-only when readOnly.
func accountCommand(fs *flag.FlagSet, synopsis string, args []string, n int, readOnly bool, stdout, stderr io.Writer) (*opened, []string, int64, error) {
	ref := addAccountRef(fs)
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	pos, err := parseFlagsArgs(fs, synopsis, args, n, stdout, stderr)
	if err != nil {
		return nil, nil, 0, err
	}
	if len(pos) != n {
		return nil, nil, 0, usageError(fs, stderr, "usage: %s", firstLine(synopsis))
	}
	ctx := context.Background()
	var con *opened
	if readOnly {
		con, err = openReader(ctx, dirFlag, "", nil)
	} else {
		con, err = openExistingConsole(ctx, dirFlag, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	}
	if err != nil {
		return nil, nil, 0, err
	}
	id, err := ref.find(ctx, con.Console, pos[0])
	if err != nil {
		con.close()
		return nil, nil, 0, err
	}
	return con, pos[1:], id, nil
}

// accountName is "42 (pat@example.com from demo)".
func accountName(u core.User) string {
	return fmt.Sprintf("%d (%s from %s)", u.ID, u.NameID, u.IdPSlug)
}

// cmdUsersShow prints one account: its fields, roles with where each came
// from, the attributes of its last assertion and its sign-ins.
func cmdUsersShow(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole users show", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	con, _, id, err := accountCommand(fs, "jitconsole users show (ID | --idp SLUG NAMEID) [--json] [--data-dir DIR]\n\nPrints an account: attributes of its last assertion, roles with the rule (of\nwhich IdP) or the admin that granted each, and its latest sign-ins.\n", args, 1, true, stdout, stderr)
	if err != nil {
		return err
	}
	defer con.close()
	d, err := con.User(context.Background(), id)
	if err != nil {
		return plainError(err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(makeUserDetailJSON(d))
	}
	return writeUserDetail(stdout, d)
}

type userDetailJSON struct {
	userJSON
	Status     string              `json:"status"`
	Warnings   []string            `json:"warnings,omitempty"`
	Grants     []grantJSON         `json:"grants"`
	Attributes map[string][]string `json:"attributes"`
	Logins     []loginJSON         `json:"logins"`
}

type grantJSON struct {
	Role       string     `json:"role"`
	Kind       string     `json:"kind"`
	Provenance string     `json:"provenance"`
	IdP        string     `json:"idp,omitempty"`
	Rule       int        `json:"rule,omitempty"`
	GrantedBy  string     `json:"granted_by,omitempty"`
	GrantedAt  *time.Time `json:"granted_at,omitempty"`
}

type loginJSON struct {
	At      time.Time `json:"at"`
	IdP     string    `json:"idp"`
	Outcome string    `json:"outcome"`
	Class   string    `json:"class,omitempty"`
	Reason  string    `json:"reason,omitempty"`
}

func makeUserDetailJSON(d core.UserDetail) userDetailJSON {
	j := userDetailJSON{userJSON: makeUserJSON(d.User), Status: accountStatus(d.User), Warnings: d.Warnings,
		Grants: []grantJSON{}, Attributes: map[string][]string{}, Logins: []loginJSON{}}
	for _, g := range d.Roles {
		gj := grantJSON{Role: g.Role, Kind: string(g.Kind), Provenance: provenance(g), IdP: g.IdPSlug, Rule: g.RuleIndex, GrantedBy: g.GrantedBy}
		if !g.GrantedAt.IsZero() {
			gj.GrantedAt = &g.GrantedAt
		}
		j.Grants = append(j.Grants, gj)
	}
	for k, v := range d.Attributes {
		j.Attributes[k] = v
	}
	for _, l := range d.Logins {
		j.Logins = append(j.Logins, loginJSON{At: l.At, IdP: l.IdPSlug, Outcome: string(l.Outcome), Class: string(l.Class), Reason: l.Reason})
	}
	return j
}

func accountStatus(u core.User) string {
	if u.Disabled {
		return "disabled (sign-ins are refused)"
	}
	return "active"
}

// provisionedBy says how an account was created, for a person.
func provisionedBy(by string) string {
	switch by {
	case core.ProvisionedBySCIM:
		return "scim (pre-provisioned by the IdP's SCIM client)"
	case core.ProvisionedByJIT:
		return "jit (created at its first sign-in)"
	}
	return orNone(by)
}

// provenance says where a grant came from, for a person.
func provenance(g core.RoleGrant) string {
	switch g.Kind {
	case core.GrantManual:
		s := "granted by hand"
		if g.GrantedBy != "" {
			s += " by " + g.GrantedBy
		}
		if !g.GrantedAt.IsZero() {
			s += " on " + utcTime(g.GrantedAt)
		}
		return s + " (pinned: no sign-in removes it)"
	case core.GrantDefault:
		return "IdP " + orNone(g.IdPSlug) + ", default role"
	default:
		s := g.Source
		if s == "" {
			s = fmt.Sprintf("rule %d", g.RuleIndex)
		}
		return "IdP " + orNone(g.IdPSlug) + ", " + s
	}
}

// utcTime is t for a report that reads the same in every time zone.
func utcTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func writeUserDetail(w io.Writer, d core.UserDetail) error {
	u := d.User
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Account:\t%d\n", u.ID)
	idp := u.IdPSlug
	if u.IdPRemoved {
		idp += " (removed; the account stays)"
	}
	fmt.Fprintf(tw, "IdP:\t%s\n", idp)
	fmt.Fprintf(tw, "NameID:\t%s\n", u.NameID)
	fmt.Fprintf(tw, "Username:\t%s\n", u.Username)
	fmt.Fprintf(tw, "Display name:\t%s\n", u.DisplayName)
	fmt.Fprintf(tw, "Email:\t%s\n", u.Email)
	fmt.Fprintf(tw, "Status:\t%s\n", accountStatus(u))
	fmt.Fprintf(tw, "Created:\t%s\n", utcTime(u.CreatedAt))
	fmt.Fprintf(tw, "Created by:\t%s\n", provisionedBy(u.ProvisionedBy))
	fmt.Fprintf(tw, "Last sign-in:\t%s\n", utcTime(u.LastLoginAt))
	fmt.Fprintf(tw, "Sign-ins:\t%d\n", u.LoginCount)
	for _, warning := range u.Warnings {
		fmt.Fprintf(tw, "Warning:\t%s\n", warning)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nRoles:")
	if len(u.Roles) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, g := range u.Roles {
		fmt.Fprintf(tw, "  %s\t%s\n", g.Role, provenance(g))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nAttributes of the last assertion:")
	if len(d.Attributes) == 0 {
		fmt.Fprintln(w, "  (none recorded)")
	}
	names := make([]string, 0, len(d.Attributes))
	for k := range d.Attributes {
		names = append(names, k)
	}
	sort.Strings(names)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range names {
		fmt.Fprintf(tw, "  %s\t%s\n", k, strings.Join(d.Attributes[k], ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nSign-ins (newest first):")
	if len(d.Logins) == 0 {
		fmt.Fprintln(w, "  (none recorded)")
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, l := range d.Logins {
		fmt.Fprintf(tw, "  %s\t%s\t%s", utcTime(l.At), l.IdPSlug, l.Outcome)
		if l.Class != "" || l.Reason != "" {
			fmt.Fprintf(tw, "\t%s: %s", l.Class, l.Reason)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// cmdUsersDisable and cmdUsersEnable switch an account's sign-ins off and
// on, as the Users screen's buttons do.
func cmdUsersDisable(args []string, stdout, stderr io.Writer) error {
	return setAccountDisabled("disable", true, args, stdout, stderr)
}

func cmdUsersEnable(args []string, stdout, stderr io.Writer) error {
	return setAccountDisabled("enable", false, args, stdout, stderr)
}

func setAccountDisabled(verb string, disabled bool, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole users "+verb, flag.ContinueOnError)
	about := "Disables an account: its sign-ins are refused with a clear page until it is enabled. Nothing is deleted."
	if !disabled {
		about = "Enables a disabled account: it may sign in again."
	}
	con, _, id, err := accountCommand(fs, "jitconsole users "+verb+" (ID | --idp SLUG NAMEID) [--data-dir DIR]\n\n"+about+"\n", args, 1, false, stdout, stderr)
	if err != nil {
		return err
	}
	defer con.close()
	ctx := context.Background()
	n, err := con.SetUsersDisabled(ctx, []int64{id}, disabled)
	if err != nil {
		return plainError(err)
	}
	d, err := con.User(ctx, id)
	if err != nil {
		return plainError(err)
	}
	state := map[bool]string{true: "disabled", false: "enabled"}[disabled]
	if n == 0 {
		fmt.Fprintf(stdout, "Account %s is %s already: nothing changed.\n", accountName(d.User), state)
		return nil
	}
	fmt.Fprintf(stdout, "Account %s: %s → %s.\n", accountName(d.User), map[bool]string{true: "enabled", false: "disabled"}[disabled], state)
	return nil
}

// cmdUsersGrant pins a manual grant of a role to an account; cmdUsersRevoke
// removes one.
func cmdUsersGrant(args []string, stdout, stderr io.Writer) error {
	return changeGrant("grant", args, stdout, stderr)
}

func cmdUsersRevoke(args []string, stdout, stderr io.Writer) error {
	return changeGrant("revoke", args, stdout, stderr)
}

func changeGrant(verb string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole users "+verb, flag.ContinueOnError)
	about := "Grants a role of the catalogue by hand; the grant is pinned: no sign-in removes it."
	if verb == "revoke" {
		about = "Removes a role granted by hand. Roles the rules grant follow the rules instead."
	}
	con, rest, id, err := accountCommand(fs, "jitconsole users "+verb+" (ID | --idp SLUG NAMEID) ROLE [--data-dir DIR]\n\n"+about+"\n", args, 2, false, stdout, stderr)
	if err != nil {
		return err
	}
	defer con.close()
	ctx := context.Background()
	role := rest[0]
	if verb == "grant" {
		err = con.GrantRole(ctx, id, role)
	} else {
		err = con.RevokeRole(ctx, id, role)
	}
	if err != nil {
		//lint:ignore ST1005 sentences for a person, which run prints as they are
		return fmt.Errorf("%s Nothing changed.", strings.TrimSuffix(errorText(err), ".")+".")
	}
	d, err := con.User(ctx, id)
	if err != nil {
		return plainError(err)
	}
	if verb == "grant" {
		fmt.Fprintf(stdout, "Granted %s to account %s by hand.\n", role, accountName(d.User))
	} else {
		fmt.Fprintf(stdout, "Revoked the manual grant of %s from account %s.\n", role, accountName(d.User))
	}
	return nil
}

// cmdUsersDelete deletes an account; its next sign-in creates it again.
func cmdUsersDelete(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole users delete", flag.ContinueOnError)
	con, _, id, err := accountCommand(fs, "jitconsole users delete (ID | --idp SLUG NAMEID) [--data-dir DIR]\n\nDeletes an account with its roles and attributes (its sign-in history stays,\nunlinked). Its next sign-in creates it again: to keep someone out, disable.\n", args, 1, false, stdout, stderr)
	if err != nil {
		return err
	}
	defer con.close()
	ctx := context.Background()
	d, err := con.User(ctx, id)
	if err != nil {
		return plainError(err)
	}
	if err := con.DeleteUser(ctx, id); err != nil {
		return plainError(err)
	}
	fmt.Fprintf(stdout, "Deleted account %s. A new sign-in of %s creates it again; disable an account to keep someone out.\n", accountName(d.User), d.NameID)
	return nil
}

// cmdUsersStale lists the accounts without a sign-in for N days, as the
// Users screen's stale view, or disables them (--disable).
func cmdUsersStale(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole users stale", flag.ContinueOnError)
	days := fs.Int("days", 0, "no sign-in (or, never signed in, no creation) for `N` days, 1 to 3650 (required)")
	disable := fs.Bool("disable", false, "disable those accounts (one change, one audit entry) instead of listing them")
	asJSONL := fs.Bool("jsonl", false, "list as JSON Lines")
	idp := fs.String("idp", "", "only the accounts of the IdP `SLUG`")
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, "jitconsole users stale --days N [--disable] [--jsonl] [--idp SLUG] [--data-dir DIR]\n\nLists the accounts with no sign-in for N days, or disables them. JIT never\ndeprovisions: disable who no longer signs in.\n", args, stdout, stderr); err != nil {
		return err
	}
	if *days < 1 || *days > 3650 {
		return usageError(fs, stderr, "--days takes a number of days from 1 to 3650")
	}
	f := core.UserFilter{IdPSlug: *idp, LastLoginBefore: time.Now().AddDate(0, 0, -*days)}
	ctx := context.Background()
	if !*disable {
		con, err := openReader(ctx, dirFlag, "", nil)
		if err != nil {
			return err
		}
		defer con.close()
		format := usersTable
		if *asJSONL {
			format = usersJSONLines
		}
		empty := fmt.Sprintf("(no account has gone %s without a sign-in)", plural(*days, "day", "days"))
		return plainError(streamUsers(ctx, con.Console, f, 0, 0, format, empty, stdout))
	}
	con, err := openExistingConsole(ctx, dirFlag, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer con.close()
	f.Status = core.UserActive // the ones that would change
	n, err := con.SetMatchingUsersDisabled(ctx, f, true)
	if err != nil {
		return plainError(err)
	}
	if n == 0 {
		fmt.Fprintf(stdout, "No active account has gone %s without a sign-in: nothing changed.\n", plural(*days, "day", "days"))
		return nil
	}
	fmt.Fprintf(stdout, "Disabled %s with no sign-in for %s. Their sign-ins are refused until enabled again (jitconsole users enable ID).\n",
		plural(n, "account", "accounts"), plural(*days, "day", "days"))
	return nil
}
