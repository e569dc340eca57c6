// Flags shared by the commands, and opening a data directory.

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
)

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
	listenSet, baseURLSet    bool
	demo                     *demoIdPFlags
	newSPKey                 bool                 // serve --new-sp-key; the GUI asks instead
	retention                core.RetentionPolicy // serve's overrides
	ops                      *opsFlags            // --metrics, --log-format (flags_env.go)
	tls                      tlsFlags             // --tls-cert, --tls-key (cmd_tls.go)
}

func addServerFlags(fs *flag.FlagSet) *serverFlags {
	sf := &serverFlags{}
	fs.StringVar(&sf.listen, "listen", core.DefaultListenAddr, "`ADDR` (host:port) the SP listener binds")
	fs.StringVar(&sf.baseURL, "base-url", "", "public `URL` of the listener, used in every SAML URL\n(default "+core.DefaultBaseURL+", or http://localhost:PORT of --listen)")
	addDataDirFlag(fs, &sf.dataDir)
	sf.demo = addDemoIdPFlags(fs)
	sf.ops = addOpsFlags(fs)
	sf.tls.add(fs)
	return sf
}

func addDataDirFlag(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "data-dir", "", "data `DIR` with the database (default $JITCONSOLE_DATA_DIR, else jitconsole/ in the user's config dir)")
}

// check validates the flags after parsing and fills in derived values.
func (sf *serverFlags) check(fs *flag.FlagSet, stderr io.Writer) error {
	fs.Visit(func(f *flag.Flag) {
		sf.listenSet = sf.listenSet || f.Name == "listen"
		sf.baseURLSet = sf.baseURLSet || f.Name == "base-url"
	})
	if err := sf.demo.check(fs, stderr); err != nil {
		return err
	}
	if err := sf.ops.check(fs, stderr); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(sf.listen); err != nil {
		return usageError(fs, stderr, "--listen %q is not HOST:PORT", sf.listen)
	}
	if sf.baseURL != "" {
		if err := checkHTTPURL(sf.baseURL); err != nil {
			return usageError(fs, stderr, "--base-url: %v", err)
		}
	}
	sf.baseURL = baseURLFor(sf.listen, sf.baseURL, sf.listenSet)
	return sf.tls.check(fs, stderr, sf)
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
	dir    string
	lock   *storage.DataDirLock // held by the GUI and serve, else nil
	logger *slog.Logger
	// lastEventID is the newest event before core.New ran: events after it
	// were written while the console opened (a key fallback, say).
	lastEventID int64
}

// lockAndOpenConsole is openConsole for the GUI and serve, the consoles
// that listen: it first takes the data directory's lock (one console per
// data directory), so nothing is written before it is held. Another
// console holding it is an error naming that console's PID and address.
func lockAndOpenConsole(ctx context.Context, sf *serverFlags, logger *slog.Logger) (*opened, error) {
	dir, err := dataDir(sf.dataDir)
	if err != nil {
		return nil, err
	}
	lock, err := storage.LockDataDir(dir, sf.listen)
	if err != nil {
		return nil, plainError(err)
	}
	o, err := openConsoleIn(ctx, dir, sf, logger)
	if err != nil {
		lock.Release()
		return nil, err
	}
	o.lock = lock
	return o, nil
}

// openConsole opens the database and key store of the data directory and
// makes the console over them, without starting its listener and without
// the data directory's lock: the commands that change the configuration
// (idp import, rules import, ...) run beside a console. A lost SP key is
// refused (core.ErrSPKeyMissing in the chain) unless sf.newSPKey.
func openConsole(ctx context.Context, sf *serverFlags, logger *slog.Logger) (*opened, error) {
	dir, err := dataDir(sf.dataDir)
	if err != nil {
		return nil, err
	}
	return openConsoleIn(ctx, dir, sf, logger)
}

