package core

import (
	"fmt"
	"strings"
)

// DefaultMapping fits the demo IdP and the attribute names most IdPs use.
func DefaultMapping() Mapping {
	return Mapping{
		UsernameAttrs:    []string{"uid", "username", "preferred_username"},
		EmailAttrs:       []string{"email", "mail", "emailaddress"},
		DisplayNameAttrs: []string{"displayName", "cn", "name"},
		GroupsAttrs:      []string{"groups", "memberOf"},
	}
}

// MappedFields are the account fields and roles one assertion yields.
type MappedFields struct {
	Username    string
	Email       string
	DisplayName string
	Groups      []string
	Roles       []RoleGrant
}

// Apply computes the account fields and roles for an assertion with nameID
// and attrs; friendly maps FriendlyName to Name for attributes that have
// one. Attribute names match case-insensitively, by Name or FriendlyName.
func (m Mapping) Apply(nameID string, attrs Attributes, friendly map[string]string) MappedFields {
	look := attrLookup{attrs: attrs, friendly: friendly}
	f := MappedFields{
		Username:    look.first(m.UsernameAttrs),
		Email:       look.first(m.EmailAttrs),
		DisplayName: look.first(m.DisplayNameAttrs),
		Groups:      look.all(m.GroupsAttrs),
	}
	if f.Username == "" {
		f.Username = nameID
	}
	if f.DisplayName == "" {
		f.DisplayName = f.Username
	}
	if f.Email == "" && strings.Contains(nameID, "@") {
		f.Email = nameID
	}
	seen := map[string]bool{}
	for i, rule := range m.RoleRules {
		if seen[rule.Role] || !rule.matches(look) {
			continue
		}
		seen[rule.Role] = true
		f.Roles = append(f.Roles, RoleGrant{Role: rule.Role,
			Source: fmt.Sprintf("rule %d: %s contains %s", i+1, rule.Attribute, rule.Value)})
	}
	if len(f.Roles) == 0 && m.DefaultRole != "" {
		f.Roles = []RoleGrant{{Role: m.DefaultRole, Source: "default role"}}
	}
	return f
}

func (r RoleRule) matches(look attrLookup) bool {
	for _, v := range look.values(r.Attribute) {
		if strings.EqualFold(strings.TrimSpace(v), r.Value) {
			return true
		}
	}
	return false
}

type attrLookup struct {
	attrs    Attributes
	friendly map[string]string
}

// values returns every value of the attribute called name (by Name or
// FriendlyName, case-insensitively). A rule on the mapping's groups
// attribute names "groups"; it sees memberOf too when that is what the IdP
// sends, through the candidates of GroupsAttrs.
func (l attrLookup) values(name string) []string {
	if v, ok := l.attrs[name]; ok {
		return v
	}
	if n, ok := l.friendly[name]; ok {
		return l.attrs[n]
	}
	for k, v := range l.attrs {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for fn, n := range l.friendly {
		if strings.EqualFold(fn, name) {
			return l.attrs[n]
		}
	}
	return nil
}

func (l attrLookup) first(candidates []string) string {
	for _, c := range candidates {
		for _, v := range l.values(c) {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
	}
	return ""
}

func (l attrLookup) all(candidates []string) []string {
	for _, c := range candidates {
		if v := l.values(c); len(v) > 0 {
			return v
		}
	}
	return nil
}
