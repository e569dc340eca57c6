package core

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// everyFieldMapping sets every field a rules file can carry, the legacy
// ones included.
func everyFieldMapping() Mapping {
	return Mapping{
		Fields: map[string]FieldSource{
			FieldUsername: {Attributes: []string{"uid", "sAMAccountName"},
				Transforms: []Transform{{Kind: TransformTrim}, {Kind: TransformRegex, Pattern: "^(.+)@"}}},
			FieldEmail: {NameID: true, Transforms: []Transform{{Kind: TransformLower}}},
		},
		UsernameAttrs:    []string{"legacy-username"},
		EmailAttrs:       []string{"legacy-mail"},
		DisplayNameAttrs: []string{"legacy-cn"},
		GroupsAttrs:      []string{"legacy-memberOf"},
		Required:         []string{FieldEmail, FieldUsername},
		RoleRules: []RoleRule{
			{ID: "r-admins", Name: "Admins → admin", Roles: []string{"admin", "ops"}, Conditions: []Condition{
				{Attribute: "groups", Operator: OpContains, Value: "Admins", CaseInsensitive: true},
				{Attribute: "mail", Operator: OpMatches, Value: `@example\.com$`},
				{Attribute: "department", Operator: OpExists},
				{Attribute: "contractor", Operator: OpNotExists},
				{Attribute: "level", Operator: OpEquals, Value: "7"},
			}},
			{ID: "r-legacy", Attribute: "groups", Value: "Sales", Role: "sales"},
		},
		NoMatch:          NoMatchDeny,
		DefaultRole:      "member",
		AccountKeyAttr:   "objectGUID",
		CaseSensitiveKey: true,
		LinkByEmail:      true,
		Sync: SyncPolicy{Mode: SyncCreateOnly, Fields: map[string]FieldSync{
			FieldDisplayName: FieldKeepWhenAbsent, FieldUsername: FieldImportOnce}},
	}
}

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "rules", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRulesFileGolden: rules export writes the versioned file format byte
// for byte as pinned in testdata/rules, and what it writes imports back to
// the same mapping and the same bytes.
func TestRulesFileGolden(t *testing.T) {
	tests := []struct {
		golden string
		idp    IdP
	}{
		{"every-field.json", IdP{Slug: "acme", Mapping: everyFieldMapping()}},
		{"demo.json", IdP{Slug: DemoSlug, Mapping: func() Mapping {
			doc, err := ParseRulesDocument(readGolden(t, "demo.json"))
			if err != nil {
				t.Fatal(err)
			}
			return doc.Mapping
		}()}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got, err := rulesJSON(tt.idp)
			if err != nil {
				t.Fatal(err)
			}
			want := bytes.TrimSpace(readGolden(t, tt.golden))
			if !bytes.Equal(got, want) {
				t.Fatalf("rules export differs from testdata/rules/%s (the file format is a contract: a change needs a new version):\n%s", tt.golden, got)
			}
			doc, err := ParseRulesDocument(got)
			if err != nil {
				t.Fatalf("the export does not import: %v", err)
			}
			if doc.IdP != tt.idp.Slug || !reflect.DeepEqual(doc.Mapping, tt.idp.Mapping.Normalized()) {
				t.Fatalf("round trip changed the mapping:\n%#v\nwant\n%#v", doc.Mapping, tt.idp.Mapping.Normalized())
			}
			again, _ := rulesJSON(IdP{Slug: doc.IdP, Mapping: doc.Mapping})
			if !bytes.Equal(again, got) {
				t.Fatalf("export, import, export changes the file:\n%s", again)
			}
		})
	}
}

// TestRulesFileTypesAreItsOwn: no type of the rules file format is (or
// holds) a type of the stored mapping, so a change to Mapping's JSON tags,
// the database's format, cannot change the file format.
func TestRulesFileTypesAreItsOwn(t *testing.T) {
	stored := map[reflect.Type]bool{}
	for _, v := range []any{Mapping{}, FieldSource{}, Transform{}, RoleRule{}, Condition{}, SyncPolicy{},
		NoMatchPolicy(""), Operator(""), TransformKind(""), SyncMode(""), FieldSync("")} {
		stored[reflect.TypeOf(v)] = true
	}
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		if stored[typ] {
			t.Errorf("%s is %v, a type of the stored mapping", path, typ)
		}
		if typ.PkgPath() != "" && typ.Kind() != reflect.Struct {
			t.Errorf("%s is the named type %v: the file format uses plain JSON types", path, typ)
		}
		switch typ.Kind() {
		case reflect.Struct:
			if !strings.HasPrefix(typ.Name(), "rules") || !strings.HasSuffix(typ.Name(), "V1") {
				t.Errorf("%s is %v, not a type of the version 1 file format", path, typ)
			}
			for i := range typ.NumField() {
				f := typ.Field(i)
				if f.Tag.Get("json") == "" {
					t.Errorf("%s.%s has no JSON name of its own", path, f.Name)
				}
				walk(f.Type, path+"."+f.Name)
			}
		case reflect.Slice, reflect.Pointer:
			walk(typ.Elem(), path+"[]")
		case reflect.Map:
			walk(typ.Key(), path+"{key}")
			walk(typ.Elem(), path+"{}")
		}
	}
	walk(reflect.TypeOf(rulesFileV1{}), "rulesFileV1")
	if len(seen) < 8 {
		t.Fatalf("walked only %d types", len(seen))
	}
}

// TestRulesFileRefusesWhatItDoesNotKnow: another version and unknown keys,
// at any depth, are refused with EINVALID naming what is wrong; older
// files (legacy rules, hand-written JSON) still import.
func TestRulesFileRefusesWhatItDoesNotKnow(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"version 2", `{"version": 2, "idp": "x", "mapping": {}}`, "unsupported version 2"},
		{"no version", `{"idp": "x", "mapping": {}}`, "unsupported version 0"},
		{"unknown top-level key", `{"version": 1, "idp": "x", "mapping": {}, "extra": 1}`, `unknown field "extra"`},
		{"unknown condition key", `{"version": 1, "idp": "x", "mapping": {"role_rules": [{"conditions": [{"attribute": "a", "operator": "exists", "op": "x"}], "roles": ["r"]}]}}`, `unknown field "op"`},
		{"a stored-only spelling", `{"version": 1, "idp": "x", "mapping": {"RoleRules": []}}`, `unknown field "RoleRules"`},
		{"unknown operator", `{"version": 1, "idp": "x", "mapping": {"role_rules": [{"conditions": [{"attribute": "a", "operator": "like"}], "roles": ["r"]}]}}`, "role_rules[0].conditions[0].operator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRulesDocument([]byte(tt.doc))
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.want) {
				t.Fatalf("got %v (code %q), want EINVALID with %q", err, ErrorCode(err), tt.want)
			}
		})
	}
	doc, err := ParseRulesDocument(readGolden(t, "entra-id.json"))
	if err != nil {
		t.Fatal(err)
	}
	last := doc.Mapping.RoleRules[len(doc.Mapping.RoleRules)-1]
	if last.Attribute != "groups" || last.Value != "Sales" || last.Role != "sales" {
		t.Fatalf("the legacy rule was not read: %+v", last)
	}
	if doc.Mapping.Sync.Fields[FieldUsername] != FieldImportOnce || doc.Mapping.Fields[FieldGroups].Transforms[0].Kind != TransformRegex {
		t.Fatalf("entra-id.json read as %+v", doc.Mapping)
	}
}
