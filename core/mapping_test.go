package core

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func cond(attr string, op Operator, value string, ci bool) Condition {
	return Condition{Attribute: attr, Operator: op, Value: value, CaseInsensitive: ci}
}

func rule(roles string, conds ...Condition) RoleRule {
	return RoleRule{Conditions: conds, Roles: strings.Split(roles, ",")}
}

func roleNames(gs []RoleGrant) string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Role)
	}
	return strings.Join(out, ",")
}

func TestRuleEvaluation(t *testing.T) {
	alice := Attributes{"uid": {"alice"}, "email": {"Alice@Example.com"}, "displayName": {"Alice Anderson"},
		"groups": {"Admins", "Engineering", "Finance"}, "department": {"IT"}, "title": {"Staff Engineer"}}
	tests := []struct {
		name      string
		mapping   Mapping
		attrs     Attributes
		friendly  map[string]string
		wantRoles string
		wantDeny  string // part of the reason; "" for no denial
	}{
		{"every value of a multi-valued attribute is considered",
			Mapping{RoleRules: []RoleRule{rule("finance", cond("groups", OpContains, "Finance", false))}}, alice, nil, "finance", ""},
		{"contains is case-sensitive unless asked",
			Mapping{RoleRules: []RoleRule{rule("admin", cond("groups", OpContains, "admins", false))}}, alice, nil, "", ""},
		{"contains, case-insensitive",
			Mapping{RoleRules: []RoleRule{rule("admin", cond("groups", OpContains, "admins", true))}}, alice, nil, "admin", ""},
		{"equals needs every value to be the value",
			Mapping{RoleRules: []RoleRule{rule("x", cond("groups", OpEquals, "Admins", false)), rule("it", cond("department", OpEquals, "it", true))}}, alice, nil, "it", ""},
		{"matches with RE2",
			Mapping{RoleRules: []RoleRule{rule("eng", cond("title", OpMatches, `^(Staff|Senior) Eng`, false)), rule("no", cond("title", OpMatches, `^Junior`, false))}}, alice, nil, "eng", ""},
		{"exists and not-exists",
			Mapping{RoleRules: []RoleRule{rule("has-dept", cond("department", OpExists, "", false)), rule("no-manager", cond("manager", OpNotExists, "", false)), rule("has-manager", cond("manager", OpExists, "", false))}}, alice, nil, "has-dept,no-manager", ""},
		{"conditions of a rule must all hold",
			Mapping{RoleRules: []RoleRule{rule("eng-admin", cond("groups", OpContains, "Admins", false), cond("groups", OpContains, "Engineering", false)), rule("sales-admin", cond("groups", OpContains, "Admins", false), cond("groups", OpContains, "Sales", false))}}, alice, nil, "eng-admin", ""},
		{"one role granted by two rules is listed once",
			Mapping{RoleRules: []RoleRule{rule("staff", cond("groups", OpContains, "Admins", false)), rule("staff,eng", cond("groups", OpContains, "Engineering", false))}}, alice, nil, "staff,eng", ""},
		{"no match gives the default role",
			Mapping{DefaultRole: "member", RoleRules: []RoleRule{rule("sales", cond("groups", OpContains, "Sales", false))}}, alice, nil, "member", ""},
		{"no match with the deny policy refuses",
			Mapping{NoMatch: NoMatchDeny, DefaultRole: "member", RoleRules: []RoleRule{rule("sales", cond("groups", OpContains, "Sales", false))}}, alice, nil, "", "No role rule matched"},
		{"a missing required attribute refuses and lists what was sent",
			Mapping{Required: []string{FieldEmail}, DefaultRole: "member"}, Attributes{"uid": {"bob"}, "groups": {"Sales"}}, nil, "member", "lacks the required email. The IdP sent: groups, uid."},
		{"URI names are matched by FriendlyName",
			Mapping{RoleRules: []RoleRule{rule("staff", cond("eduPersonAffiliation", OpContains, "staff", false))}},
			Attributes{"urn:oid:1.3.6.1.4.1.5923.1.1.1.1": {"member", "staff"}}, map[string]string{"eduPersonAffiliation": "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"}, "staff", ""},
		{"URI names are matched by Name too",
			Mapping{RoleRules: []RoleRule{rule("staff", cond("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", OpContains, "staff", false))}},
			Attributes{"urn:oid:1.3.6.1.4.1.5923.1.1.1.1": {"member", "staff"}}, nil, "staff", ""},
		{"the legacy rule form still works",
			Mapping{RoleRules: []RoleRule{{Attribute: "groups", Value: "admins", Role: "admin"}}}, alice, nil, "admin", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := tt.mapping.Evaluate("alice@example.com", tt.attrs, tt.friendly)
			if got := roleNames(ev.Fields.Roles); got != tt.wantRoles {
				t.Errorf("roles %q, want %q (trace %+v)", got, tt.wantRoles, ev.Rules)
			}
			if tt.wantDeny == "" && ev.Deny {
				t.Errorf("denied: %s", ev.Reason)
			}
			if tt.wantDeny != "" && (!ev.Deny || !strings.Contains(ev.Reason, tt.wantDeny)) {
				t.Errorf("deny=%v reason %q, want %q", ev.Deny, ev.Reason, tt.wantDeny)
			}
		})
	}
}

