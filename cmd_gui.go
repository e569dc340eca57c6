// The console window: jitconsole with no command.

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/jitconsole/jitconsole/assets"
	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/ui"
)

// cmdGUI opens the console window. If the listener cannot start (a busy
// port), the window still opens: the UI shows why and offers another address.
func cmdGUI(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jitconsole", flag.ContinueOnError)
	sf := addServerFlags(fs)
	if err := parseFlags(fs, "jitconsole [--listen ADDR] [--base-url URL] [--data-dir DIR] [--no-demo-idp | --demo-idp]\n\nOpens the console window; the SP listener runs inside it.\nOther commands: serve, users list, demo simulate (jitconsole help).\n", args, stdout, stderr); err != nil {
		return err
	}
	if err := sf.check(fs, stderr); err != nil {
		return err
	}
	logger := sf.ops.logger(stderr)
	con, err := lockAndOpenConsole(context.Background(), sf, logger)
	lostKey := errors.Is(err, core.ErrSPKeyMissing)
	if err != nil && !lostKey {
		// Said at once on stderr, and in a window where there is a
		// display: someone who started the console from a menu sees why.
		fmt.Fprintf(stderr, "jitconsole: %v\n", err)
		if !hasDisplay() {
			return errReported
		}
	}
	if noSessionBus() {
		// Fyne's D-Bus client would start a bus with dbus-launch that
		// outlives the console; with no bus to talk to, it gets none.
		os.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	}
	a := app.NewWithID(AppID)
	// quit ends the event loop without first marking the windows closed.
	// App.Quit closes every window, then the driver; a pointer event
	// polled in between reaches a window whose viewport is already gone
	// and Fyne 2.7's driver dereferences nil (processMouseMoved). The
	// driver destroys the windows itself when its loop ends, and the
	// deferred view.Close below does what the window's OnClosed would.
	quit := func() { a.Driver().Quit() }
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := a.NewWindow("JIT Console")
	w.Resize(fyne.NewSize(1280, 820))
	w.SetMaster()
	var view *ui.App
	removeSecret := func() {}
	show := func(c *opened) {
		con = c
		if warning := con.KeyWarning(); warning != "" {
			logger.Warn("private keys are not in the OS keyring", "why", warning)
		}
		if err := con.Start(); err != nil {
			logger.Warn("the SP listener is not running", "reason", errorText(err))
		} else {
			con.listening()
		}
		if remove, err := con.startDemoIdP(context.Background(), stderr); err != nil {
			logger.Warn("demo simulate cannot reach this console's demo IdP", "err", err)
		} else {
			removeSecret = remove
		}
		view = ui.Create(a, w, con.Console)
	}
	refused := err != nil && !lostKey
	switch {
	case refused:
		w.SetContent(ui.NewStartRefusal(err.Error(), quit).Content())
	case lostKey:
		// The admin decides: a new key (then the IdPs need the SP's new
		// metadata), or quit and bring the key back.
		logger.Warn("the SP's private key is missing", "why", errorText(err))
		prompt := ui.NewSPKeyPrompt(errorText(err), func() string {
			withKey := *sf
			withKey.newSPKey = true
			c, err := lockAndOpenConsole(context.Background(), &withKey, logger)
			if err != nil {
				return errorText(err)
			}
			show(c)
			return ""
		}, quit)
		w.SetContent(prompt.Content())
	default:
		show(con)
	}
	// closeData stops the screens, then the listener and the database:
	// once, from whichever comes first, the end of the event loop or the
	// watchdog below.
	var closeOnce sync.Once
	closeData := func(screens bool) {
		closeOnce.Do(func() {
			if view != nil && screens {
				view.Close() // before con.close: the screens stop reading first
			}
			removeSecret()
			if con != nil {
				con.close()
			}
		})
	}
	defer closeData(true)

	// SIGINT and SIGTERM end the event loop. Fyne 2.7 can hang on its own
	// way out when a lifecycle event is queued as its loop drains (a send
	// to the closed main-thread queue that nobody answers), seen about once
	// in 40 signals under load: when the loop has not returned 10 s after
	// the signal, the watchdog closes the listener and the database, which
	// is all a clean stop must save, and exits.
	loopEnded := make(chan struct{})
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		fyne.Do(quit)
		select {
		case <-loopEnded:
		case <-time.After(guiStopGrace):
			logger.Warn("the window did not close after the signal; closing the database and exiting", "after", guiStopGrace)
			closeData(false)
			os.Exit(0)
		}
	}()
	w.ShowAndRun()
	close(loopEnded)
	if refused {
		return errReported
	}
	return nil
}

// guiStopGrace is how long a signal waits for the window's event loop to
// end before the console closes its data and exits without it.
const guiStopGrace = 10 * time.Second

// hasDisplay reports whether a window can be shown: on Unix desktops an X
// or Wayland display must be set.
func hasDisplay() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
	}
	return true
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
