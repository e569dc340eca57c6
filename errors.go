// What the command line prints for an error.

package main

import (
	"errors"
	"strings"

	"github.com/jitconsole/jitconsole/core"
)

// errorText is what a command prints for err. A core.Error's message says
// what went wrong and what to do, and is printed alone. Any other error is
// a failure nothing classified (the database, the file system, the
// keyring): its own text, with the causes it wraps, is printed as it is,
// never a bare "Internal error.". (ui/errortext.go is the window's
// counterpart.)
func errorText(err error) string {
	if err == nil {
		return ""
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return ce.Message
	}
	return strings.TrimSpace(err.Error())
}

// messageError prints as errorText of the error it wraps, keeping the
// chain for errors.Is.
type messageError struct{ err error }

func (e messageError) Error() string { return errorText(e.err) }
func (e messageError) Unwrap() error { return e.err }

// plainError makes err print as errorText(err): a coded error as its
// message for a person, any other as its own text. nil stays nil.
func plainError(err error) error {
	if err == nil {
		return nil
	}
	return messageError{err}
}