func openConsoleIn(ctx context.Context, dir string, sf *serverFlags, logger *slog.Logger) (*opened, error) {
	start := time.Now()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		return nil, plainError(err)
	}
	logger.Debug("database opened and checked", "took", time.Since(start))
	o := &opened{db: db, dir: dir, logger: logger}
	if r, err := core.NewReader(ctx, core.Options{Store: db, Logger: logger}); err == nil {
		if last, err := r.RecentEvents(ctx, 1); err == nil && len(last) > 0 {
			o.lastEventID = last[0].ID
		}
	}
	o.Console, err = core.New(ctx, core.Options{Store: db, Keys: storage.NewKeyStore(dir),
		ListenAddr: sf.listen, BaseURL: sf.baseURL, Logger: logger, DemoIdP: sf.demo.override(), NewSPKey: sf.newSPKey,
		Retention: sf.retention, DataDir: dir, Maintenance: storage.FileMaintenance{File: storage.DBPath(dir)},
		UseSavedListener: true, ListenAddrSet: sf.listenSet, BaseURLSet: sf.baseURLSet, Metrics: sf.ops != nil && sf.ops.metrics, TLS: sf.tls.pair})
	if err != nil {
		db.Close()
		return nil, plainError(err)
	}
	logger.Info("data directory", "dir", dir)
	return o, nil
}

// listening records the listener's address in the lock file, for the
// message a second console gets, and returns the listener's state.
func (o *opened) listening() core.ListenerStatus {
	st := o.Listener()
	if o.lock == nil {
		return st
	}
	if err := o.lock.SetListening(st.Addr, st.BaseURL); err != nil {
		o.logger.Warn("record the address in the lock file", "err", err)
	}
	return st
}

// close stops the listener, closes the database and releases the lock.
func (o *opened) close() {
	if err := o.Console.Close(); err != nil {
		o.logger.Warn("stop the SP listener", "err", err)
	}
	if err := o.db.Close(); err != nil {
		o.logger.Warn("close the database", "err", err)
	}
	if o.lock != nil {
		o.lock.Release()
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

// openExistingConsole is openConsole for a command that changes what is
// there (idp remove): where there is no database yet it creates none.
func openExistingConsole(ctx context.Context, dirFlag string, logger *slog.Logger) (*opened, error) {
	dir, err := dataDir(dirFlag)
	if err != nil {
		return nil, err
	}
	// A question about files, not the domain: is there a database at all?
	path := storage.DBPath(dir)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no JIT Console database at %s (start the console once, or pass --data-dir)", path)
	}
	return openConsoleIn(ctx, dir, &serverFlags{listen: core.DefaultListenAddr, baseURL: core.DefaultBaseURL, dataDir: dir}, logger)
}

// readerCommand parses the flags of a command that only reads the data
// directory (fs gains --data-dir) and opens it with openReader.
func readerCommand(fs *flag.FlagSet, synopsis string, args []string, stdout, stderr io.Writer) (*opened, error) {
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, synopsis, args, stdout, stderr); err != nil {
		return nil, err
	}
	return openReader(context.Background(), dirFlag, "", nil)
}

// openReader opens the data directory for a command that only reads it
// (users list, idp list, rules export, check-response --idp): a console
// made by core.NewReader over the database opened read-only, with the key
// store to read the SP key from. No migration, no key created, no purge,
// no listener, nothing written: it works beside a console and on a
// read-only data directory. baseURL may be "" (the one the console last
// served at); clock may be nil (the system's).
func openReader(ctx context.Context, dirFlag, baseURL string, clock core.Clock) (*opened, error) {
	dir, err := dataDir(dirFlag)
	if err != nil {
		return nil, err
	}
	db, err := storage.OpenReadOnly(ctx, storage.DBPath(dir))
	if err != nil {
		return nil, plainError(err)
	}
	logger := slog.New(slog.DiscardHandler)
	con, err := core.NewReader(ctx, core.Options{Store: db, Keys: storage.NewKeyStore(dir), BaseURL: baseURL,
		Clock: clock, Logger: logger})
	if err != nil {
		db.Close()
		return nil, plainError(err)
	}
	return &opened{Console: con, db: db, dir: dir, logger: logger}, nil
}

// fixedClock is a clock stopped at a time given on the command line
// (--at).
type fixedClock time.Time

// Now returns the time the clock is stopped at.
func (c fixedClock) Now() time.Time { return time.Time(c) }

// maxInput bounds a response or metadata read from a file or stdin.
const maxInput = core.MaxMetadataSize

// readInput reads the file at path ("-": stdin), up to maxInput.
func readInput(stdin io.Reader, path string) ([]byte, error) {
	r := stdin
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
