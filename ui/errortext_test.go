package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestErrorText: a coded error shows its message; an uncoded one (a
// database failure, say) shows its own text, not a bare "Internal error.".
func TestErrorText(t *testing.T) {
	coded := fmt.Errorf("save: %w", core.Errorf(core.EINVALID, "A role needs a name."))
	if got := errorText(coded); got != "A role needs a name." {
		t.Errorf("coded: %q", got)
	}
	raw := fmt.Errorf("save IdP %q: %w", "demo", errors.New("disk I/O error"))
	got := errorText(raw)
	if !strings.Contains(got, `save IdP "demo": disk I/O error`) || !strings.Contains(got, "standard error") {
		t.Errorf("uncoded: %q", got)
	}
	if errorText(nil) != "" {
		t.Error("nil error has a text")
	}
}
