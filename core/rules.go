// Mapping rules: field sources, transforms, conditions, operators and
// policies, and evaluating a mapping against an assertion.

package core

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Field names of the field mapping.
const (
	FieldUsername    = "username"
	FieldEmail       = "email"
	FieldDisplayName = "display_name"
	FieldGivenName   = "given_name"
	FieldFamilyName  = "family_name"
	FieldGroups      = "groups"
)

// MappedFieldNames lists the fields in display order.
var MappedFieldNames = []string{FieldUsername, FieldEmail, FieldDisplayName, FieldGivenName, FieldFamilyName, FieldGroups}

// Operator is how a condition compares an attribute's values with its
// Value: one of the Op* constants.
type Operator string

// Operators of conditions.
const (
	OpEquals    Operator = "equals"     // the attribute is Value: it has values and every one is Value
	OpContains  Operator = "contains"   // one of the values is Value (membership, as for groups)
	OpMatches   Operator = "matches"    // one of the values matches the RE2 expression Value
	OpExists    Operator = "exists"     // the attribute has a non-empty value
	OpNotExists Operator = "not_exists" // the attribute is absent or empty
)

// Operators lists the operators in display order.
var Operators = []Operator{OpEquals, OpContains, OpMatches, OpExists, OpNotExists}

// Valid reports whether o is one of the Op* constants.
func (o Operator) Valid() bool { return slices.Contains(Operators, o) }

// NeedsValue reports whether a condition with o compares with a Value
// (exists and not-exists do not).
func (o Operator) NeedsValue() bool { return o != OpExists && o != OpNotExists }

// NoMatchPolicy says what happens when no rule grants a role: one of the
// NoMatch* constants ("" means NoMatchDefault).
type NoMatchPolicy string

// Policies when no rule grants a role.
const (
	NoMatchDefault NoMatchPolicy = "default_role"
	NoMatchDeny    NoMatchPolicy = "deny"
)

// Valid reports whether p is a known policy ("" counts: the default).
func (p NoMatchPolicy) Valid() bool { return p == "" || p == NoMatchDefault || p == NoMatchDeny }

// TransformKind is one step of a field's transforms: one of the
// Transform* constants.
type TransformKind string

// Transform kinds of a field source.
const (
	TransformTrim     TransformKind = "trim"
	TransformLower    TransformKind = "lowercase"
	TransformBeforeAt TransformKind = "before_at"
	TransformRegex    TransformKind = "regex" // the first capture group (or the match) of Pattern
)

// FieldSource says where one account field comes from: the NameID, or the
// first present of Attributes (by Name or FriendlyName), then Transforms in
// order.
type FieldSource struct {
	NameID     bool        `json:"name_id,omitempty"`
	Attributes []string    `json:"attributes,omitempty"`
	Transforms []Transform `json:"transforms,omitempty"`
}

// Transform is one step applied to a field's value.
type Transform struct {
	Kind    TransformKind `json:"kind"`
	Pattern string        `json:"pattern,omitempty"`
}

// SyncMode says what later logins update: one of the Sync* constants
// ("" means SyncUpdate).
type SyncMode string

// Sync modes.
const (
	SyncUpdate     SyncMode = "update"      // every login updates (default)
	SyncCreateOnly SyncMode = "create_only" // later logins change nothing
)

// Valid reports whether m is a known mode ("" counts: the default).
func (m SyncMode) Valid() bool { return m == "" || m == SyncUpdate || m == SyncCreateOnly }

// FieldSync is the sync policy of one field: one of the Field* policy
// constants ("" means FieldAlways).
type FieldSync string

// Per-field sync policies.
const (
	FieldAlways         FieldSync = "always"           // default
	FieldImportOnce     FieldSync = "import_once"      // set at creation only
	FieldKeepWhenAbsent FieldSync = "keep_when_absent" // never blank a stored value
)

