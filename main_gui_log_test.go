package main

import (
	"os"
	"strings"
	"testing"
)

// TestWithoutFyneShutdownRace checks that the log filter of the GUI tests
// drops the known Fyne shutdown race (a real report, kept in testdata) and
// nothing else: a race with a console frame in its access stacks stays.
func TestWithoutFyneShutdownRace(t *testing.T) {
	raw, err := os.ReadFile("testdata/fyne-shutdown-race.txt")
	if err != nil {
		t.Fatal(err)
	}
	fyneRace := string(raw)
	consoleRace := strings.Replace(fyneRace, "  runtime.closechan()\n",
		"  runtime.closechan()\n  github.com/jitconsole/jitconsole/core.(*Console).publish()\n      /src/jitconsole/core/events.go:1 +0x1\n", 1)
	if consoleRace == fyneRace {
		t.Fatal("the fixture changed: no runtime.closechan line to put a console frame under")
	}
	for _, tc := range []struct {
		name, log string
		keepsRace bool
	}{
		{"known Fyne race", "level=INFO msg=start\n" + fyneRace + "level=INFO msg=stopped\n", false},
		{"race with a console frame", "level=INFO msg=start\n" + consoleRace, true},
		{"known race, then another", fyneRace + consoleRace, true},
		{"no race", "level=INFO msg=stopped\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := withoutFyneShutdownRace(tc.log)
			if has := strings.Contains(got, "WARNING: DATA RACE"); has != tc.keepsRace {
				t.Errorf("race kept = %v, want %v; filtered log:\n%s", has, tc.keepsRace, got)
			}
			if !strings.Contains(got, "level=INFO") && strings.Contains(tc.log, "level=INFO") {
				t.Errorf("the filter dropped the console's own lines:\n%s", got)
			}
		})
	}
}
