package ui

// What a screen shows a person for an error (errorText).

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/jitconsole/jitconsole/core"
)

// errorText is what a screen shows a person for err. A core.Error's
// message says what went wrong and what to do. Any other error is a
// failure nothing classified (the database, the file system): its text is
// shown as it is, rather than a bare "Internal error.", and the whole
// error goes to the log.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	var e *core.Error
	if errors.As(err, &e) {
		return e.Message
	}
	slog.Error("unexpected error shown in the console", "err", err)
	return "Something went wrong: " + strings.TrimSuffix(err.Error(), ".") + ". The full error is also on the console's standard error."
}