// Valid reports whether p is one of the Field* policies (a mapping
// leaves a field's policy out rather than storing "").
func (p FieldSync) Valid() bool {
	return p == FieldAlways || p == FieldImportOnce || p == FieldKeepWhenAbsent
}

// SyncPolicy says what a later login updates.
type SyncPolicy struct {
	Mode   SyncMode             `json:"mode,omitempty"`   // SyncUpdate (default) or SyncCreateOnly
	Fields map[string]FieldSync `json:"fields,omitempty"` // field name → Field* policy
}

// FieldPolicy returns the sync policy of field.
func (s SyncPolicy) FieldPolicy(field string) FieldSync {
	if p := s.Fields[field]; p != "" {
		return p
	}
	return FieldAlways
}

// MappedFields are the account fields and roles one assertion yields.
type MappedFields struct {
	Username    string
	Email       string
	DisplayName string
	GivenName   string
	FamilyName  string
	Groups      []string
	Roles       []RoleGrant
}

// Get returns a single-valued field by name.
func (f MappedFields) Get(name string) string {
	switch name {
	case FieldUsername:
		return f.Username
	case FieldEmail:
		return f.Email
	case FieldDisplayName:
		return f.DisplayName
	case FieldGivenName:
		return f.GivenName
	case FieldFamilyName:
		return f.FamilyName
	case FieldGroups:
		return strings.Join(f.Groups, ", ")
	}
	return ""
}

// Evaluation is what a mapping makes of one assertion, with the reasons:
// the tester and the impact preview show it, the ACS acts on it.
type Evaluation struct {
	Fields MappedFields
	Rules  []RuleTrace
	// Deny is true when the login must be refused; Reason says why.
	Deny   bool
	Reason string
}

// RuleTrace is one rule's outcome.
type RuleTrace struct {
	Index      int // 1-based
	Name       string
	Matched    bool
	Roles      []string
	Conditions []ConditionTrace
}

// ConditionTrace is one condition's outcome and the values it compared.
type ConditionTrace struct {
	Condition Condition
	Matched   bool
	Values    []string // every value of the attribute
	Why       string   // for a person
}

// normalized returns r in its full form (conditions and roles).
func (r RoleRule) normalized() RoleRule {
	if len(r.Conditions) == 0 && r.Attribute != "" {
		r.Conditions = []Condition{{Attribute: r.Attribute, Operator: OpContains, Value: r.Value, CaseInsensitive: true}}
	}
	if r.Role != "" && !containsString(r.Roles, r.Role) {
		r.Roles = append([]string{r.Role}, r.Roles...)
	}
	r.Attribute, r.Value, r.Role = "", "", ""
	return r
}

// Normalized returns the mapping with every rule in its full form.
func (m Mapping) Normalized() Mapping {
	rules := make([]RoleRule, len(m.RoleRules))
	for i, r := range m.RoleRules {
		rules[i] = r.normalized()
	}
	m.RoleRules = rules
	if m.NoMatch == "" {
		m.NoMatch = NoMatchDefault
	}
	return m
}

// RuleLabel is how a rule is named to a person: its name, or its
// conditions.
func (r RoleRule) RuleLabel() string {
	r = r.normalized()
	if r.Name != "" {
		return r.Name
	}
	parts := make([]string, len(r.Conditions))
	for i, c := range r.Conditions {
		parts[i] = c.String()
	}
	return strings.Join(parts, " and ")
}

// String renders a condition for a person.
func (c Condition) String() string {
	op := strings.ReplaceAll(string(c.Operator), "_", "-")
	s := c.Attribute + " " + op
	if c.Operator.NeedsValue() {
		s += " " + c.Value
	}
	if c.CaseInsensitive && c.Operator.NeedsValue() {
		s += " (any case)"
	}
	return s
}

