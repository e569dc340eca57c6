// Command jitconsole is JIT Console, a desktop console for SAML
// just-in-time provisioning: an embedded SAML service provider, a built-in
// demo IdP, and a live view of the accounts that sign-ins create.
//
//	jitconsole [--listen ADDR] [--base-url URL] [--data-dir DIR]   the console (GUI)
//	jitconsole serve [--listen ADDR] [--base-url URL] [--data-dir DIR]
//	jitconsole users list [--json] [--search S] [--data-dir DIR]
//	jitconsole demo simulate --count N [--target URL] [--concurrency C]
//	jitconsole check-response --response FILE (--idp SLUG | --idp-metadata FILE | --idp-cert PEMFILE) ...
//	jitconsole idp import (--file F | --url U | --stdin) [--name NAME] [--slug SLUG] [--dry-run] ...
//	jitconsole idp list [--json] [--data-dir DIR]
//	jitconsole idp remove SLUG [--data-dir DIR]
//	jitconsole idp set SLUG [--enabled=BOOL] [--allow-idp-initiated=BOOL] ...
//	jitconsole users show|disable|enable|delete|grant|revoke|stale ...
//	jitconsole roles list|add|rename|delete ...
//	jitconsole settings get [KEY] | set KEY VALUE
//	jitconsole db check|backup FILE|restore FILE|reset [--data-dir DIR]
//
// This file only dispatches to the commands: each command group has its own
// cmd_*.go beside it, flags.go holds what they share, and cmd_gui.go is the
// one place that imports fyne.io/fyne/v2/app.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	// Sets LANGUAGE, before Fyne's package init reads it, when the locale
	// is one Fyne cannot parse (C.UTF-8): no command prints Fyne's error.
	_ "github.com/jitconsole/jitconsole/internal/fynelocale"
)

// AppID is the application ID, as in FyneApp.toml.
const AppID = "io.jitconsole.console"

// errUsage marks a command line that cannot be run; the usage was printed.
var errUsage = errors.New("usage")

// errReported is a failure that the command has already explained (a
// refused response, an aggregate to choose from): exit status 1, nothing
// more printed.
var errReported = errors.New("reported")

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status: 0, 1 when
// the command failed, 2 for a usage error. It reads standard input from
// stdin (idp import --stdin, check-response --response -, rules import -)
// and no other global stream, so tests run it in process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd, rest := "", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		cmd, rest = "version", args[1:]
	}
	var err error
	switch cmd {
	case "":
		err = cmdGUI(rest, stdout, stderr)
	case "serve":
		err = cmdServe(rest, stdout, stderr)
	case "users":
		err = subcommand("users", rest, stdout, stderr, map[string]command{"list": cmdUsersList,
			"show": cmdUsersShow, "disable": cmdUsersDisable, "enable": cmdUsersEnable, "grant": cmdUsersGrant,
			"revoke": cmdUsersRevoke, "delete": cmdUsersDelete, "stale": cmdUsersStale})
	case "roles":
		err = subcommand("roles", rest, stdout, stderr, map[string]command{
			"list": cmdRolesList, "add": cmdRolesAdd, "rename": cmdRolesRename, "delete": cmdRolesDelete})
	case "settings":
		err = subcommand("settings", rest, stdout, stderr, map[string]command{"get": cmdSettingsGet, "set": cmdSettingsSet})
	case "demo":
		err = subcommand("demo", rest, stdout, stderr, map[string]command{"simulate": cmdSimulate})
	case "idp":
		err = subcommand("idp", rest, stdout, stderr, map[string]command{
			"import": withStdin(stdin, cmdIdPImport), "list": cmdIdPList, "remove": cmdIdPRemove,
			"set": cmdIdPSet})
	case "check-response":
		err = cmdCheckResponse(stdin, rest, stdout, stderr)
	case "rules":
		err = subcommand("rules", rest, stdout, stderr, map[string]command{
			"export": cmdRulesExport, "import": withStdin(stdin, cmdRulesImport)})
	case "tls":
		err = subcommand("tls", rest, stdout, stderr, map[string]command{
			"self-signed": cmdTLSSelfSigned, "import": cmdTLSImport, "off": cmdTLSOff, "status": cmdTLSStatus})
	case "scim":
		err = subcommand("scim", rest, stdout, stderr, map[string]command{"token": cmdSCIMToken})
	case "config":
		err = subcommand("config", rest, stdout, stderr, map[string]command{
			"export": cmdConfigExport, "apply": withStdin(stdin, cmdConfigApply)})
	case "db":
		err = subcommand("db", rest, stdout, stderr, map[string]command{
			"check": cmdDBCheck, "backup": cmdDBBackup, "restore": cmdDBRestore, "reset": cmdDBReset})
	case "version":
		err = cmdVersion(rest, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, mainUsage)
		return 0
	default:
		fmt.Fprintf(stderr, "jitconsole: unknown command %q\n%s", cmd, mainUsage)
		return 2
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errReported):
		return 1
	default:
		fmt.Fprintf(stderr, "jitconsole: %s\n", errorText(err))
		return 1
	}
}

