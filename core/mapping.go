// The default mapping and the lookup of assertion attributes by Name or
// FriendlyName.

package core

import (
	"strings"
)

// DefaultMapping fits the demo IdP and the attribute names most IdPs use:
// every field from its default candidates, no role rules yet, and the
// default role "member" for everyone.
func DefaultMapping() Mapping {
	return Mapping{NoMatch: NoMatchDefault, DefaultRole: "member"}
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