// source returns the effective source of field.
func (m Mapping) source(field string) FieldSource {
	if s, ok := m.Fields[field]; ok {
		return s
	}
	legacy := map[string][]string{FieldUsername: m.UsernameAttrs, FieldEmail: m.EmailAttrs,
		FieldDisplayName: m.DisplayNameAttrs, FieldGroups: m.GroupsAttrs}[field]
	if len(legacy) > 0 {
		return FieldSource{Attributes: legacy}
	}
	return defaultSources[field]
}

// defaultSources fit the demo IdP and the names most IdPs use.
var defaultSources = map[string]FieldSource{
	FieldUsername:    {Attributes: []string{"uid", "username", "preferred_username"}},
	FieldEmail:       {Attributes: []string{"email", "mail", "emailaddress"}},
	FieldDisplayName: {Attributes: []string{"displayName", "cn", "name"}},
	FieldGivenName:   {Attributes: []string{"givenName", "given_name", "firstName"}},
	FieldFamilyName:  {Attributes: []string{"sn", "surname", "family_name", "lastName"}},
	FieldGroups:      {Attributes: []string{"groups", "memberOf"}},
}

// Apply computes the account fields and roles for an assertion; see
// Evaluate for the reasons and the deny decision.
func (m Mapping) Apply(nameID string, attrs Attributes, friendly map[string]string) MappedFields {
	return m.Evaluate(nameID, attrs, friendly).Fields
}

// Evaluate computes the fields and roles for an assertion with nameID and
// attrs (friendly maps FriendlyName to Name), and whether the login must be
// denied, with a trace of every rule and condition. Attribute names match
// case-insensitively, by Name or FriendlyName. The mapping must be valid
// (Validate); an invalid regex matches nothing.
func (m Mapping) Evaluate(nameID string, attrs Attributes, friendly map[string]string) Evaluation {
	m = m.Normalized()
	look := attrLookup{attrs: attrs, friendly: friendly}
	var ev Evaluation
	f := &ev.Fields
	for _, name := range MappedFieldNames {
		src := m.source(name)
		if name == FieldGroups {
			if src.NameID {
				f.Groups = []string{nameID}
			} else {
				for _, v := range look.all(src.Attributes) {
					if v = applyTransforms(v, src.Transforms); v != "" {
						f.Groups = append(f.Groups, v)
					}
				}
			}
			continue
		}
		v := nameID
		if !src.NameID {
			v = look.first(src.Attributes)
		}
		v = applyTransforms(v, src.Transforms)
		switch name {
		case FieldUsername:
			f.Username = v
		case FieldEmail:
			f.Email = v
		case FieldDisplayName:
			f.DisplayName = v
		case FieldGivenName:
			f.GivenName = v
		case FieldFamilyName:
			f.FamilyName = v
		}
	}
	var missing []string
	for _, r := range m.Required {
		if strings.TrimSpace(f.Get(r)) == "" {
			missing = append(missing, r)
		}
	}
	if f.Username == "" {
		f.Username = nameID
	}
	if f.DisplayName == "" {
		f.DisplayName = strings.TrimSpace(f.GivenName + " " + f.FamilyName)
	}
	if f.DisplayName == "" {
		f.DisplayName = f.Username
	}
	if f.Email == "" && strings.Contains(nameID, "@") && !m.source(FieldEmail).NameID {
		f.Email = nameID
	}
	if len(missing) > 0 {
		ev.Deny = true
		ev.Reason = fmt.Sprintf("The assertion lacks the required %s. The IdP sent: %s.", strings.Join(missing, ", "), attributeNames(attrs))
	}

	granted := map[string]bool{}
	for i, r := range m.RoleRules {
		tr := RuleTrace{Index: i + 1, Name: r.Name, Roles: r.Roles, Matched: len(r.Conditions) > 0}
		for _, c := range r.Conditions {
			ct := c.evaluate(look)
			tr.Conditions = append(tr.Conditions, ct)
			tr.Matched = tr.Matched && ct.Matched
		}
		ev.Rules = append(ev.Rules, tr)
		if !tr.Matched {
			continue
		}
		for _, role := range r.Roles {
			if !granted[role] {
				granted[role] = true
				f.Roles = append(f.Roles, RoleGrant{Role: role, Kind: GrantRule, RuleID: r.ID, RuleIndex: i + 1,
					Source: fmt.Sprintf("rule %d: %s", i+1, r.RuleLabel())})
			}
		}
	}
	if len(f.Roles) == 0 {
		switch {
		case m.NoMatch == NoMatchDeny:
			if !ev.Deny {
				ev.Deny = true
				ev.Reason = "No role rule matched this person, and this IdP's policy is to deny such logins."
			}
		case m.DefaultRole != "":
			f.Roles = []RoleGrant{{Role: m.DefaultRole, Kind: GrantDefault, Source: "default role"}}
		}
	}
	return ev
}

