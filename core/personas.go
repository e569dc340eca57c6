// The demo IdP's personas: the defaults, the demo mapping, listing,
// saving, and the login URL of each.

package core

import (
	"context"
	"fmt"
	"strings"
)

// DefaultPersonas are the demo IdP's people on first launch, each showing
// an interesting case of JIT provisioning.
func DefaultPersonas() []Persona {
	return []Persona{
		{ID: "alice", NameIDFormat: NameIDEmail, Username: "alice", DisplayName: "Alice Anderson",
			GivenName: "Alice", Surname: "Anderson", Email: "alice@example.com", Department: "IT",
			Groups: []string{"Admins", "Engineering", "Finance"},
			Note:   "An admin in several groups: gets several roles at once."},
		{ID: "bob", NameIDFormat: NameIDEmail, Username: "bob", DisplayName: "Bob Baker",
			GivenName: "Bob", Surname: "Baker", Email: "bob@example.com", Department: "Sales",
			Groups: []string{"Sales"},
			Note:   "A plain employee in one group."},
		{ID: "carol", NameIDFormat: NameIDEmail, Username: "carol", DisplayName: "Carol Chen",
			GivenName: "Carol", Surname: "Chen", Email: "carol@contractor.example.net", Department: "Design",
			Note: "A contractor with no groups: only the default role."},
		{ID: "dave", NameID: "Dave.Diaz@Example.com", NameIDFormat: NameIDEmail, Username: "dave",
			DisplayName: "Dave Diaz", GivenName: "Dave", Surname: "Diaz", Email: "dave.diaz@example.com",
			Department: "Support", Groups: []string{"Support"},
			Note: "His NameID differs in case from his email address."},
		{ID: "erin", NameID: "8f14e45f-ceea-467f-a0e6-2b1a7c3d9e01", NameIDFormat: NameIDPersistent, Username: "erin",
			DisplayName: "Erin Evans", GivenName: "Erin", Surname: "Evans", Email: "erin@example.com",
			Department: "Engineering", Groups: []string{"Engineering", "Support"},
			Note: "An opaque persistent NameID, as Entra ID and Okta send."},
		{ID: "zoe", NameIDFormat: NameIDUnspecified, NameID: "zoe.lukasiewicz", Username: "zoe.lukasiewicz",
			DisplayName: "Zoë Łukasiewicz-Núñez", GivenName: "Zoë", Surname: "Łukasiewicz-Núñez",
			Department: "Finance", Groups: []string{"Finance", "finance-approvers"},
			Note: "No email attribute and a name beyond ASCII."},
	}
}

// DemoMapping is the demo IdP's mapping: its plain attribute names and a
// role per group, with "member" for everyone else.
func DemoMapping() Mapping {
	m := DefaultMapping()
	rule := func(group, role string) RoleRule {
		return RoleRule{Name: group + " → " + role, Roles: []string{role},
			Conditions: []Condition{{Attribute: "groups", Operator: OpContains, Value: group, CaseInsensitive: true}}}
	}
	m.RoleRules = []RoleRule{
		rule("Admins", "admin"), rule("Engineering", "engineering"), rule("Sales", "sales"),
		rule("Finance", "finance"), rule("Support", "support"),
	}
	m.DefaultRole = "member"
	return m
}

// Personas lists the demo IdP's people.
func (c *Console) Personas(ctx context.Context) ([]Persona, error) {
	return c.store.ListPersonas(ctx)
}

// SavePersona validates and stores a persona of the demo IdP.
func (c *Console) SavePersona(ctx context.Context, p Persona) error {
	p.ID = strings.TrimSpace(p.ID)
	if p.ID == "" {
		return Errorf(EINVALID, "A persona needs an ID.")
	}
	if strings.TrimSpace(p.NameIDValue()) == "" {
		return Errorf(EINVALID, "Persona %q needs a NameID or an email.", p.ID)
	}
	if err := c.store.SavePersona(ctx, p); err != nil {
		return fmt.Errorf("save persona %q: %w", p.ID, err)
	}
	c.publish(ctx, Event{Kind: EventPersonaChanged, Outcome: OutcomeInfo, IdPSlug: DemoSlug,
		Subject: p.ID, Message: fmt.Sprintf("Demo persona %s saved by %s", p.DisplayName, osUser())})
	return nil
}

// NameIDValue is the NameID the demo IdP sends for p.
func (p Persona) NameIDValue() string {
	if p.NameID != "" {
		return p.NameID
	}
	if p.Email != "" {
		return p.Email
	}
	return p.Username
}
