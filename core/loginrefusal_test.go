package core

import (
	"errors"
	"fmt"
	"testing"
)

// TestLoginRefusal holds the ACS's classes of PlanLogin's refusals, as
// the store returns them (wrapped): a disabled account is user_disabled, a
// denied login denied_by_policy with the mapping's reason; any other
// error is not a refusal.
func TestLoginRefusal(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("apply login for %q: %w", "pat", err) }
	tests := []struct {
		name        string
		err         error
		wantRefused bool
		wantClass   RefusalClass
		wantReason  string
	}{
		{"disabled", wrap(Errorf(EFORBIDDEN, "The account Pat is disabled.")), true,
			ClassUserDisabled, verdictTexts[ClassUserDisabled][0]},
		{"denied", wrap(Errorf(EDENIED, "No role rule matched this person.")), true,
			ClassDeniedByPolicy, "No role rule matched this person."},
		{"storage", wrap(errors.New("disk I/O error")), false, "", ""},
		{"invalid", wrap(Errorf(EINVALID, "A login needs an IdP and a NameID.")), false, "", ""},
		{"none", nil, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, refused := loginRefusal(tt.err)
			if refused != tt.wantRefused || v.Class != tt.wantClass || v.Reason != tt.wantReason {
				t.Errorf("loginRefusal = %+v, %v; want class %q, reason %q, refused %v", v, refused, tt.wantClass, tt.wantReason, tt.wantRefused)
			}
		})
	}
	// The denial PlanLogin makes of a Provision the mapping denies.
	_, err := PlanLogin(LoginState{}, Provision{IdPSlug: "partner", NameID: "pat", Deny: true, DenyReason: "Required: email."})
	if v, refused := loginRefusal(wrap(err)); !refused || v.Class != ClassDeniedByPolicy || v.Reason != "Required: email." {
		t.Errorf("PlanLogin's denial: %+v, %v", v, refused)
	}
}