func (c Condition) evaluate(look attrLookup) ConditionTrace {
	vals := look.values(c.Attribute)
	ct := ConditionTrace{Condition: c, Values: vals}
	nonEmpty := 0
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			nonEmpty++
		}
	}
	switch c.Operator {
	case OpExists:
		ct.Matched = nonEmpty > 0
		ct.Why = fmt.Sprintf("%s has %d non-empty value(s)", c.Attribute, nonEmpty)
		return ct
	case OpNotExists:
		ct.Matched = nonEmpty == 0
		ct.Why = fmt.Sprintf("%s has %d non-empty value(s)", c.Attribute, nonEmpty)
		return ct
	}
	if len(vals) == 0 {
		ct.Why = fmt.Sprintf("the assertion has no attribute %s", c.Attribute)
		return ct
	}
	var re *regexp.Regexp
	if c.Operator == OpMatches {
		pat := c.Value
		if c.CaseInsensitive {
			pat = "(?i)" + pat
		}
		var err error
		if re, err = regexp.Compile(pat); err != nil {
			ct.Why = "invalid regular expression: " + err.Error()
			return ct
		}
	}
	match := func(v string) bool {
		a, b := v, c.Value
		if c.CaseInsensitive {
			a, b = strings.ToLower(a), strings.ToLower(b)
		}
		if c.Operator == OpMatches {
			return re.MatchString(v)
		}
		return a == b
	}
	if c.Operator == OpEquals {
		for _, v := range vals {
			if !match(v) {
				ct.Why = fmt.Sprintf("value %q is not %q", v, c.Value)
				return ct
			}
		}
		ct.Matched = true
		ct.Why = fmt.Sprintf("every value of %s is %q", c.Attribute, c.Value)
		return ct
	}
	for _, v := range vals {
		if match(v) {
			ct.Matched = true
			ct.Why = fmt.Sprintf("value %q %s %q", v, map[Operator]string{OpContains: "is", OpMatches: "matches"}[c.Operator], c.Value)
			return ct
		}
	}
	ct.Why = fmt.Sprintf("none of %s %s %q", quoteList(vals), map[Operator]string{OpContains: "is", OpMatches: "matches"}[c.Operator], c.Value)
	return ct
}

func applyTransforms(v string, ts []Transform) string {
	for _, t := range ts {
		switch t.Kind {
		case TransformTrim:
			v = strings.TrimSpace(v)
		case TransformLower:
			v = strings.ToLower(v)
		case TransformBeforeAt:
			if i := strings.IndexByte(v, '@'); i >= 0 {
				v = v[:i]
			}
		case TransformRegex:
			re, err := regexp.Compile(t.Pattern)
			if err != nil {
				return ""
			}
			m := re.FindStringSubmatch(v)
			switch {
			case m == nil:
				v = ""
			case len(m) > 1:
				v = m[1]
			default:
				v = m[0]
			}
		}
	}
	return strings.TrimSpace(v)
}

