// jitconsole settings: the console-wide settings of the Settings screen
// (clock skew, retention, the demo IdP's switch) from the command line.

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// setting is one key of jitconsole settings: how to read it, its default,
// the form it accepts and how to store a value through core.
type setting struct {
	key, about, form, def string
	get                   func(ctx context.Context, con *core.Console) (string, error)
	// set stores the value (already checked by parse) through core.
	set func(ctx context.Context, con *core.Console, value string) error
	// parse checks a value and returns it in the form get prints.
	parse func(value string) (string, error)
}

// settings are the keys, in the order settings get lists them.
var settings = []setting{
	{key: "clock-skew", about: "allowed difference between the IdP's clock and ours",
		form: "a duration from 0s to 30m, like 3m or 90s", def: core.DefaultClockSkew.String(),
		get: func(ctx context.Context, con *core.Console) (string, error) { return con.ClockSkew(ctx).String(), nil },
		parse: func(v string) (string, error) {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d < 0 || d > 30*time.Minute || d%time.Second != 0 {
				return "", fmt.Errorf("bad value")
			}
			return d.String(), nil
		},
		set: func(ctx context.Context, con *core.Console, v string) error {
			d, _ := time.ParseDuration(v)
			return con.SetClockSkew(ctx, d)
		}},
	retentionSetting("retention.recordings-days", "days flight recorder entries (raw responses) are kept",
		"a whole number of days from 1 to 3650", core.DefaultKeepRecordings,
		func(p *core.RetentionPolicy) *time.Duration { return &p.KeepRecordings }),
	retentionSetting("retention.events-days", "days events and sign-ins are kept (the audit log is kept for good)",
		"a whole number of days from 1 to 3650", core.DefaultKeepEvents,
		func(p *core.RetentionPolicy) *time.Duration { return &p.KeepEvents }),
	{key: "retention.recorder-cap-mib", about: "most MiB of raw responses the flight recorder keeps",
		form: fmt.Sprintf("a whole number of MiB from 1 to %d", core.MaxRecorderCap>>20), def: strconv.Itoa(core.DefaultRecorderCap >> 20),
		get: func(ctx context.Context, con *core.Console) (string, error) {
			rs, err := con.Retention(ctx)
			return strconv.FormatInt(rs.Saved.RecorderCap>>20, 10), err
		},
		parse: func(v string) (string, error) {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || core.ValidateRecorderCap(n<<20) != nil {
				return "", fmt.Errorf("bad value")
			}
			return strconv.FormatInt(n, 10), nil
		},
		set: func(ctx context.Context, con *core.Console, v string) error {
			n, _ := strconv.ParseInt(v, 10, 64)
			return setRetention(ctx, con, func(p *core.RetentionPolicy) { p.RecorderCap = n << 20 })
		}},
	{key: "demo-idp", about: "the built-in demo IdP (on a loopback listener)", form: "on or off", def: "on",
		get: func(ctx context.Context, con *core.Console) (string, error) {
			return map[bool]string{true: "on", false: "off"}[con.DemoIdP(ctx).Stored], nil
		},
		parse: func(v string) (string, error) {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "on", "true", "1", "yes":
				return "on", nil
			case "off", "false", "0", "no":
				return "off", nil
			}
			return "", fmt.Errorf("bad value")
		},
		set: func(ctx context.Context, con *core.Console, v string) error {
			_, err := con.SetDemoIdPEnabled(ctx, v == "on")
			return err
		}},
}

// retentionSetting is a retention age in days.
func retentionSetting(key, about, form string, def time.Duration, field func(*core.RetentionPolicy) *time.Duration) setting {
	day := 24 * time.Hour
	return setting{key: key, about: about, form: form, def: strconv.Itoa(int(def / day)),
		get: func(ctx context.Context, con *core.Console) (string, error) {
			rs, err := con.Retention(ctx)
			return strconv.Itoa(int(*field(&rs.Saved) / day)), err
		},
		parse: func(v string) (string, error) {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || core.ValidateKeepDays(key, time.Duration(n)*day) != nil {
				return "", fmt.Errorf("bad value")
			}
			return strconv.Itoa(n), nil
		},
		set: func(ctx context.Context, con *core.Console, v string) error {
			n, _ := strconv.Atoi(v)
			return setRetention(ctx, con, func(p *core.RetentionPolicy) { *field(p) = time.Duration(n) * day })
		}}
}

// setRetention changes one knob of the stored retention policy.
func setRetention(ctx context.Context, con *core.Console, change func(*core.RetentionPolicy)) error {
	rs, err := con.Retention(ctx)
	if err != nil {
		return err
	}
	p := rs.Saved
	change(&p)
	return con.SetRetention(ctx, p)
}

// settingNamed returns the setting key, or an error listing the keys.
func settingNamed(key string) (setting, error) {
	var keys []string
	for _, s := range settings {
		if s.key == key {
			return s, nil
		}
		keys = append(keys, s.key)
	}
	return setting{}, fmt.Errorf("unknown setting %q; the settings are: %s", key, strings.Join(keys, ", "))
}

// cmdSettingsGet prints one setting's value, or every setting with its
// value and default. It only reads (openReader).
func cmdSettingsGet(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole settings get", flag.ContinueOnError)
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	pos, err := parseFlagsArgs(fs, "jitconsole settings get [KEY] [--data-dir DIR]\n\nPrints a setting's value; without KEY, every setting with its value and default.\n", args, 1, stdout, stderr)
	if err != nil {
		return err
	}
	list := settings
	if len(pos) == 1 {
		s, err := settingNamed(pos[0])
		if err != nil {
			return inputError(fs, stderr, "%v", err)
		}
		list = []setting{s}
	}
	ctx := context.Background()
	con, err := openReader(ctx, dirFlag, "", nil)
	if err != nil {
		return err
	}
	defer con.close()
	if len(pos) == 1 {
		v, err := list[0].get(ctx, con.Console)
		if err != nil {
			return plainError(err)
		}
		fmt.Fprintln(stdout, v)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tDEFAULT\tMEANING")
	for _, s := range settings {
		v, err := s.get(ctx, con.Console)
		if err != nil {
			return plainError(err)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.key, v, s.def, s.about)
	}
	return tw.Flush()
}

// cmdSettingsSet stores a setting through core, with the Settings
// screen's audit entry, and prints old → new.
func cmdSettingsSet(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole settings set", flag.ContinueOnError)
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	pos, err := parseFlagsArgs(fs, "jitconsole settings set KEY VALUE [--data-dir DIR]\n\nChanges a setting (jitconsole settings get lists them). A running console\nuses the new value from its next start.\n", args, 2, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageError(fs, stderr, "give a KEY and a VALUE (jitconsole settings get lists the keys)")
	}
	s, err := settingNamed(pos[0])
	if err != nil {
		return inputError(fs, stderr, "%v", err)
	}
	value, err := s.parse(pos[1])
	if err != nil {
		return inputError(fs, stderr, "%s: %q is not %s", s.key, pos[1], s.form)
	}
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	con, err := openExistingConsole(ctx, dirFlag, logger)
	if err != nil {
		return err
	}
	defer con.close()
	old, err := s.get(ctx, con.Console)
	if err != nil {
		return plainError(err)
	}
	if old == value {
		fmt.Fprintf(stdout, "%s is %s already: nothing changed.\n", s.key, old)
		return nil
	}
	if err := s.set(ctx, con.Console, value); err != nil {
		return plainError(err)
	}
	fmt.Fprintf(stdout, "%s: %s → %s\n", s.key, old, value)
	return nil
}
