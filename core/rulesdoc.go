// The rules file: an IdP's mapping as configuration as code (rules
// export and import). The file format is a versioned contract of its own:
// its JSON is defined by the rulesFileV1 types below, not by the JSON tags
// of the stored Mapping, so that the database's format can change without
// changing what rules export writes and rules import reads.

package core

import (
	"encoding/json"
	"strings"
)

// RulesFileVersion is the version of the rules file format that rulesJSON
// writes and ParseRulesDocument reads.
const RulesFileVersion = 1

// RulesDocument is an IdP's mapping as configuration as code. It marshals
// to and from JSON in the rules file format (version RulesFileVersion),
// whatever the stored Mapping's JSON looks like.
type RulesDocument struct {
	Version int
	IdP     string
	Mapping Mapping
}

// rulesJSON returns an IdP's field mapping, account key settings, sync
// policy and rules as indented JSON in the rules file format.
func rulesJSON(idp IdP) ([]byte, error) {
	return json.MarshalIndent(RulesDocument{Version: RulesFileVersion, IdP: idp.Slug, Mapping: idp.Mapping.Normalized()}, "", "  ")
}

// ParseRulesDocument reads and validates a rules document (the JSON that
// ExportRules writes), without a store: unknown fields, another version and
// an invalid mapping are *Error values with code EINVALID naming the field.
// Roles it names need not exist yet.
func ParseRulesDocument(data []byte) (RulesDocument, error) {
	var doc RulesDocument
	if err := doc.UnmarshalJSON(data); err != nil {
		return RulesDocument{}, err
	}
	if err := doc.Mapping.Validate(nil); err != nil {
		return RulesDocument{}, err
	}
	return doc, nil
}

// MarshalJSON writes d in the rules file format, as version
// RulesFileVersion.
func (d RulesDocument) MarshalJSON() ([]byte, error) {
	return json.Marshal(rulesFileV1{Version: RulesFileVersion, IdP: d.IdP, Mapping: mappingToFile(d.Mapping)})
}

// UnmarshalJSON reads the rules file format: unknown fields and another
// version than RulesFileVersion are *Error values with code EINVALID. The
// mapping is not validated (ParseRulesDocument does that).
func (d *RulesDocument) UnmarshalJSON(data []byte) error {
	var f rulesFileV1
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return &Error{Code: EINVALID, Err: err, Message: "The rules file is not valid JSON for JIT Console: " + firstLine(err)}
	}
	if f.Version != RulesFileVersion {
		return Errorf(EINVALID, "version: unsupported version %d (this console reads version %d)", f.Version, RulesFileVersion)
	}
	*d = RulesDocument{Version: f.Version, IdP: f.IdP, Mapping: f.Mapping.toMapping()}
	return nil
}

// rulesFileV1 is version 1 of the rules file. Its types mirror Mapping's
// on purpose, field by field, with JSON names of their own: changing them
// changes a public format, and needs a new version.
type rulesFileV1 struct {
	Version int            `json:"version"`
	IdP     string         `json:"idp"`
	Mapping rulesMappingV1 `json:"mapping"`
}

// rulesMappingV1 is Mapping in a version 1 rules file.
type rulesMappingV1 struct {
	Fields map[string]rulesFieldV1 `json:"fields,omitempty"`
	// The legacy candidate lists: read (older files may carry them) and
	// written when a stored mapping still has them.
	UsernameAttrs    []string          `json:"username_attrs,omitempty"`
	EmailAttrs       []string          `json:"email_attrs,omitempty"`
	DisplayNameAttrs []string          `json:"display_name_attrs,omitempty"`
	GroupsAttrs      []string          `json:"groups_attrs,omitempty"`
	Required         []string          `json:"required,omitempty"`
	RoleRules        []rulesRuleV1     `json:"role_rules,omitempty"`
	NoMatch          string            `json:"no_match,omitempty"`
	DefaultRole      string            `json:"default_role,omitempty"`
	AccountKeyAttr   string            `json:"account_key_attr,omitempty"`
	CaseSensitiveKey bool              `json:"case_sensitive_key,omitempty"`
	LinkByEmail      bool              `json:"link_by_email,omitempty"`
	Sync             rulesSyncPolicyV1 `json:"sync,omitempty"`
}

// rulesFieldV1 is a FieldSource.
type rulesFieldV1 struct {
	NameID     bool               `json:"name_id,omitempty"`
	Attributes []string           `json:"attributes,omitempty"`
	Transforms []rulesTransformV1 `json:"transforms,omitempty"`
}

// rulesTransformV1 is a Transform.
type rulesTransformV1 struct {
	Kind    string `json:"kind"`
	Pattern string `json:"pattern,omitempty"`
}

