package core

import (
	"reflect"
	"testing"
)

func TestMappingApply(t *testing.T) {
	demo := DemoMapping()
	tests := []struct {
		name     string
		mapping  Mapping
		nameID   string
		attrs    Attributes
		friendly map[string]string
		want     MappedFields
	}{
		{
			name:    "demo admin in several groups",
			mapping: demo,
			nameID:  "alice@example.com",
			attrs: Attributes{"uid": {"alice"}, "email": {"alice@example.com"}, "displayName": {"Alice Anderson"},
				"groups": {"Admins", "Engineering", "Finance"}},
			want: MappedFields{Username: "alice", Email: "alice@example.com", DisplayName: "Alice Anderson",
				Groups: []string{"Admins", "Engineering", "Finance"},
				Roles: []RoleGrant{
					{Role: "admin", Source: "rule 1: groups contains Admins"},
					{Role: "engineering", Source: "rule 2: groups contains Engineering"},
					{Role: "finance", Source: "rule 4: groups contains Finance"},
				}},
		},
		{
			name:    "no groups gets the default role; NameID fills username and email",
			mapping: demo,
			nameID:  "carol@contractor.example.net",
			attrs:   Attributes{},
			want: MappedFields{Username: "carol@contractor.example.net", Email: "carol@contractor.example.net",
				DisplayName: "carol@contractor.example.net", Roles: []RoleGrant{{Role: "member", Source: "default role"}}},
		},
		{
			name:     "URI names matched by FriendlyName, memberOf for groups, case-insensitive values",
			mapping:  Mapping{EmailAttrs: []string{"mail"}, DisplayNameAttrs: []string{"cn"}, GroupsAttrs: []string{"groups", "memberOf"}, RoleRules: []RoleRule{{Attribute: "memberOf", Value: "admins", Role: "admin"}}},
			nameID:   "8f14e45f",
			attrs:    Attributes{"urn:oid:0.9.2342.19200300.100.1.3": {"erin@example.com"}, "urn:oid:2.5.4.3": {"Erin Evans"}, "memberOf": {"ADMINS"}},
			friendly: map[string]string{"mail": "urn:oid:0.9.2342.19200300.100.1.3", "cn": "urn:oid:2.5.4.3"},
			want: MappedFields{Username: "8f14e45f", Email: "erin@example.com", DisplayName: "Erin Evans",
				Groups: []string{"ADMINS"}, Roles: []RoleGrant{{Role: "admin", Source: "rule 1: memberOf contains admins"}}},
		},
		{
			name:    "two rules granting one role give it once; blank values are skipped",
			mapping: Mapping{EmailAttrs: []string{"email"}, RoleRules: []RoleRule{{"groups", "a", "x"}, {"groups", "b", "x"}}},
			nameID:  "n",
			attrs:   Attributes{"email": {"  ", "n@example.com"}, "groups": {"a", "b"}},
			want:    MappedFields{Username: "n", Email: "n@example.com", DisplayName: "n", Roles: []RoleGrant{{Role: "x", Source: "rule 1: groups contains a"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.mapping.Apply(tt.nameID, tt.attrs, tt.friendly)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Apply =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestBrokerNeverBlocksAndDropsOnlyForSlowSubscribers(t *testing.T) {
	b := NewBroker()
	slow, cancelSlow := b.Subscribe(2)
	fast, cancelFast := b.Subscribe(100)
	defer cancelFast()
	for i := range 10 {
		b.Publish(Event{ID: int64(i + 1)})
	}
	if len(fast) != 10 {
		t.Fatalf("fast subscriber got %d events, want 10", len(fast))
	}
	if len(slow) != 2 || b.Dropped() != 8 {
		t.Fatalf("slow subscriber got %d, dropped %d; want 2 and 8", len(slow), b.Dropped())
	}
	cancelSlow()
	cancelSlow() // a second cancel is harmless
	b.Publish(Event{ID: 11})
	if len(fast) != 11 {
		t.Fatalf("fast subscriber got %d events after cancel of the other, want 11", len(fast))
	}
}

func TestFollowPort(t *testing.T) {
	tests := []struct{ base, old, new, want string }{
		{"http://localhost:8080", "127.0.0.1:8080", "127.0.0.1:8081", "http://localhost:8081"},
		{"https://sso.example.com", "127.0.0.1:8080", "127.0.0.1:8081", "https://sso.example.com"},
		{"http://localhost:9000", "127.0.0.1:8080", "127.0.0.1:8081", "http://localhost:9000"},
	}
	for _, tt := range tests {
		if got := followPort(tt.base, tt.old, tt.new); got != tt.want {
			t.Errorf("followPort(%q, %q, %q) = %q, want %q", tt.base, tt.old, tt.new, got, tt.want)
		}
	}
}