// FieldError is a validation error that points at the field to fix, such
// as "role_rules[2].conditions[0].value".
type FieldError struct {
	Field   string
	Message string
}

// Error implements error.
func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Validate checks a mapping before it is saved: every regex compiles,
// every condition is complete, every role is known (known lists the role
// catalogue; nil skips that check), policies have known values. The first
// problem is returned as an *Error (EINVALID) wrapping a *FieldError.
func (m Mapping) Validate(known []string) error {
	fail := func(field, format string, args ...any) error {
		fe := &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
		return &Error{Code: EINVALID, Message: fe.Error(), Err: fe}
	}
	for name, src := range m.Fields {
		if !containsString(MappedFieldNames, name) {
			return fail("fields."+name, "unknown field %q", name)
		}
		for i, t := range src.Transforms {
			where := fmt.Sprintf("fields.%s.transforms[%d]", name, i)
			switch t.Kind {
			case TransformTrim, TransformLower, TransformBeforeAt:
			case TransformRegex:
				if _, err := regexp.Compile(t.Pattern); err != nil {
					return fail(where+".pattern", "invalid regular expression: %v", err)
				}
			default:
				return fail(where+".kind", "unknown transform %q", t.Kind)
			}
		}
	}
	for i, r := range m.Required {
		if !containsString(MappedFieldNames, r) {
			return fail(fmt.Sprintf("required[%d]", i), "unknown field %q", r)
		}
	}
	for i, r := range m.RoleRules {
		r = r.normalized()
		where := fmt.Sprintf("role_rules[%d]", i)
		if len(r.Conditions) == 0 {
			return fail(where+".conditions", "a rule needs at least one condition")
		}
		if len(r.Roles) == 0 {
			return fail(where+".roles", "a rule must grant at least one role")
		}
		for j, c := range r.Conditions {
			cw := fmt.Sprintf("%s.conditions[%d]", where, j)
			if strings.TrimSpace(c.Attribute) == "" {
				return fail(cw+".attribute", "the condition names no attribute")
			}
			switch c.Operator {
			case OpExists, OpNotExists:
			case OpEquals, OpContains:
				if c.Value == "" {
					return fail(cw+".value", "the condition has no value to compare")
				}
			case OpMatches:
				if _, err := regexp.Compile(c.Value); err != nil {
					return fail(cw+".value", "invalid regular expression: %v", err)
				}
			default:
				return fail(cw+".operator", "unknown operator %q", c.Operator)
			}
		}
		for j, role := range r.Roles {
			if strings.TrimSpace(role) == "" {
				return fail(fmt.Sprintf("%s.roles[%d]", where, j), "empty role name")
			}
			if known != nil && !containsString(known, role) {
				return fail(fmt.Sprintf("%s.roles[%d]", where, j), "unknown role %q (add it to the role catalogue)", role)
			}
		}
	}
	if !m.NoMatch.Valid() {
		return fail("no_match", "unknown policy %q", m.NoMatch)
	}
	if m.DefaultRole != "" && known != nil && !containsString(known, m.DefaultRole) {
		return fail("default_role", "unknown role %q", m.DefaultRole)
	}
	if !m.Sync.Mode.Valid() {
		return fail("sync.mode", "unknown mode %q", m.Sync.Mode)
	}
	for name, p := range m.Sync.Fields {
		if !containsString(MappedFieldNames, name) {
			return fail("sync.fields."+name, "unknown field %q", name)
		}
		if !p.Valid() {
			return fail("sync.fields."+name, "unknown policy %q", p)
		}
	}
	return nil
}

// RolesNamed lists every role a mapping grants, sorted.
func (m Mapping) RolesNamed() []string {
	set := map[string]bool{}
	for _, r := range m.Normalized().RoleRules {
		for _, role := range r.Roles {
			set[role] = true
		}
	}
	if m.DefaultRole != "" {
		set[m.DefaultRole] = true
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
