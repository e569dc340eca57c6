package core_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestPreviewImportAgreesWithImport: the dry run decides slug, display
// name, entity ID and whether it replaces as ImportIdP then does, saves
// nothing, and refuses what ImportIdP refuses.
func TestPreviewImportAgreesWithImport(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	entra, err := os.ReadFile(filepath.Join("..", "testdata", "metadata", "entra-id.xml"))
	if err != nil {
		t.Fatal(err)
	}
	in := core.MetadataInput{Source: core.SourceFile, Name: "entra-id.xml", Data: entra}
	for _, c := range []struct {
		name     string
		req      core.ImportRequest
		replaces bool
	}{
		{"defaults from the entity ID", core.ImportRequest{MetadataInput: in}, false},
		{"a name", core.ImportRequest{MetadataInput: in, DisplayName: "Entra ID"}, false},
		{"a slug taken", core.ImportRequest{MetadataInput: in, DisplayName: "Entra ID", Slug: "entra-id"}, true},
		{"a slug and no name", core.ImportRequest{MetadataInput: in, Slug: "other"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, _ := tc.IdPs(ctx)
			p, err := tc.PreviewImport(ctx, c.req)
			if err != nil {
				t.Fatal(err)
			}
			if after, _ := tc.IdPs(ctx); len(after) != len(before) {
				t.Fatalf("the preview saved an IdP: %d before, %d after", len(before), len(after))
			}
			saved, prev, err := tc.ImportIdP(ctx, c.req)
			if err != nil {
				t.Fatal(err)
			}
			if p.IdP.Slug != saved.Slug || p.IdP.DisplayName != saved.DisplayName || p.IdP.EntityID != saved.EntityID ||
				p.Metadata.EntityID != prev.EntityID || p.Replaces != c.replaces {
				t.Errorf("preview %q %q %q replaces=%t; import %q %q %q; want replaces=%t",
					p.IdP.Slug, p.IdP.DisplayName, p.IdP.EntityID, p.Replaces, saved.Slug, saved.DisplayName, saved.EntityID, c.replaces)
			}
		})
	}
	for _, req := range []core.ImportRequest{
		{MetadataInput: in, Slug: core.DemoSlug},
		{MetadataInput: in, Slug: "Not A Slug"},
		{MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: []byte("<x/>")}},
	} {
		_, perr := tc.PreviewImport(ctx, req)
		_, _, ierr := tc.ImportIdP(ctx, req)
		if perr == nil || ierr == nil || core.ErrorMessage(perr) != core.ErrorMessage(ierr) {
			t.Errorf("slug %q: preview refused with %v, import with %v", req.Slug, perr, ierr)
		}
	}
}