const mainUsage = `JIT Console: an embedded SAML service provider that provisions accounts
just in time, with a built-in demo IdP.

Usage:
  jitconsole [--listen ADDR] [--base-url URL] [--data-dir DIR]
        open the console window (the SP listener runs inside it)
  jitconsole serve [--listen ADDR] [--base-url URL] [--data-dir DIR] [--no-demo-idp] [--new-sp-key]
        run the same listener without a window; events as JSON lines on stdout
  jitconsole users list [--json | --jsonl] [--search S] [--limit N] [--offset N] [--data-dir DIR]
        list provisioned accounts (works while the console runs)
  jitconsole users show (ID | --idp SLUG NAMEID)
        an account's attributes, roles with provenance and sign-ins
  jitconsole users disable|enable|delete (ID | --idp SLUG NAMEID)
  jitconsole users grant|revoke (ID | --idp SLUG NAMEID) ROLE
  jitconsole users stale --days N [--disable]
        change accounts, or list (disable) those without a sign-in for N days
  jitconsole roles list | add NAME | rename OLD NEW | delete NAME
        the role catalogue
  jitconsole settings get [KEY] | set KEY VALUE
        clock skew, retention and the demo IdP's switch
  jitconsole demo simulate --count N [--target URL] [--data-dir DIR]
        sign N generated new hires in at a running console
  jitconsole idp import (--file F | --url U | --stdin) [--name NAME] [--slug SLUG] [--dry-run]
        connect an identity provider from its metadata (--dry-run: preview only)
  jitconsole idp list [--json]
  jitconsole idp remove SLUG
        list or remove identity provider connections
  jitconsole idp set SLUG [--enabled=BOOL] [--allow-idp-initiated=BOOL] [--allow-sha1=BOOL]
        [--require-signed-response=BOOL] [--require-signed-assertion=BOOL]
        [--refresh-interval DURATION] [--metadata-url URL]
        change a connection's settings (prints old → new)
  jitconsole check-response --response FILE (--idp SLUG | --idp-metadata FILE |
        --idp-cert PEMFILE) [--at RFC3339] [--json] ...
        validate a SAMLResponse without creating any account; exit status 0
        when it is valid, 1 when it is refused
  jitconsole rules export --idp SLUG [--data-dir DIR]
  jitconsole rules import --idp SLUG FILE [--data-dir DIR]
        an IdP's field mapping, account key, sync policy and role rules as JSON
  jitconsole tls self-signed --host NAME [--cert FILE] [--key FILE] [--days N]
  jitconsole tls import --cert FILE --key FILE | jitconsole tls off | jitconsole tls status
        HTTPS for the SP listener: a test certificate, or one stored in the data
        directory (key in the OS keyring); serve and the window also take
        --tls-cert FILE --tls-key FILE
  jitconsole config export [--format yaml|json] [--data-dir DIR]
  jitconsole config apply FILE|- [--dry-run] [--prune] [--data-dir DIR]
        the whole console as code: settings, roles, every IdP and its rules
        in one document; apply prints the plan, then changes all or nothing
  jitconsole scim token --idp SLUG [--rotate] [--data-dir DIR]
        the IdP's SCIM bearer token for /scim/SLUG/v2 (pre-provisioning and
        deprovisioning beside JIT), shown once, kept as a hash
  jitconsole db check [--data-dir DIR]
  jitconsole db backup FILE [--force] [--data-dir DIR]
        check the database, or copy it (both work while the console runs)
  jitconsole db restore FILE [--data-dir DIR]
  jitconsole db reset [--data-dir DIR]
        replace the database with a backup, or start over with an empty one
        (the console must be stopped)
  jitconsole --version | version
        print the version, the commit and the Go version

Run "jitconsole COMMAND --help" for the options of a command.
The data directory is --data-dir, else $JITCONSOLE_DATA_DIR, else
the "jitconsole" directory in the user's configuration directory.
One console (window or serve) runs per data directory; the other
commands work beside it.
`

type command func(args []string, stdout, stderr io.Writer) error

// withStdin makes a command of one that reads standard input.
func withStdin(stdin io.Reader, cmd func(stdin io.Reader, args []string, stdout, stderr io.Writer) error) command {
	return func(args []string, stdout, stderr io.Writer) error { return cmd(stdin, args, stdout, stderr) }
}

// subcommand dispatches "jitconsole NAME VERB ...".
func subcommand(name string, args []string, stdout, stderr io.Writer, verbs map[string]command) error {
	var names []string
	for v := range verbs {
		names = append(names, v)
	}
	sort.Strings(names)
	usage := fmt.Sprintf("Usage: jitconsole %s %s ...  (see jitconsole %[1]s VERB --help)\n", name, strings.Join(names, "|"))
	if len(args) == 0 {
		fmt.Fprintf(stderr, "jitconsole %s: missing command\n%s", name, usage)
		return errUsage
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return flag.ErrHelp
	}
	verb, ok := verbs[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "jitconsole %s: unknown command %q\n%s", name, args[0], usage)
		return errUsage
	}
	return verb(args[1:], stdout, stderr)
}
