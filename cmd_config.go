// jitconsole config: the whole console as code (export and apply one
// config document).

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/jitconsole/jitconsole/core"
)

// cmdConfigExport prints the config document. It only reads (openReader).
func cmdConfigExport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole config export", flag.ContinueOnError)
	var dirFlag, format string
	addDataDirFlag(fs, &dirFlag)
	fs.StringVar(&format, "format", "yaml", "`yaml` or json")
	if err := parseFlags(fs, "jitconsole config export [--format yaml|json] [--data-dir DIR]\n\nPrints the whole configuration as one versioned document: global settings,\nthe role catalogue, and every IdP with its metadata (URL or inline XML),\nsettings, mapping and rules. config apply reads it.\n", args, stdout, stderr); err != nil {
		return err
	}
	if format != "yaml" && format != "json" {
		return usageError(fs, stderr, "--format is yaml or json, not %q", format)
	}
	ctx := context.Background()
	con, err := openReader(ctx, dirFlag, "", nil)
	if err != nil {
		return err
	}
	defer con.close()
	out, err := con.ExportConfig(ctx, format == "yaml")
	if err != nil {
		return plainError(err)
	}
	_, err = stdout.Write(out)
	return err
}

// cmdConfigApply validates a config document, prints the plan and applies
// it in one transaction.
func cmdConfigApply(stdin io.Reader, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole config apply", flag.ContinueOnError)
	var dirFlag string
	var dryRun, prune bool
	addDataDirFlag(fs, &dirFlag)
	fs.BoolVar(&dryRun, "dry-run", false, "print the plan and change nothing")
	fs.BoolVar(&prune, "prune", false, "remove IdPs and roles the document does not name (never the demo IdP, nor roles people hold)")
	pos, err := parseFlagsArgs(fs, "jitconsole config apply FILE|- [--dry-run] [--prune] [--data-dir DIR]\n\nValidates the whole document (as config export prints it, YAML or JSON; -\nfor stdin), fetches the metadata it names by URL, prints the plan (what\nis added, changed, removed or kept) and applies it all in one\ntransaction. An invalid document changes nothing and the error names its\npath in the document. What the document does not name stays unless\n--prune.\n", args, 1, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError(fs, stderr, "give the config FILE (- for stdin)")
	}
	data, err := readInput(stdin, pos[0])
	if err != nil {
		return inputError(fs, stderr, "%v", err)
	}
	fail := func(err error) error {
		fmt.Fprintf(stderr, "jitconsole config apply: %s: %s\nNothing was changed.\n", pos[0], errorText(err))
		return errReported
	}
	doc, err := core.ParseConfigDocument(data)
	if err != nil {
		return fail(err)
	}
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	con, err := openConsole(ctx, &serverFlags{listen: core.DefaultListenAddr, baseURL: core.DefaultBaseURL, dataDir: dirFlag}, logger)
	if err != nil {
		return err
	}
	defer con.close()
	plan, err := con.PlanConfig(ctx, doc, core.ConfigApplyOptions{Prune: prune})
	if err != nil {
		return fail(err)
	}
	for _, l := range plan.Lines {
		fmt.Fprintf(stdout, "  %s\n", l)
	}
	switch {
	case plan.Empty():
		fmt.Fprintln(stdout, "Nothing to change.")
		return nil
	case dryRun:
		fmt.Fprintf(stdout, "Dry run: %s planned, nothing was changed.\n", changeCount(plan.Changes()))
		return nil
	}
	if _, err := con.ApplyConfig(ctx, plan); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "Applied %s in one transaction.\n", changeCount(plan.Changes()))
	return nil
}

func changeCount(n int) string {
	if n == 1 {
		return "1 change"
	}
	return fmt.Sprintf("%d changes", n)
}
