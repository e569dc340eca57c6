// jitconsole db: check, back up, restore and reset the database.
//
// These commands, unlike the others, call storage directly rather than a
// core.Console: they are about the database file and the data directory
// (SQLite's integrity_check, VACUUM INTO, replacing the file, the data
// directory's lock), not about the domain, and they must work when the
// database is too damaged for a console to open.

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jitconsole/jitconsole/storage"
)

// cmdDBCheck runs SQLite's integrity_check on the database: exit status 0
// when it is sound, 1 when it is damaged. It only reads, so it runs beside
// a console.
func cmdDBCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole db check", flag.ContinueOnError)
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, "jitconsole db check [--data-dir DIR]\n\nChecks the database with SQLite's integrity_check and prints ok or the\nproblems found (exit status 1 when it is damaged).\n", args, stdout, stderr); err != nil {
		return err
	}
	dir, err := dataDir(dirFlag)
	if err != nil {
		return err
	}
	path := storage.DBPath(dir)
	problems, err := storage.CheckFile(context.Background(), path)
	if err != nil {
		return plainError(err)
	}
	if len(problems) == 0 {
		fmt.Fprintf(stdout, "ok: %s\n", path)
		return nil
	}
	fmt.Fprintf(stdout, "damaged: %s\n", path)
	for _, p := range problems {
		fmt.Fprintf(stdout, "  %s\n", p)
	}
	fmt.Fprintf(stderr, "jitconsole db check: the database is damaged. Restore a backup with \"jitconsole db restore FILE\" (stop the console first).\n")
	return errReported
}

// cmdDBBackup copies the database to a file, consistently, while a console
// may be running.
func cmdDBBackup(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole db backup", flag.ContinueOnError)
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	force := fs.Bool("force", false, "overwrite FILE if it exists")
	pos, err := parseFlagsArgs(fs, "jitconsole db backup FILE [--force] [--data-dir DIR]\n\nWrites a consistent copy of the database to FILE (SQLite's VACUUM INTO).\nIt works while the console runs.\n", args, 1, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError(fs, stderr, "where to? Give the backup's FILE")
	}
	dir, err := dataDir(dirFlag)
	if err != nil {
		return err
	}
	path := storage.DBPath(dir)
	if err := storage.Backup(context.Background(), path, pos[0], *force); err != nil {
		return plainError(err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", path, pos[0])
	return nil
}

// cmdDBRestore replaces the database with a backup; the console must be
// stopped.
func cmdDBRestore(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole db restore", flag.ContinueOnError)
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	pos, err := parseFlagsArgs(fs, "jitconsole db restore FILE [--data-dir DIR]\n\nReplaces the database with the backup FILE, after checking that it is a\nsound JIT Console database. The current database is kept beside it as\njitconsole.db.before-restore-TIMESTAMP. Stop the console first.\n", args, 1, stdout, stderr)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError(fs, stderr, "which backup? Give its FILE")
	}
	return withDataDirLock(dirFlag, func(dir string) error {
		kept, err := storage.Restore(context.Background(), dir, pos[0], time.Now())
		if err != nil {
			return plainError(err)
		}
		fmt.Fprintf(stdout, "restored %s from %s\n", storage.DBPath(dir), pos[0])
		if kept != "" {
			fmt.Fprintf(stdout, "the previous database is kept as %s\n", kept)
		}
		return nil
	})
}

// cmdDBReset starts over with an empty database on purpose; the console
// must be stopped.
func cmdDBReset(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole db reset", flag.ContinueOnError)
	var dirFlag string
	addDataDirFlag(fs, &dirFlag)
	if err := parseFlags(fs, "jitconsole db reset [--data-dir DIR]\n\nStarts over with an empty database: the current one (if any) is kept\nbeside it as jitconsole.db.before-reset-TIMESTAMP. The SP key stays.\nStop the console first.\n", args, stdout, stderr); err != nil {
		return err
	}
	return withDataDirLock(dirFlag, func(dir string) error {
		kept, err := storage.Reset(context.Background(), dir, time.Now())
		if err != nil {
			return plainError(err)
		}
		fmt.Fprintf(stdout, "%s is a new, empty database\n", storage.DBPath(dir))
		if kept != "" {
			fmt.Fprintf(stdout, "the previous database is kept as %s\n", kept)
		}
		return nil
	})
}

// withDataDirLock runs fn holding the data directory's lock: a console
// running on it is an error that names it.
func withDataDirLock(dirFlag string, fn func(dir string) error) error {
	dir, err := dataDir(dirFlag)
	if err != nil {
		return err
	}
	lock, err := storage.LockDataDir(dir, "")
	if errors.Is(err, storage.ErrDataDirLocked) {
		return plainError(err)
	} else if err != nil {
		return err
	}
	defer lock.Release()
	return fn(dir)
}