// rulesRuleV1 is a RoleRule. Export writes rules in their full form;
// import also reads the legacy one (attribute, value, role).
type rulesRuleV1 struct {
	ID         string             `json:"id,omitempty"`
	Name       string             `json:"name,omitempty"`
	Conditions []rulesConditionV1 `json:"conditions,omitempty"`
	Roles      []string           `json:"roles,omitempty"`
	Attribute  string             `json:"attribute,omitempty"`
	Value      string             `json:"value,omitempty"`
	Role       string             `json:"role,omitempty"`
}

// rulesConditionV1 is a Condition.
type rulesConditionV1 struct {
	Attribute       string `json:"attribute"`
	Operator        string `json:"operator"`
	Value           string `json:"value,omitempty"`
	CaseInsensitive bool   `json:"case_insensitive,omitempty"`
}

// rulesSyncPolicyV1 is a SyncPolicy.
type rulesSyncPolicyV1 struct {
	Mode   string            `json:"mode,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
}

// mappingToFile is m as a version 1 rules file carries it.
func mappingToFile(m Mapping) rulesMappingV1 {
	return rulesMappingV1{
		UsernameAttrs: m.UsernameAttrs, EmailAttrs: m.EmailAttrs,
		DisplayNameAttrs: m.DisplayNameAttrs, GroupsAttrs: m.GroupsAttrs,
		Required: m.Required, NoMatch: string(m.NoMatch), DefaultRole: m.DefaultRole,
		AccountKeyAttr: m.AccountKeyAttr, CaseSensitiveKey: m.CaseSensitiveKey, LinkByEmail: m.LinkByEmail,
		Sync: rulesSyncPolicyV1{Mode: string(m.Sync.Mode), Fields: convertMap(m.Sync.Fields, func(p FieldSync) string { return string(p) })},
		Fields: convertMap(m.Fields, func(s FieldSource) rulesFieldV1 {
			return rulesFieldV1{NameID: s.NameID, Attributes: s.Attributes, Transforms: convertSlice(s.Transforms, func(t Transform) rulesTransformV1 {
				return rulesTransformV1{Kind: string(t.Kind), Pattern: t.Pattern}
			})}
		}),
		RoleRules: convertSlice(m.RoleRules, func(r RoleRule) rulesRuleV1 {
			return rulesRuleV1{ID: r.ID, Name: r.Name, Roles: r.Roles, Attribute: r.Attribute, Value: r.Value, Role: r.Role,
				Conditions: convertSlice(r.Conditions, func(c Condition) rulesConditionV1 {
					return rulesConditionV1{Attribute: c.Attribute, Operator: string(c.Operator), Value: c.Value, CaseInsensitive: c.CaseInsensitive}
				})}
		}),
	}
}

// toMapping is the Mapping a version 1 rules file describes.
func (f rulesMappingV1) toMapping() Mapping {
	return Mapping{
		UsernameAttrs: f.UsernameAttrs, EmailAttrs: f.EmailAttrs,
		DisplayNameAttrs: f.DisplayNameAttrs, GroupsAttrs: f.GroupsAttrs,
		Required: f.Required, NoMatch: NoMatchPolicy(f.NoMatch), DefaultRole: f.DefaultRole,
		AccountKeyAttr: f.AccountKeyAttr, CaseSensitiveKey: f.CaseSensitiveKey, LinkByEmail: f.LinkByEmail,
		Sync: SyncPolicy{Mode: SyncMode(f.Sync.Mode), Fields: convertMap(f.Sync.Fields, func(p string) FieldSync { return FieldSync(p) })},
		Fields: convertMap(f.Fields, func(s rulesFieldV1) FieldSource {
			return FieldSource{NameID: s.NameID, Attributes: s.Attributes, Transforms: convertSlice(s.Transforms, func(t rulesTransformV1) Transform {
				return Transform{Kind: TransformKind(t.Kind), Pattern: t.Pattern}
			})}
		}),
		RoleRules: convertSlice(f.RoleRules, func(r rulesRuleV1) RoleRule {
			return RoleRule{ID: r.ID, Name: r.Name, Roles: r.Roles, Attribute: r.Attribute, Value: r.Value, Role: r.Role,
				Conditions: convertSlice(r.Conditions, func(c rulesConditionV1) Condition {
					return Condition{Attribute: c.Attribute, Operator: Operator(c.Operator), Value: c.Value, CaseInsensitive: c.CaseInsensitive}
				})}
		}),
	}
}

// convertSlice maps s through fn, keeping nil nil.
func convertSlice[S, T any](s []S, fn func(S) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = fn(v)
	}
	return out
}

// convertMap maps m's values through fn, keeping nil nil.
func convertMap[V, W any](m map[string]V, fn func(V) W) map[string]W {
	if m == nil {
		return nil
	}
	out := make(map[string]W, len(m))
	for k, v := range m {
		out[k] = fn(v)
	}
	return out
}
