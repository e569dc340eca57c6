// Flags for running a console as a service: JITCONSOLE_* environment
// variables for every flag of a command, --metrics and --log-format.

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// envPrefix starts the environment variable of every flag of serve:
// --tls-cert is JITCONSOLE_TLS_CERT.
const envPrefix = "JITCONSOLE_"

// envName is the environment variable of the flag name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// annotateEnv adds each flag's environment variable to its usage, for
// --help. Call it once every flag of fs is defined.
func annotateEnv(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		f.Usage += "\nenvironment: " + envName(f.Name)
	})
}

// applyEnv sets every flag of fs that the command line did not give from
// its environment variable (lookup is os.LookupEnv outside tests): the
// command line wins, an empty variable counts as unset. A value the flag
// refuses is a usage error naming the variable.
func applyEnv(fs *flag.FlagSet, lookup func(string) (string, bool), stderr io.Writer) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || given[f.Name] {
			return
		}
		name := envName(f.Name)
		value, ok := lookup(name)
		if !ok || value == "" {
			return
		}
		if serr := fs.Set(f.Name, value); serr != nil {
			if b, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool && b.IsBoolFlag() {
				serr = fmt.Errorf("want true or false")
			}
			err = usageError(fs, stderr, "environment variable %s=%q: %v", name, value, serr)
		}
	})
	return err
}

// opsFlags are the flags of a console run as a service: the GUI and serve
// both have them.
type opsFlags struct {
	metrics   bool
	logFormat string
}

func addOpsFlags(fs *flag.FlagSet) *opsFlags {
	o := &opsFlags{}
	fs.BoolVar(&o.metrics, "metrics", true, "serve GET /healthz and GET /metrics (Prometheus) on the SP listener, the\nwindow's as serve's; --metrics=false answers 404 to both")
	fs.StringVar(&o.logFormat, "log-format", "text", "`FORMAT` of the log on stderr: text or json (one JSON object a line)")
	return o
}

// check validates the flags after parsing.
func (o *opsFlags) check(fs *flag.FlagSet, stderr io.Writer) error {
	if o == nil {
		return nil
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		return usageError(fs, stderr, "--log-format %q: want text or json", o.logFormat)
	}
	return nil
}

// logger is the log on w in the chosen format.
func (o *opsFlags) logger(w io.Writer) *slog.Logger {
	if o != nil && o.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// notice writes one of serve's messages for a person on stderr: the line
// text as it is (a warning starts "WARNING: "), or with --log-format json
// a log record of msg and attrs.
func (o *opsFlags) notice(stderr io.Writer, logger *slog.Logger, level slog.Level, text, msg string, attrs ...any) {
	if o != nil && o.logFormat == "json" {
		logger.Log(context.Background(), level, msg, attrs...)
		return
	}
	if level >= slog.LevelWarn {
		text = "WARNING: " + text
	}
	fmt.Fprintln(stderr, text)
}

// lines is where serve's code that prints whole lines for a person (the
// event stream's warnings) writes: stderr itself, or with --log-format
// json a writer that makes each line a log record of logger (a line
// starting "WARNING: " a warning), so that stderr stays JSON lines; a nil
// logger drops the lines (for what is logged already).
func (o *opsFlags) lines(stderr io.Writer, logger *slog.Logger) io.Writer {
	switch {
	case o == nil || o.logFormat != "json":
		return stderr
	case logger == nil:
		return io.Discard
	}
	return lineLogger{logger}
}

// lineLogger logs each line written to it.
type lineLogger struct{ log *slog.Logger }

func (l lineLogger) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		if msg, warn := strings.CutPrefix(line, "WARNING: "); warn {
			l.log.Warn(msg)
		} else if line != "" {
			l.log.Info(line)
		}
	}
	return len(p), nil
}
