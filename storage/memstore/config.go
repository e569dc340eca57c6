package memstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/jitconsole/jitconsole/core"
)

// ApplyConfig makes every change of a config plan, in order, each with
// its audit event, at once; it checks them all first, so that a refused
// plan changes nothing.
func (s *Store) ApplyConfig(ctx context.Context, changes []core.ConfigChange) ([]core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkConfig(changes); err != nil {
		return nil, fmt.Errorf("apply the config: %w", err)
	}
	events := make([]core.Event, 0, len(changes))
	for _, ch := range changes {
		switch ch.Kind {
		case core.ConfigSaveRole:
			s.roles[ch.Name] = ch.Description
		case core.ConfigDeleteRole:
			delete(s.roles, ch.Name)
		case core.ConfigSaveIdP:
			if _, err := s.putIdP(ch.IdP); err != nil {
				return nil, err // an encoding error: checkConfig encoded it already
			}
		case core.ConfigDeleteIdP:
			i := s.idpIndex(ch.Name)
			s.idps = slices.Delete(s.idps, i, i+1)
			s.idpVersion++
			s.forgetSCIM(ch.Name) // the token and SCIM settings go with the IdP, as in SQLite
			for _, a := range s.users {
				if a.IdPSlug == ch.Name {
					a.IdPRemoved = true
				}
			}
		case core.ConfigSetSetting:
			s.settings[ch.Name] = ch.Value
		}
		events = append(events, s.addEvent(core.AuditDefaults(ch.Audit, s.now())))
	}
	return events, nil
}

// checkConfig refuses changes that cannot all be made, in order, on the
// store as it is (the lock held), changing nothing.
func (s *Store) checkConfig(changes []core.ConfigChange) error {
	roles := map[string]bool{}
	for r := range s.roles {
		roles[r] = true
	}
	idps := map[string]bool{}
	for _, p := range s.idps {
		idps[p.Slug] = true
	}
	for i, ch := range changes {
		var err error
		switch ch.Kind {
		case core.ConfigSaveRole:
			if ch.Name == "" {
				err = core.Errorf(core.EINVALID, "A role needs a name.")
			}
			roles[ch.Name] = true
		case core.ConfigDeleteRole:
			if !roles[ch.Name] {
				err = core.NoSuchRole(ch.Name)
			} else if n := s.holders(ch.Name); n > 0 {
				err = core.RoleHeld(ch.Name, n)
			}
			delete(roles, ch.Name)
		case core.ConfigSaveIdP:
			if ch.IdP.Slug == "" {
				err = core.Errorf(core.EINVALID, "An identity provider needs a slug.")
			} else if _, cerr := cloneIdP(ch.IdP); cerr != nil {
				err = cerr
			}
			idps[ch.IdP.Slug] = true
			for _, r := range ch.IdP.Mapping.RolesNamed() {
				roles[r] = true
			}
		case core.ConfigDeleteIdP:
			if !idps[ch.Name] {
				err = noIdP(ch.Name)
			}
			delete(idps, ch.Name)
		case core.ConfigSetSetting:
			if ch.Name == "" {
				err = core.Errorf(core.EINVALID, "A setting needs a key.")
			}
		default:
			err = core.Errorf(core.EINVALID, "Unknown config change %q.", ch.Kind)
		}
		if err != nil {
			return fmt.Errorf("change %d (%s): %w", i+1, ch.Kind, err)
		}
	}
	return nil
}
