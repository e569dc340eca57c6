// Command jitconsole is JIT Console, a desktop console for SAML
// just-in-time provisioning: an embedded SAML service provider, a built-in
// demo IdP, and a live view of the accounts that sign-ins create.
//
//	jitconsole [--listen ADDR] [--base-url URL] [--data-dir DIR]   the console (GUI)
//	jitconsole serve [--listen ADDR] [--base-url URL] [--data-dir DIR]
//	jitconsole users list [--json] [--search S] [--data-dir DIR]
//	jitconsole demo simulate --count N [--target URL] [--concurrency C]
//	jitconsole check-response --response FILE (--idp SLUG | --idp-metadata FILE | --idp-cert PEMFILE) ...
//	jitconsole idp import (--file F | --url U | --stdin) [--name NAME] [--slug SLUG] ...
//	jitconsole idp list [--json] [--data-dir DIR]
//	jitconsole idp remove SLUG [--data-dir DIR]
//
// This file only parses the command line and wires storage, core and ui
// together; it is the one place that imports fyne.io/fyne/v2/app.
package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/jitconsole/jitconsole/assets"
	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
	"github.com/jitconsole/jitconsole/ui"
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
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status: 0, 1 when
// the command failed, 2 for a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	cmd, rest := "", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "":
		err = cmdGUI(rest, stdout, stderr)
	case "serve":
		err = cmdServe(rest, stdout, stderr)
	case "users":
		err = subcommand("users", rest, stdout, stderr, map[string]command{"list": cmdUsersList})
	case "demo":
		err = subcommand("demo", rest, stdout, stderr, map[string]command{"simulate": cmdSimulate})
	case "idp":
		err = subcommand("idp", rest, stdout, stderr, map[string]command{
			"import": cmdIdPImport, "list": cmdIdPList, "remove": cmdIdPRemove})
	case "check-response":
		err = cmdCheckResponse(rest, stdout, stderr)
	case "rules":
		err = subcommand("rules", rest, stdout, stderr, map[string]command{
			"export": cmdRulesExport, "import": cmdRulesImport})
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
		fmt.Fprintf(stderr, "jitconsole: %v\n", err)
		return 1
	}
}

const mainUsage = `JIT Console: an embedded SAML service provider that provisions accounts
just in time, with a built-in demo IdP.

Usage:
  jitconsole [--listen ADDR] [--base-url URL] [--data-dir DIR]
        open the console window (the SP listener runs inside it)
  jitconsole serve [--listen ADDR] [--base-url URL] [--data-dir DIR]
        run the same listener without a window; events as JSON lines on stdout
  jitconsole users list [--json] [--search S] [--data-dir DIR]
        list provisioned accounts (works while the console runs)
  jitconsole demo simulate --count N [--target URL] [--concurrency C]
        sign N generated new hires in at a running console
  jitconsole idp import (--file F | --url U | --stdin) [--name NAME] [--slug SLUG]
        connect an identity provider from its metadata
  jitconsole idp list [--json]
  jitconsole idp remove SLUG
        list or remove identity provider connections
  jitconsole check-response --response FILE (--idp SLUG | --idp-metadata FILE |
        --idp-cert PEMFILE) [--at RFC3339] [--json] ...
        validate a SAMLResponse without creating any account; exit status 0
        when it is valid, 1 when it is refused
  jitconsole rules export --idp SLUG [--data-dir DIR]
  jitconsole rules import --idp SLUG FILE [--data-dir DIR]
        an IdP's field mapping, account key, sync policy and role rules as JSON

Run "jitconsole COMMAND --help" for the options of a command.
The data directory is --data-dir, else $JITCONSOLE_DATA_DIR, else
the "jitconsole" directory in the user's configuration directory.
`

type command func(args []string, stdout, stderr io.Writer) error

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

// parseFlags parses args with fs. --help prints the usage on stdout and
// returns flag.ErrHelp; a bad flag or a stray argument prints the error and
// the usage on stderr and returns errUsage.
func parseFlags(fs *flag.FlagSet, synopsis string, args []string, stdout, stderr io.Writer) error {
	_, err := parseFlagsArgs(fs, synopsis, args, 0, stdout, stderr)
	return err
}

// parseFlagsArgs is parseFlags for a command that takes up to n arguments
// besides its flags, before or after them (idp remove SLUG --data-dir DIR),
// and returns them.
func parseFlagsArgs(fs *flag.FlagSet, synopsis string, args []string, n int, stdout, stderr io.Writer) ([]string, error) {
	fs.SetOutput(io.Discard)
	printUsage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: %s\n", synopsis)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	var positional []string
	err := fs.Parse(args)
	for err == nil && fs.NArg() > 0 && len(positional) < n {
		positional = append(positional, fs.Arg(0))
		err = fs.Parse(fs.Args()[1:])
	}
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case err == nil:
		return positional, nil
	case errors.Is(err, flag.ErrHelp):
		printUsage(stdout)
		return nil, flag.ErrHelp
	default:
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		printUsage(stderr)
		return nil, errUsage
	}
}

// usageError reports a bad flag value found after parsing.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, args ...any) error {
	fmt.Fprintf(stderr, "%s: %s\nRun \"%[1]s --help\" for usage.\n", fs.Name(), fmt.Sprintf(format, args...))
	return errUsage
}

// serverFlags are the flags of the GUI and of serve.
type serverFlags struct {
	listen, baseURL, dataDir string
	listenSet                bool
}

func addServerFlags(fs *flag.FlagSet) *serverFlags {
	sf := &serverFlags{}
	fs.StringVar(&sf.listen, "listen", core.DefaultListenAddr, "`ADDR` (host:port) the SP listener binds")
	fs.StringVar(&sf.baseURL, "base-url", "", "public `URL` of the listener, used in every SAML URL\n(default "+core.DefaultBaseURL+", or http://localhost:PORT of --listen)")
	addDataDirFlag(fs, &sf.dataDir)
	return sf
}