func TestRuleTraceSaysWhy(t *testing.T) {
	m := Mapping{RoleRules: []RoleRule{rule("admin", cond("groups", OpContains, "Admins", true), cond("department", OpEquals, "HR", false))}}
	ev := m.Evaluate("x", Attributes{"groups": {"Sales", "ADMINS"}, "department": {"IT"}}, nil)
	tr := ev.Rules[0]
	if tr.Matched || len(tr.Conditions) != 2 {
		t.Fatalf("trace %+v", tr)
	}
	if c := tr.Conditions[0]; !c.Matched || c.Why != `value "ADMINS" is "Admins"` || !reflect.DeepEqual(c.Values, []string{"Sales", "ADMINS"}) {
		t.Errorf("first condition %+v", c)
	}
	if c := tr.Conditions[1]; c.Matched || c.Why != `value "IT" is not "HR"` {
		t.Errorf("second condition %+v", c)
	}
}

func TestFieldMappingAndTransforms(t *testing.T) {
	m := Mapping{Fields: map[string]FieldSource{
		FieldUsername:    {NameID: true, Transforms: []Transform{{Kind: TransformLower}, {Kind: TransformBeforeAt}}},
		FieldEmail:       {Attributes: []string{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}, Transforms: []Transform{{Kind: TransformTrim}, {Kind: TransformLower}}},
		FieldDisplayName: {Attributes: []string{"name"}, Transforms: []Transform{{Kind: TransformRegex, Pattern: `^(\w+)`}}},
		FieldGroups:      {Attributes: []string{"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"}},
	}}
	ev := m.Evaluate("Dave.Diaz@Example.com", Attributes{
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": {"  Dave.Diaz@Example.COM "},
		"name": {"Dave Diaz"},
		"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": {"a1", "b2"},
		"givenName": {"Dave"}, "sn": {"Diaz"},
	}, nil)
	f := ev.Fields
	if f.Username != "dave.diaz" || f.Email != "dave.diaz@example.com" || f.DisplayName != "Dave" ||
		f.GivenName != "Dave" || f.FamilyName != "Diaz" || strings.Join(f.Groups, ",") != "a1,b2" {
		t.Errorf("fields %+v", f)
	}
}

func TestMappingValidatePointsAtTheField(t *testing.T) {
	known := []string{"admin", "member"}
	tests := []struct {
		name  string
		m     Mapping
		field string
	}{
		{"bad regex", Mapping{RoleRules: []RoleRule{rule("admin", cond("groups", OpMatches, "(unclosed", false))}}, "role_rules[0].conditions[0].value"},
		{"unknown role", Mapping{RoleRules: []RoleRule{rule("root", cond("groups", OpContains, "x", false))}}, "role_rules[0].roles[0]"},
		{"empty condition list", Mapping{RoleRules: []RoleRule{{Roles: []string{"admin"}}}}, "role_rules[0].conditions"},
		{"condition without attribute", Mapping{RoleRules: []RoleRule{rule("admin", cond(" ", OpContains, "x", false))}}, "role_rules[0].conditions[0].attribute"},
		{"contains without value", Mapping{RoleRules: []RoleRule{rule("admin", cond("groups", OpContains, "", false))}}, "role_rules[0].conditions[0].value"},
		{"unknown operator", Mapping{RoleRules: []RoleRule{rule("admin", cond("groups", "like", "x", false))}}, "role_rules[0].conditions[0].operator"},
		{"bad transform regex", Mapping{Fields: map[string]FieldSource{FieldEmail: {Transforms: []Transform{{Kind: TransformRegex, Pattern: "["}}}}}, "fields.email.transforms[0].pattern"},
		{"unknown default role", Mapping{DefaultRole: "guest"}, "default_role"},
		{"unknown sync policy", Mapping{Sync: SyncPolicy{Fields: map[string]FieldSync{FieldEmail: "sometimes"}}}, "sync.fields.email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Validate(known)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || ErrorCode(err) != EINVALID {
				t.Fatalf("err = %v, want one pointing at %s", err, tt.field)
			}
		})
	}
	if err := DemoMapping().Validate([]string{"admin", "engineering", "sales", "finance", "support", "member"}); err != nil {
		t.Fatalf("the demo mapping is invalid: %v", err)
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
