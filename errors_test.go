package main

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestErrorText: a coded error prints as its message alone, wrapped or
// not; any other error as its own text with its causes, never a bare
// "Internal error.".
func TestErrorText(t *testing.T) {
	coded := core.Errorf(core.ENOTFOUND, "No identity provider is connected as %q.", "okta")
	cause := &core.Error{Code: core.EINVALID, Message: "The database is damaged.", Err: errors.New("page 7: bad checksum")}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"coded", coded, `No identity provider is connected as "okta".`},
		{"wrapped coded", fmt.Errorf("remove IdP: %w", coded), `No identity provider is connected as "okta".`},
		{"coded with a cause", cause, "The database is damaged."},
		{"uncoded", fmt.Errorf("list users: %w", &fs.PathError{Op: "open", Path: "/data/jitconsole.db", Err: fs.ErrPermission}),
			"list users: open /data/jitconsole.db: permission denied"},
		{"plainError of uncoded", plainError(errors.New("disk I/O error (10)")), "disk I/O error (10)"},
		{"plainError of coded", plainError(coded), `No identity provider is connected as "okta".`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := errorText(c.err); got != c.want {
				t.Errorf("errorText = %q, want %q", got, c.want)
			}
		})
	}
	if !errors.Is(plainError(coded), coded) {
		t.Error("plainError lost the chain")
	}
	if plainError(nil) != nil {
		t.Error("plainError(nil) is not nil")
	}
}
