package core_test

import (
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestIdPTypes: every type the wizard offers has a guide; its preset
// exists; a dated line says whether the guide was checked against its
// documentation.
func TestIdPTypes(t *testing.T) {
	seen := map[string]bool{}
	for _, typ := range core.IdPTypes {
		if typ.ID == "" || seen[typ.ID] || typ.Name == "" || len(typ.Guide) == 0 || typ.MetadataHint == "" {
			t.Errorf("type %+v: needs a unique ID, a name, a guide and a metadata hint", typ)
		}
		seen[typ.ID] = true
		if typ.Preset != "" {
			if p, ok := core.PresetNamed(typ.Preset); !ok || len(p.ExpectedAttributes()) == 0 {
				t.Errorf("type %s: preset %q missing or reading nothing", typ.ID, typ.Preset)
			}
		}
		if typ.ID == core.IdPTypeOther {
			continue
		}
		line := typ.CheckedLine()
		if !strings.Contains(line, "2026-12-01") || !strings.Contains(line, typ.DocURL) || !strings.HasPrefix(typ.DocURL, "https://") {
			t.Errorf("type %s: dated line %q", typ.ID, line)
		}
	}
	if got := core.IdPTypeByID("nope"); got.ID != core.IdPTypeOther {
		t.Errorf("unknown type ID gives %q, want %q", got.ID, core.IdPTypeOther)
	}
}
