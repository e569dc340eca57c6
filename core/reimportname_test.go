package core_test

import (
	"context"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

// TestReimportKeepsTheName: a re-import of an IdP's metadata without a
// name keeps the connection's display name (a setting, like its mapping);
// one with a name renames it. The preview says the same as the import.
func TestReimportKeepsTheName(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	idp := samltest.Start(t, func() core.Endpoints { return tc.Endpoints("partner") })
	from := core.MetadataInput{Source: core.SourcePaste, Data: idp.Metadata()}
	if _, _, err := tc.ImportIdP(ctx, core.ImportRequest{MetadataInput: from, DisplayName: "Partner IdP", Slug: "partner"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, want string }{{"", "Partner IdP"}, {"  ", "Partner IdP"}, {"Partner (EU)", "Partner (EU)"}} {
		preview, err := tc.PreviewImport(ctx, core.ImportRequest{MetadataInput: from, DisplayName: c.name, Slug: "partner"})
		if err != nil {
			t.Fatal(err)
		}
		saved, _, err := tc.ImportIdP(ctx, core.ImportRequest{MetadataInput: from, DisplayName: c.name, Slug: "partner"})
		if err != nil {
			t.Fatal(err)
		}
		if !preview.Replaces || preview.IdP.DisplayName != c.want || saved.DisplayName != c.want {
			t.Errorf("re-import with name %q: preview %q (replaces %v), saved %q; want %q",
				c.name, preview.IdP.DisplayName, preview.Replaces, saved.DisplayName, c.want)
		}
	}
}
