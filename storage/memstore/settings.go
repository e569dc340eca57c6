package memstore

import (
	"context"
	"slices"

	"github.com/jitconsole/jitconsole/core"
)

// ListPersonas returns the demo IdP's personas in the order first saved.
func (s *Store) ListPersonas(ctx context.Context) ([]core.Persona, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]core.Persona, len(s.personas))
	for i, p := range s.personas {
		p.Groups = slices.Clone(p.Groups)
		out[i] = p
	}
	return out, nil
}

// SavePersona inserts or replaces a persona by ID.
func (s *Store) SavePersona(ctx context.Context, p core.Persona) error {
	if p.ID == "" {
		return core.Errorf(core.EINVALID, "A persona needs an ID.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.Groups = slices.Clone(p.Groups)
	if i := slices.IndexFunc(s.personas, func(x core.Persona) bool { return x.ID == p.ID }); i >= 0 {
		s.personas[i] = p
	} else {
		s.personas = append(s.personas, p)
	}
	return nil
}

// DeletePersona deletes a persona; ENOTFOUND if unknown.
func (s *Store) DeletePersona(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.personas, func(x core.Persona) bool { return x.ID == id })
	if i < 0 {
		return core.Errorf(core.ENOTFOUND, "There is no persona %q.", id)
	}
	s.personas = slices.Delete(s.personas, i, i+1)
	return nil
}

// GetSetting returns ENOTFOUND when key is unset.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.settings[key]
	if !ok {
		return "", core.Errorf(core.ENOTFOUND, "The setting %q is not set.", key)
	}
	return v, nil
}

// SetSetting sets key to value.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return core.Errorf(core.EINVALID, "A setting needs a key.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings[key] = value
	return nil
}
