package ui

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/jitconsole/jitconsole/core"
)

// TestRemoveIdPKeepsItsAccounts: removing an IdP with accounts from the
// Identity Providers screen says how many stay, and they do: the Users
// screen still lists them, marked as from a removed IdP.
func TestRemoveIdPKeepsItsAccounts(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	idp := startSigningIdP(t, h.con, "partner")
	if _, _, err := h.con.ImportIdP(ctx, core.ImportRequest{MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: idp.metadata()},
		DisplayName: "Partner", Slug: "partner"}); err != nil {
		t.Fatal(err)
	}
	idp.signIn("pat@partner.example")
	idp.signIn("sam@partner.example")

	h.showTab("Identity Providers")
	s := h.app.idps
	d := h.selectIdP("partner")
	test.Tap(d.remove)
	h.waitFor("the confirmation", func() bool { return d.removeConfirm != nil })
	if top := h.win.Canvas().Overlays().Top(); top == nil {
		t.Error("no confirmation dialog is shown")
	} else if !shows(top, "Its 2 users stay, marked as from a removed IdP") {
		t.Errorf("the confirmation does not say the 2 users stay: %q", texts(top))
	}
	d.removeConfirm.Confirm()
	h.waitFor("the IdP gone", func() bool { _, ok := s.info("partner"); return !ok })

	h.showTab("Users")
	u := h.app.users
	h.waitFor("both accounts, from a removed IdP", func() bool {
		return len(u.list) == 2 && !slices.ContainsFunc(u.list, func(x core.User) bool { return x.IdPSlug != "partner" || !x.IdPRemoved })
	})
	for _, x := range u.list {
		if got := userIdP(x); got != "partner (removed)" {
			t.Errorf("the Users screen shows %s's IdP as %q", x.NameID, got)
		}
	}
}
