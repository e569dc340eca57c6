package storetest

import (
	"reflect"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

var personaCases = []testCase{
	{"personas are kept in order, replaced by ID, deleted", func(t *testing.T, s core.Store) {
		for _, id := range []string{"zoe", "ann", "bob"} {
			must(t, s.SavePersona(ctx, core.Persona{ID: id, Email: id + "@example.com", Groups: []string{"staff"}}))
		}
		must(t, s.SavePersona(ctx, core.Persona{ID: "ann", Email: "ann@new.example.com", DisplayName: "Ann"}))
		got, err := s.ListPersonas(ctx)
		must(t, err)
		var ids []string
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		if !reflect.DeepEqual(ids, []string{"zoe", "ann", "bob"}) {
			t.Errorf("personas %q, want them in the order first saved", ids)
		}
		if got[1].Email != "ann@new.example.com" || got[1].DisplayName != "Ann" || got[0].Groups[0] != "staff" {
			t.Errorf("stored personas %+v", got)
		}
		must(t, s.DeletePersona(ctx, "zoe"))
		wantCode(t, s.DeletePersona(ctx, "zoe"), core.ENOTFOUND)
		wantCode(t, s.SavePersona(ctx, core.Persona{Email: "x@example.com"}), core.EINVALID)
	}},
}

var settingCases = []testCase{
	{"a setting is unset until set, and keeps the last value", func(t *testing.T, s core.Store) {
		_, err := s.GetSetting(ctx, "theme")
		wantCode(t, err, core.ENOTFOUND)
		must(t, s.SetSetting(ctx, "theme", "dark"))
		must(t, s.SetSetting(ctx, "theme", "light"))
		v, err := s.GetSetting(ctx, "theme")
		must(t, err)
		if v != "light" {
			t.Errorf("theme = %q, want light", v)
		}
		must(t, s.SetSetting(ctx, "empty", ""))
		if v, err := s.GetSetting(ctx, "empty"); err != nil || v != "" {
			t.Errorf("an empty value: %q, %v", v, err)
		}
		wantCode(t, s.SetSetting(ctx, "", "x"), core.EINVALID)
	}},
}