func addDataDirFlag(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "data-dir", "", "data `DIR` with the database (default $JITCONSOLE_DATA_DIR, else jitconsole/ in the user's config dir)")
}

// check validates the flags after parsing and fills in derived values.
func (sf *serverFlags) check(fs *flag.FlagSet, stderr io.Writer) error {
	fs.Visit(func(f *flag.Flag) { sf.listenSet = sf.listenSet || f.Name == "listen" })
	if _, _, err := net.SplitHostPort(sf.listen); err != nil {
		return usageError(fs, stderr, "--listen %q is not HOST:PORT", sf.listen)
	}
	if sf.baseURL != "" {
		if err := checkHTTPURL(sf.baseURL); err != nil {
			return usageError(fs, stderr, "--base-url: %v", err)
		}
	}
	sf.baseURL = baseURLFor(sf.listen, sf.baseURL, sf.listenSet)
	return nil
}

// baseURLFor derives the public base URL. Without --listen it is
// core.DefaultBaseURL; with it, the same port on "localhost" (one host name
// everywhere, so that cookies of the SP and the demo IdP meet). Port 0 and
// odd addresses give "", which makes core use the address it bound.
func baseURLFor(listen, baseURL string, listenSet bool) string {
	switch {
	case baseURL != "":
		return strings.TrimRight(baseURL, "/")
	case !listenSet:
		return core.DefaultBaseURL
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil || port == "0" || port == "" {
		return ""
	}
	ip := net.ParseIP(host)
	if host == "" || host == "localhost" || (ip != nil && (ip.IsLoopback() || ip.IsUnspecified())) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL like %s", s, core.DefaultBaseURL)
	}
	return nil
}

// dataDir is the flag's value, else $JITCONSOLE_DATA_DIR, else the default.
func dataDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if env := os.Getenv("JITCONSOLE_DATA_DIR"); env != "" {
		return env, nil
	}
	return storage.DefaultDataDir()
}

// opened is a console over the database and key store of a data directory.
type opened struct {
	*core.Console
	db     *storage.DB
	logger *slog.Logger
	// lastEventID is the newest event before core.New ran: events after it
	// were written while the console opened (a key fallback, say).
	lastEventID int64
}

// openConsole opens the database and the key store of the data directory
// and makes the console over them, without starting its listener.
func openConsole(ctx context.Context, sf *serverFlags, logger *slog.Logger) (*opened, error) {
	dir, err := dataDir(sf.dataDir)
	if err != nil {
		return nil, err
	}
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		return nil, err
	}
	o := &opened{db: db, logger: logger}
	if last, err := db.RecentEvents(ctx, 1); err == nil && len(last) > 0 {
		o.lastEventID = last[0].ID
	}
	o.Console, err = core.New(ctx, core.Options{Store: db, Keys: storage.NewKeyStore(dir),
		ListenAddr: sf.listen, BaseURL: sf.baseURL, Logger: logger})
	if err != nil {
		db.Close()
		return nil, err
	}
	logger.Info("data directory", "dir", dir)
	return o, nil
}

// close stops the listener and closes the database.
func (o *opened) close() {
	if err := o.Console.Close(); err != nil {
		o.logger.Warn("stop the SP listener", "err", err)
	}
	if err := o.db.Close(); err != nil {
		o.logger.Warn("close the database", "err", err)
	}
}

// eventsSinceOpen returns, oldest first, the events written since
// openConsole began.
func (o *opened) eventsSinceOpen(ctx context.Context) []core.Event {
	recent, err := o.RecentEvents(ctx, 100)
	if err != nil {
		o.logger.Warn("read the events of the start", "err", err)
		return nil
	}
	var out []core.Event
	for i := len(recent) - 1; i >= 0; i-- {
		if recent[i].ID > o.lastEventID {
			out = append(out, recent[i])
		}
	}
	return out
}

// cmdGUI opens the console window. If the listener cannot start (a busy
// port), the window still opens: the UI shows why and offers another address.
func cmdGUI(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole", flag.ContinueOnError)
	sf := addServerFlags(fs)
	if err := parseFlags(fs, "jitconsole [--listen ADDR] [--base-url URL] [--data-dir DIR]\n\nOpens the console window; the SP listener runs inside it.\nOther commands: serve, users list, demo simulate (jitconsole help).\n", args, stdout, stderr); err != nil {
		return err
	}
	if err := sf.check(fs, stderr); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	con, err := openConsole(context.Background(), sf, logger)
	if err != nil {
		return err
	}
	defer con.close()
	if warning := con.KeyWarning(); warning != "" {
		logger.Warn("private keys are not in the OS keyring", "why", warning)
	}
	if err := con.Start(); err != nil {
		logger.Warn("the SP listener is not running", "reason", core.ErrorMessage(err))
	}

	if noSessionBus() {
		// Fyne's D-Bus client would start a bus with dbus-launch that
		// outlives the console; with no bus to talk to, it gets none.
		os.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	}
	a := app.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := a.NewWindow("JIT Console")
	w.Resize(fyne.NewSize(1280, 820))
	w.SetMaster()
	view := ui.Create(a, w, con.Console)
	defer view.Close() // before con.close: the screens stop reading first

	// SIGINT and SIGTERM close the window like the window manager would.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			fyne.Do(a.Quit)
		}
	}()
	w.ShowAndRun()
	return nil
}

