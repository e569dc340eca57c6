// Coded errors with a message for a person (Errorf, ErrorCode,
// ErrorMessage).

package core

import (
	"errors"
	"fmt"
)

// Error codes. The UI shows an *Error's Message; logs keep the rest.
const (
	ECONFLICT    = "conflict"
	EINTERNAL    = "internal"
	EINVALID     = "invalid"
	ENOTFOUND    = "not_found"
	EREPLAYED    = "replayed"
	EUNAVAILABLE = "unavailable"
	EFORBIDDEN   = "forbidden"
	// EANSWERED: the sign-in request a response answers was answered by
	// another response first.
	EANSWERED = "answered"
)

// Error is an error with a code and a message that is safe to show a person.
type Error struct {
	Code    string
	Message string
	Err     error // the cause, for logs; may be nil
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of err: an *Error's Message, or a
// generic text for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
