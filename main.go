// Command jitconsole is JIT Console, a desktop console for SAML
// just-in-time provisioning: an embedded SAML service provider, a built-in
// demo IdP, and a live view of the accounts that sign-ins create.
//
//	jitconsole [--listen ADDR] [--base-url URL] [--data-dir DIR]   the console (GUI)
//	jitconsole serve [--listen ADDR] [--base-url URL] [--data-dir DIR]
//	jitconsole users list [--json] [--search S] [--data-dir DIR]
//	jitconsole demo simulate --count N [--target URL] [--concurrency C]
//
// This file only parses the command line and wires storage, core and ui
// together; it is the one place that imports fyne.io/fyne/v2/app.
package main

import (
	"context"
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
	fs.SetOutput(io.Discard)
	printUsage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: %s\n", synopsis)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		printUsage(stdout)
		return flag.ErrHelp
	default:
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		printUsage(stderr)
		return errUsage
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
	dir, err := dataDir(dirFlag)
	if err != nil {
		return err
	}
	path := storage.DBPath(dir)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no JIT Console database at %s (start the console once, or pass --data-dir)", path)
	}
	ctx := context.Background()
	db, err := storage.Open(ctx, path)
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