// noSessionBus reports whether a Unix desktop has no D-Bus session bus
// (as under a bare xvfb-run) where one would be autolaunched.
func noSessionBus() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
	default:
		return false
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return false
	}
	for _, dir := range []string{os.Getenv("XDG_RUNTIME_DIR"), fmt.Sprintf("/run/user/%d", os.Getuid())} {
		if _, err := os.Stat(filepath.Join(dir, "bus")); dir != "" && err == nil {
			return false
		}
	}
	return true
}

// cmdServe runs the listener without a window until SIGINT or SIGTERM.
func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole serve", flag.ContinueOnError)
	sf := addServerFlags(fs)
	if err := parseFlags(fs, "jitconsole serve [--listen ADDR] [--base-url URL] [--data-dir DIR]\n\nRuns the SP listener and the demo IdP without a window. Every event is one\nJSON line on stdout; logs go to stderr. Stops cleanly on SIGINT or SIGTERM.\n", args, stdout, stderr); err != nil {
		return err
	}
	if err := sf.check(fs, stderr); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	con, err := openConsole(ctx, sf, logger)
	if err != nil {
		return err
	}
	// Big enough that a reader of stdout never misses a burst; a missed
	// event would still be in the database's event log. Subscribing before
	// reading the events of the start leaves no gap between the two.
	events, unsubscribe := con.Subscribe(16384)
	backlog := con.eventsSinceOpen(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		writeEvents(stdout, backlog, events, logger)
	}()
	defer func() {
		con.close()
		unsubscribe()
		wg.Wait()
	}()
	if warning := con.KeyWarning(); warning != "" {
		fmt.Fprintf(stderr, "WARNING: %s\n", warning)
	}
	if err := con.Start(); err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	st := con.Listener()
	fmt.Fprintf(stderr, "jitconsole: listening on %s, public URL %s\n", st.Addr, st.BaseURL)
	<-ctx.Done()
	logger.Info("shutting down")
	return nil
}

// eventJSON is the line serve writes for an event.
type eventJSON struct {
	ID      int64  `json:"id"`
	At      string `json:"at"`
	Kind    string `json:"kind"`
	Outcome string `json:"outcome"`
	IdP     string `json:"idp"`
	UserID  int64  `json:"user_id"`
	Subject string `json:"subject"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
	Class   string `json:"class,omitempty"`
}

// writeEvents writes the backlog, then the live events not in it, one JSON
// line each, until events is closed.
func writeEvents(w io.Writer, backlog []core.Event, events <-chan core.Event, logger *slog.Logger) {
	enc := json.NewEncoder(w)
	write := func(e core.Event) {
		err := enc.Encode(eventJSON{ID: e.ID, At: e.At.Format(time.RFC3339Nano), Kind: e.Kind,
			Outcome: e.Outcome, IdP: e.IdPSlug, UserID: e.UserID, Subject: e.Subject,
			Message: e.Message, Detail: e.Detail, Class: e.Class})
		if err != nil {
			logger.Error("write event", "err", err)
		}
	}
	var seen int64
	for _, e := range backlog {
		write(e)
		seen = e.ID
	}
	for e := range events {
		if e.ID > seen {
			write(e)
		}
	}
}

// cmdUsersList prints the accounts. It only reads the database: no
// listener, no keys, so it runs beside a console on the same data dir.
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
	db, _, err := openExistingDB(ctx, dirFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := db.ListUsers(ctx, core.UserFilter{Search: *search})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeUsersJSON(stdout, users)
	}
	return writeUsersTable(stdout, users)
}

// openExistingDB opens the database of the data directory for a command
// that reads it (and creates no database where there is none). It returns
// the data directory too.
func openExistingDB(ctx context.Context, dirFlag string) (*storage.DB, string, error) {
	dir, err := dataDir(dirFlag)
	if err != nil {
		return nil, "", err
	}
	path := storage.DBPath(dir)
	if _, err := os.Stat(path); err != nil {
		return nil, "", fmt.Errorf("no JIT Console database at %s (start the console once, or pass --data-dir)", path)
	}
	db, err := storage.Open(ctx, path)
	if err != nil {
		return nil, "", err
	}
	return db, dir, nil
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
}

type roleJSON struct {
	Role   string `json:"role"`
	Source string `json:"source"`
}

func writeUsersJSON(w io.Writer, users []core.User) error {
	out := make([]userJSON, 0, len(users))
	for _, u := range users {
		j := userJSON{ID: u.ID, IdP: u.IdPSlug, NameID: u.NameID, Username: u.Username, Email: u.Email,
			DisplayName: u.DisplayName, Roles: []roleJSON{}, CreatedAt: u.CreatedAt, LoginCount: u.LoginCount}
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

// cmdSimulate signs generated new hires in at a running console.
func cmdSimulate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole demo simulate", flag.ContinueOnError)
	count := fs.Int("count", 0, "how many new hires sign in (`N`, required)")
	target := fs.String("target", core.DefaultBaseURL, "base `URL` of the running console")
	concurrency := fs.Int("concurrency", 4, "how many sign in at a time (`C`)")
	if err := parseFlags(fs, "jitconsole demo simulate --count N [--target URL] [--concurrency C]\n\nSigns N generated new hires in at a running console (jitconsole or\njitconsole serve) through its demo IdP, each through the real SAML flow.\nExits 1 if any sign-in failed.\n", args, stdout, stderr); err != nil {
		return err
	}
	switch {
	case *count < 1:
		return usageError(fs, stderr, "--count must be at least 1")
	case *concurrency < 1:
		return usageError(fs, stderr, "--concurrency must be at least 1")
	}
	if err := checkHTTPURL(*target); err != nil {
		return usageError(fs, stderr, "--target: %v", err)
	}
	base := strings.TrimRight(*target, "/")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := probeConsole(ctx, base); err != nil {
		return err
	}

	progress := &progressLine{w: stderr}
	res, err := core.Simulate(ctx, core.SimulateOptions{Target: base, Count: *count,
		Concurrency: *concurrency, Progress: progress.update})
	progress.finish()
	if err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	rate := float64(res.Succeeded+res.Failed) / res.Elapsed.Seconds()
	fmt.Fprintf(stdout, "%d signed in, %d failed, in %s (%.1f sign-ins/s)\n",
		res.Succeeded, res.Failed, res.Elapsed.Round(time.Millisecond), rate)
	for _, e := range res.Errors {
		fmt.Fprintf(stderr, "  failed: %s\n", e)
	}
	if res.Failed > 0 {
		return fmt.Errorf("%d of %d sign-ins failed", res.Failed, *count)
	}
	return nil
}

// probeConsole checks that a console answers at base before the first
// login, so that a wrong --target is one clear error and not N failures.
func probeConsole(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	u := base + "/saml/" + core.DemoSlug + "/metadata"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("no JIT Console answers at %s (start one with jitconsole or jitconsole serve, or pass --target): %v", base, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answers %s for %s; is it a JIT Console with its demo IdP?", base, resp.Status, u)
	}
	return nil
}

// progressLine keeps one line on stderr up to date from the workers.
type progressLine struct {
	mu      sync.Mutex
	w       io.Writer
	last    core.SimProgress
	printed time.Time
}

func (p *progressLine) update(sp core.SimProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if sp.Done <= p.last.Done {
		return // workers report out of order
	}
	p.last = sp
	if sp.Done < sp.Total && time.Since(p.printed) < 100*time.Millisecond {
		return
	}
	p.printed = time.Now()
	fmt.Fprintf(p.w, "\r%d/%d signed in, %d failed", sp.Done-sp.Failed, sp.Total, sp.Failed)
}

func (p *progressLine) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.printed.IsZero() {
		fmt.Fprintln(p.w)
	}
}

// maxInput bounds a response or metadata read from a file or stdin.
const maxInput = core.MaxMetadataSize

// readInput reads the file at path ("-": standard input), up to maxInput.
func readInput(path string) ([]byte, error) {
	var r io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("%s is larger than %d MiB", path, maxInput>>20)
	}
	return data, nil
}

// inputError reports an input the command cannot use (an unreadable file,
// an unknown IdP): exit status 2, without the usage.
func inputError(fs *flag.FlagSet, stderr io.Writer, format string, args ...any) error {
	fmt.Fprintf(stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	return errUsage
}

const checkResponseSynopsis = `jitconsole check-response --response FILE
         (--idp SLUG | --idp-metadata FILE | --idp-cert PEMFILE [--issuer ENTITYID])
         [--at RFC3339] [--audience URI] [--acs URL] [--request-id ID]
         [--sp-key PEMFILE] [--base-url URL] [--data-dir DIR] [--json]

Validates a SAMLResponse the way the console's ACS does and prints the
verdict with what the response holds, creating and changing nothing. The
response is raw XML or base64 as posted (FILE "-" reads standard input).
Trust one connected IdP (--idp), an IdP's metadata, or its signing
certificate. With --idp, the console's own SP values for that IdP apply
(its entity ID as the audience, its ACS URL, both built from --base-url)
unless --audience or --acs say otherwise; without --idp both are required.
Without --request-id, a response to any AuthnRequest counts as solicited.

Exit status: 0 valid, 1 refused, 2 a wrong command line or unusable input.
`

// cmdCheckResponse is the assertion validator on the command line.
func cmdCheckResponse(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole check-response", flag.ContinueOnError)
	responsePath := fs.String("response", "", "the SAMLResponse `FILE`, XML or base64 (- reads standard input)")
	slug := fs.String("idp", "", "trust the connected IdP with this `SLUG`, with the console's SP values for it")
	metadataPath := fs.String("idp-metadata", "", "trust the IdP described by the metadata in `FILE`")
	certPath := fs.String("idp-cert", "", "trust the IdP signing certificate in `PEMFILE`")
	issuer := fs.String("issuer", "", "with --idp-cert: the IdP's `ENTITYID` (default: the response's Issuer)")
	atText := fs.String("at", "", "evaluate as of this `RFC3339` time, e.g. 2025-06-02T15:04:06Z (default: now)")
	audience := fs.String("audience", "", "the SP entity ID (`URI`) the response must be for")
	acs := fs.String("acs", "", "the ACS `URL` the response must be sent to")
	requestID := fs.String("request-id", "", "the `ID` of the AuthnRequest the response must answer")
	spKeyPath := fs.String("sp-key", "", "the SP's private key in `PEMFILE`, to decrypt an encrypted assertion\n(with --idp the console's own key, when the response is encrypted)")
	baseURL := fs.String("base-url", core.DefaultBaseURL, "with --idp: the console's public `URL`, that its SP values are built from")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, checkResponseSynopsis, args, stdout, stderr); err != nil {
		return err
	}
	trusts := 0
	for _, v := range []string{*slug, *metadataPath, *certPath} {
		if v != "" {
			trusts++
		}
	}
	switch {
	case *responsePath == "":
		return usageError(fs, stderr, "--response FILE is required")
	case trusts != 1:
		return usageError(fs, stderr, "give exactly one of --idp, --idp-metadata and --idp-cert")
	case *issuer != "" && *certPath == "":
		return usageError(fs, stderr, "--issuer goes with --idp-cert")
	case *slug == "" && (*audience == "" || *acs == ""):
		return usageError(fs, stderr, "without --idp, both --audience and --acs are required (the SP entity ID and the ACS URL the response was sent to)")
	}
	var at time.Time
	if *atText != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, *atText); err != nil {
			return usageError(fs, stderr, "--at %q is not an RFC 3339 time like 2025-06-02T15:04:06Z", *atText)
		}
	}
	if *acs != "" {
		if err := checkHTTPURL(*acs); err != nil {
			return usageError(fs, stderr, "--acs: %v", err)
		}
	}
	if *slug != "" {
		if err := checkHTTPURL(*baseURL); err != nil {
			return usageError(fs, stderr, "--base-url: %v", err)
		}
	}

	response, err := readInput(*responsePath)
	if err != nil {
		return inputError(fs, stderr, "--response: %v", err)
	}
	opts := core.CheckOptions{Response: response, At: at, Audience: *audience, ACS: *acs, RequestID: *requestID}
	if *spKeyPath != "" {
		data, err := readInput(*spKeyPath)
		if err != nil {
			return inputError(fs, stderr, "--sp-key: %v", err)
		}
		if opts.SPKey, err = core.ParsePrivateKeyPEM(data); err != nil {
			return inputError(fs, stderr, "--sp-key %s: %s", *spKeyPath, core.ErrorMessage(err))
		}
	}
	switch {
	case *metadataPath != "":
		if opts.IdPMetadata, err = readInput(*metadataPath); err != nil {
			return inputError(fs, stderr, "--idp-metadata: %v", err)
		}
	case *certPath != "":
		data, err := readInput(*certPath)
		if err != nil {
			return inputError(fs, stderr, "--idp-cert: %v", err)
		}
		if opts.IdPCert, err = core.ParseCertificatePEM(data); err != nil {
			return inputError(fs, stderr, "--idp-cert %s: %s", *certPath, core.ErrorMessage(err))
		}
		opts.Issuer = *issuer
	default:
		if err := trustConnectedIdP(fs, stderr, &opts, *slug, dirFlag, *baseURL); err != nil {
			return err
		}
	}
	if opts.SPKey == nil && isEncrypted(opts.Response) {
		fmt.Fprintf(stderr, "%s: the assertion is encrypted, and without the SP's private key (--sp-key) it cannot be read\n", fs.Name())
	}

	rep, err := core.CheckResponse(opts)
	if err != nil {
		return inputError(fs, stderr, "%s", core.ErrorMessage(err))
	}
	if *slug != "" {
		if err := addMappingDecision(&rep, *slug, dirFlag); err != nil {
			return err
		}
	}
	if *asJSON {
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
			return err
		}
	} else if err := writeCheckReport(stdout, rep); err != nil {
		return err
	}
	if !rep.Valid {
		return errReported
	}
	return nil
}

// trustConnectedIdP fills opts from the connected IdP slug: its stored
// metadata, the console's SP values for it where opts has none, and, for
// an encrypted response, the console's SP key if it can be read. It only
// reads: no listener, and no key is created.
// addMappingDecision adds to rep what the connected IdP's mapping would
// do with the response: fields, roles and create/update/deny. It reads the
// database only.
func addMappingDecision(rep *core.CheckReport, slug, dirFlag string) error {
	ctx := context.Background()
	db, _, err := openExistingDB(ctx, dirFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	idp, err := db.GetIdP(ctx, slug)
	if err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	t, err := core.Decide(ctx, db, slug, idp.Mapping, rep.NameID, rep.Attributes, nil)
	if err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	core.AddDecision(rep, t)
	return nil
}

func trustConnectedIdP(fs *flag.FlagSet, stderr io.Writer, opts *core.CheckOptions, slug, dirFlag, baseURL string) error {
	ctx := context.Background()
	db, dir, err := openExistingDB(ctx, dirFlag)
	if err != nil {
		return inputError(fs, stderr, "%v", err)
	}
	defer db.Close()
	idp, err := db.GetIdP(ctx, slug)
	if core.ErrorCode(err) == core.ENOTFOUND {
		var slugs []string
		if idps, err := db.ListIdPs(ctx); err == nil {
			for _, i := range idps {
				slugs = append(slugs, i.Slug)
			}
		}
		return inputError(fs, stderr, "no identity provider is connected as %q (connected: %s; see jitconsole idp list)",
			slug, strings.Join(slugs, ", "))
	} else if err != nil {
		return err
	}
	opts.IdPMetadata = []byte(idp.MetadataXML)
	ep := core.EndpointsFor(baseURL, slug)
	if opts.Audience == "" {
		opts.Audience = ep.EntityID
	}
	if opts.ACS == "" {
		opts.ACS = ep.ACSURL
	}
	if opts.SPKey == nil && isEncrypted(opts.Response) {
		key, err := readSPKey(dir)
		if err != nil {
			fmt.Fprintf(stderr, "%s: the console's SP key cannot be read: %s\n", fs.Name(), core.ErrorMessage(err))
		}
		opts.SPKey = key
	}
	return nil
}

// isEncrypted tells whether a response holds an encrypted assertion.
func isEncrypted(response []byte) bool {
	raw, err := core.DecodeResponse(response)
	return err == nil && bytes.Contains(raw, []byte("EncryptedAssertion"))
}

// readSPKey reads the console's SP private key from the key store of the
// data directory, without creating one.
func readSPKey(dir string) (*rsa.PrivateKey, error) {
	der, err := storage.NewKeyStore(dir).Get(core.SPKeyName)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("decode the SP key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the SP key is not an RSA key")
	}
	return rk, nil
}

// writeCheckReport prints a validator report for a person.
func writeCheckReport(w io.Writer, rep core.CheckReport) error {
	if rep.Valid {
		fmt.Fprintln(w, "VALID")
	} else {
		fmt.Fprintf(w, "REFUSED: %s\n", rep.Class)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(name, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s\t%s\n", name, value)
		}
	}
	row("Reason:", rep.Reason)
	row("Hint:", rep.Hint)
	row("Issuer:", rep.Issuer)
	if rep.NameID != "" {
		format := rep.NameIDFormat
		if format == "" {
			format = "no format given"
		}
		row("NameID:", fmt.Sprintf("%s (%s)", rep.NameID, format))
	}
	signed := strings.Join(rep.Signed, ", ")
	if signed == "" {
		signed = "nothing"
	}
	row("Signed:", signed)
	row("Decision:", rep.Decision)
	for _, f := range core.MappedFieldNames {
		if v := rep.Fields[f]; v != "" {
			row("  "+f+":", v)
		}
	}
	for _, r := range rep.Roles {
		row("  role:", r.Role+" ("+r.Rule+")")
	}
	for i, a := range rep.Algorithms {
		name := ""
		if i == 0 {
			name = "Algorithms:"
		}
		if strings.HasSuffix(a, "sha1") {
			a += "  (SHA-1: flagged as a weak algorithm)"
		}
		row(name, a)
	}
	row("Encrypted:", map[bool]string{true: "yes", false: "no"}[rep.Encrypted])
	row("Evaluated at:", rep.EvaluatedAt.Format(time.RFC3339))
	row("Detail:", rep.Detail)
	if len(rep.Attributes) == 0 {
		row("Attributes:", "none")
	}
	if err := tw.Flush(); err != nil || len(rep.Attributes) == 0 {
		return err
	}
	fmt.Fprintln(w)
	names := make([]string, 0, len(rep.Attributes))
	for n := range rep.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ATTRIBUTE\tVALUE")
	for _, n := range names {
		values := rep.Attributes[n]
		if len(values) == 0 {
			values = []string{""}
		}
		for i, v := range values {
			name := n
			if i > 0 {
				name = ""
			}
			fmt.Fprintf(tw, "%s\t%s\n", name, v)
		}
	}
	return tw.Flush()
}

const idpImportSynopsis = `jitconsole idp import (--file F | --url U | --stdin) [--name NAME] [--slug SLUG]
         [--entity-id ID] [--base-url URL] [--data-dir DIR]

Connects an identity provider from its SAML metadata, with the same checks
and messages as the console's Identity Providers screen: invalid, expired
or non-IdP metadata saves nothing. An IdP imported again under its slug
gets the new metadata and keeps its mapping and settings. Metadata from
--url is refreshed from there by the running console. Prints what the
metadata holds and the values to paste into the IdP's admin console.
`

// cmdIdPImport connects an IdP from metadata, through core's own import.
func cmdIdPImport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole idp import", flag.ContinueOnError)
	file := fs.String("file", "", "read the IdP's metadata from file `F`")
	metadataURL := fs.String("url", "", "fetch the IdP's metadata from `U` (the console refreshes it from there)")
	fromStdin := fs.Bool("stdin", false, "read the IdP's metadata from standard input")
	name := fs.String("name", "", "display `NAME` (default: from the entity ID)")
	slug := fs.String("slug", "", "`SLUG` in the SP's endpoint paths /saml/SLUG/... (default: from the name)")
	entityID := fs.String("entity-id", "", "the entity `ID` to import from an aggregate of several IdPs")
	baseURL := fs.String("base-url", core.DefaultBaseURL, "the console's public `URL`, that the values for the IdP are built from")
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, idpImportSynopsis, args, stdout, stderr); err != nil {
		return err
	}
	sources := 0
	for _, set := range []bool{*file != "", *metadataURL != "", *fromStdin} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return usageError(fs, stderr, "give exactly one of --file, --url and --stdin")
	}
	if err := checkHTTPURL(*baseURL); err != nil {
		return usageError(fs, stderr, "--base-url: %v", err)
	}
	if *slug != "" {
		if err := core.ValidateSlug(*slug); err != nil {
			return usageError(fs, stderr, "--slug: %s", core.ErrorMessage(err))
		}
	}
	in := core.MetadataInput{EntityID: strings.TrimSpace(*entityID)}
	switch {
	case *file != "":
		data, err := readInput(*file)
		if err != nil {
			return inputError(fs, stderr, "--file: %v", err)
		}
		in.Source, in.Name, in.Data = core.SourceFile, *file, data
	case *fromStdin:
		data, err := readInput("-")
		if err != nil {
			return inputError(fs, stderr, "--stdin: %v", err)
		}
		in.Source, in.Name, in.Data = core.SourcePaste, "standard input", data
	default:
		if err := checkHTTPURL(*metadataURL); err != nil {
			return usageError(fs, stderr, "--url: %v", err)
		}
		in.Source, in.Name = core.SourceURL, *metadataURL
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	con, err := openConsole(ctx, &serverFlags{listen: core.DefaultListenAddr, baseURL: strings.TrimRight(*baseURL, "/"), dataDir: dirFlag}, logger)
	if err != nil {
		return err
	}
	defer con.close()
	if warning := con.KeyWarning(); warning != "" {
		fmt.Fprintf(stderr, "WARNING: %s\n", warning)
	}
	before := map[string]bool{}
	if idps, err := con.IdPs(ctx); err == nil {
		for _, i := range idps {
			before[i.Slug] = true
		}
	}
	idp, prev, err := con.ImportIdP(ctx, core.ImportRequest{MetadataInput: in, DisplayName: *name, Slug: *slug})
	var choose *core.ChooseEntityError
	if errors.As(err, &choose) {
		fmt.Fprintf(stderr, "The metadata holds %d identity providers; nothing was imported. Choose one with --entity-id:\n", len(choose.EntityIDs))
		for _, id := range choose.EntityIDs {
			fmt.Fprintf(stderr, "  --entity-id %s\n", id)
		}
		return errReported
	} else if err != nil {
		return fmt.Errorf("%s Nothing was saved.", strings.TrimSpace(core.ErrorMessage(err)))
	}

	verb := "Connected"
	if before[idp.Slug] {
		verb = "Replaced the metadata of"
	}
	fmt.Fprintf(stdout, "%s identity provider %s as %q.\n\n", verb, idp.DisplayName, idp.Slug)
	if err := writePreview(stdout, prev); err != nil {
		return err
	}
	ep := con.Endpoints(idp.Slug)
	fmt.Fprintf(stdout, "\nValues for the IdP's admin console (built from %s; pass --base-url if the console runs elsewhere):\n", con.BaseURL())
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  SP entity ID\t%s\t(also called Audience or Identifier)\n", ep.EntityID)
	fmt.Fprintf(tw, "  ACS URL\t%s\t(Reply URL, single sign-on URL; binding HTTP-POST)\n", ep.ACSURL)
	fmt.Fprintf(tw, "  NameID format\t%s\t(any persistent or email NameID works)\n", nameIDUnspecified)
	fmt.Fprintf(tw, "  SP metadata URL\t%s\t(IdPs that import SP metadata read all of the above from here)\n", ep.MetadataURL)
	return tw.Flush()
}

// nameIDUnspecified is the NameID format the SP asks IdPs for: any.
const nameIDUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"

// writePreview prints what IdP metadata holds, as the import preview does.
func writePreview(w io.Writer, p core.MetadataPreview) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Entity ID:\t%s\n", p.EntityID)
	for i, e := range p.SSO {
		name := ""
		if i == 0 {
			name = "Single sign-on:"
		}
		fmt.Fprintf(tw, "%s\t%-13s  %s\n", name, bindingName(e.Binding), e.Location)
	}
	if len(p.Certs) == 0 {
		fmt.Fprintf(tw, "Certificates:\tnone\n")
	}
	for i, c := range p.Certs {
		name := ""
		if i == 0 {
			name = "Certificates:"
		}
		use := c.Use
		if use == "" {
			use = "signing and encryption"
		}
		state := ""
		switch {
		case c.Expired:
			state = "  EXPIRED"
		case c.ExpiresSoon:
			state = "  EXPIRES SOON"
		}
		fmt.Fprintf(tw, "%s\t%s (%s)\n", name, c.Subject, use)
		fmt.Fprintf(tw, "\t  SHA-256 %s\n", c.Fingerprint)
		fmt.Fprintf(tw, "\t  valid %s to %s%s\n", c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"), state)
	}
	if len(p.NameIDFormats) > 0 {
		fmt.Fprintf(tw, "NameID formats:\t%s\n", strings.Join(p.NameIDFormats, ", "))
	}
	if !p.ValidUntil.IsZero() {
		fmt.Fprintf(tw, "Valid until:\t%s\n", p.ValidUntil.UTC().Format(time.RFC3339))
	}
	if p.CacheDuration > 0 {
		fmt.Fprintf(tw, "Cache duration:\t%s\n", p.CacheDuration)
	}
	fmt.Fprintf(tw, "Signed metadata:\t%s\n", map[bool]string{true: "yes", false: "no"}[p.Signed])
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, warning := range p.Warnings {
		fmt.Fprintf(w, "WARNING: %s\n", warning)
	}
	return nil
}

// bindingName is the last part of a SAML binding URN ("HTTP-Redirect").
func bindingName(b string) string {
	if i := strings.LastIndex(b, ":"); i >= 0 {
		return b[i+1:]
	}
	return b
}

// cmdIdPList prints the IdP connections. It only reads the database.
func cmdIdPList(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole idp list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, "jitconsole idp list [--json] [--data-dir DIR]\n\nLists the identity provider connections with their signing certificates.\n", args, stdout, stderr); err != nil {
		return err
	}
	ctx := context.Background()
	db, _, err := openExistingDB(ctx, dirFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	idps, err := db.ListIdPs(ctx)
	if err != nil {
		return err
	}
	out := make([]idpJSON, 0, len(idps))
	now := time.Now()
	for _, i := range idps {
		out = append(out, makeIdPJSON(i, now))
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return writeIdPTable(stdout, out)
}

type idpJSON struct {
	Slug           string     `json:"slug"`
	DisplayName    string     `json:"display_name"`
	EntityID       string     `json:"entity_id"`
	Enabled        bool       `json:"enabled"`
	MetadataSource string     `json:"metadata_source"`
	MetadataURL    string     `json:"metadata_url,omitempty"`
	RefreshedAt    *time.Time `json:"refreshed_at,omitempty"`
	RefreshError   string     `json:"refresh_error,omitempty"`
	// MetadataError says why the stored metadata no longer validates.
	MetadataError string     `json:"metadata_error,omitempty"`
	Certificates  []certJSON `json:"certificates"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

type certJSON struct {
	Use         string    `json:"use"`
	Subject     string    `json:"subject"`
	Fingerprint string    `json:"sha256_fingerprint"`
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	Expired     bool      `json:"expired"`
	ExpiresSoon bool      `json:"expires_soon"`
}

func makeIdPJSON(i core.IdP, now time.Time) idpJSON {
	j := idpJSON{Slug: i.Slug, DisplayName: i.DisplayName, EntityID: i.EntityID, Enabled: i.Enabled,
		MetadataSource: i.MetadataSource, MetadataURL: i.MetadataURL, RefreshError: i.RefreshError,
		Certificates: []certJSON{}, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt}
	if !i.RefreshedAt.IsZero() {
		j.RefreshedAt = &i.RefreshedAt
	}
	p, err := core.ParseIdPMetadata([]byte(i.MetadataXML), "", now)
	if err != nil {
		j.MetadataError = core.ErrorMessage(err)
	}
	for _, c := range p.Certs {
		j.Certificates = append(j.Certificates, certJSON{Use: c.Use, Subject: c.Subject, Fingerprint: c.Fingerprint,
			NotBefore: c.NotBefore, NotAfter: c.NotAfter, Expired: c.Expired, ExpiresSoon: c.ExpiresSoon})
	}
	return j
}

func writeIdPTable(w io.Writer, idps []idpJSON) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tENABLED\tSOURCE\tENTITY ID\tSIGNING CERTIFICATE UNTIL")
	for _, i := range idps {
		// The signing certificate that ends first is the one to watch.
		until := "-"
		var first *certJSON
		for k, c := range i.Certificates {
			if (c.Use == "signing" || c.Use == "") && (first == nil || c.NotAfter.Before(first.NotAfter)) {
				first = &i.Certificates[k]
			}
		}
		if first != nil {
			until = first.NotAfter.Local().Format("2006-01-02")
			switch {
			case first.Expired:
				until += " (expired)"
			case first.ExpiresSoon:
				until += " (expires soon)"
			}
		}
		enabled := "yes"
		if !i.Enabled {
			enabled = "no"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", i.Slug, i.DisplayName, enabled, i.MetadataSource, i.EntityID, until)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, i := range idps {
		if i.MetadataError != "" {
			fmt.Fprintf(w, "WARNING: the stored metadata of %s no longer validates: %s\n", i.Slug, i.MetadataError)
		}
		if i.RefreshError != "" {
			fmt.Fprintf(w, "WARNING: the last metadata refresh of %s failed; the last good metadata stays in use: %s\n", i.Slug, i.RefreshError)
		}
	}
	if len(idps) == 0 {
		fmt.Fprintln(w, "(no identity providers yet: jitconsole idp import --file METADATA.xml)")
	}
	return nil
}

// cmdIdPRemove deletes an IdP connection through core; its accounts stay,
// marked as from a removed IdP.
func cmdIdPRemove(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole idp remove", flag.ContinueOnError)
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	pos, err := parseFlagsArgs(fs, "jitconsole idp remove SLUG [--data-dir DIR]\n\nRemoves the identity provider connection SLUG. Its accounts stay, marked as\nfrom a removed IdP; importing an IdP under the same slug takes them over.\n", args, 1, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError(fs, stderr, "which IdP? Give its SLUG (jitconsole idp list shows them)")
	}
	slug := pos[0]
	ctx := context.Background()
	db, _, err := openExistingDB(ctx, dirFlag)
	if err != nil {
		return err
	}
	idp, err := db.GetIdP(ctx, slug)
	var accounts []core.User
	if err == nil {
		accounts, err = db.ListUsers(ctx, core.UserFilter{IdPSlug: slug})
	}
	db.Close()
	if err != nil {
		return errors.New(core.ErrorMessage(err))
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	con, err := openConsole(ctx, &serverFlags{listen: core.DefaultListenAddr, baseURL: core.DefaultBaseURL, dataDir: dirFlag}, logger)
	if err != nil {
		return err
	}
	defer con.close()
	if err := con.RemoveIdP(ctx, slug); err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "Removed identity provider %s (%s).", idp.DisplayName, slug)
	switch len(accounts) {
	case 0:
		fmt.Fprintln(stdout)
	case 1:
		fmt.Fprintln(stdout, " Its 1 account stays, marked as from a removed IdP.")
	default:
		fmt.Fprintf(stdout, " Its %d accounts stay, marked as from a removed IdP.\n", len(accounts))
	}
	return nil
}

func cmdRulesExport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole rules export", flag.ContinueOnError)
	var dirFlag, slug string
	addDataDirFlag(fs, &dirFlag)
	fs.StringVar(&slug, "idp", "", "the `SLUG` of the identity provider")
	if _, err := parseFlagsArgs(fs, "jitconsole rules export --idp SLUG [--data-dir DIR]\n\nPrints the IdP's field mapping, account key settings, sync policy and role\nrules as JSON (the format rules import reads).\n", args, 0, stdout, stderr); err != nil {
		return err
	}
	if slug == "" {
		return usageError(fs, stderr, "which IdP? Give --idp SLUG (jitconsole idp list shows them)")
	}
	ctx := context.Background()
	db, _, err := openExistingDB(ctx, dirFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	idp, err := db.GetIdP(ctx, slug)
	if err != nil {
		return errors.New(core.ErrorMessage(err))
	}
	out, err := core.RulesJSON(idp)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

func cmdRulesImport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole rules import", flag.ContinueOnError)
	var dirFlag, slug string
	addDataDirFlag(fs, &dirFlag)
	fs.StringVar(&slug, "idp", "", "the `SLUG` of the identity provider")
	pos, err := parseFlagsArgs(fs, "jitconsole rules import --idp SLUG FILE [--data-dir DIR]\n\nValidates FILE (as rules export prints it; - for stdin) and replaces the\nIdP's mapping with it at once. An invalid file changes nothing and the\nerror names the field. Roles it names that do not exist are created.\n", args, 1, stdout, stderr)
	if err != nil {
		return err
	}
	if slug == "" || len(pos) == 0 {
		return usageError(fs, stderr, "give --idp SLUG and the rules FILE")
	}
	var data []byte
	if pos[0] == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(pos[0])
	}
	if err != nil {
		return inputError(fs, stderr, "%v", err)
	}
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	con, err := openConsole(ctx, &serverFlags{listen: core.DefaultListenAddr, baseURL: core.DefaultBaseURL, dataDir: dirFlag}, logger)
	if err != nil {
		return err
	}
	defer con.close()
	idp, err := con.ImportRules(ctx, slug, data)
	if err != nil {
		fmt.Fprintf(stderr, "jitconsole rules import: %s\nNothing was changed.\n", core.ErrorMessage(err))
		return errReported
	}
	fmt.Fprintf(stdout, "Replaced the mapping of %s (%s): %d rule(s). It applies from the next sign-in.\n",
		idp.DisplayName, slug, len(idp.Mapping.RoleRules))
	return nil
}
