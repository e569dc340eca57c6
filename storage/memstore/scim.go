package memstore

import (
	"context"
	"slices"

	"github.com/jitconsole/jitconsole/core"
)

// SetSCIMTokenHash stores the hash of an IdP's SCIM token.
func (s *Store) SetSCIMTokenHash(ctx context.Context, idpSlug string, hash []byte, audit core.Event) (core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.scimTokens == nil {
		s.scimTokens = map[string][]byte{}
	}
	s.scimTokens[idpSlug] = slices.Clone(hash)
	return s.addEvent(audit), nil
}

// SCIMTokenHash returns the hash of the IdP's SCIM token.
func (s *Store) SCIMTokenHash(ctx context.Context, idpSlug string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.scimTokens[idpSlug]
	if !ok {
		return nil, core.Errorf(core.ENOTFOUND, "The IdP %s has no SCIM token.", idpSlug)
	}
	return slices.Clone(h), nil
}

// scimRecord is the SCIM record of an account with the account's fields,
// or false when the account (or its record) is gone.
func (s *Store) scimRecord(userID int64) (core.SCIMRecord, bool) {
	r, ok := s.scimUsers[userID]
	a, live := s.users[userID]
	if !ok || !live {
		delete(s.scimUsers, userID) // the account was deleted: so is its record
		return core.SCIMRecord{}, false
	}
	out := *r
	out.Resource = slices.Clone(r.Resource)
	out.Account = core.User{ID: a.ID, IdPSlug: a.IdPSlug, NameID: a.NameID, Username: a.Username, Email: a.Email,
		DisplayName: a.DisplayName, GivenName: a.GivenName, FamilyName: a.FamilyName, Disabled: a.Disabled}
	out.Email = a.Email
	return out, true
}

// liveSCIM is every live SCIM user of the IdP in creation order.
func (s *Store) liveSCIM(idpSlug string) []core.SCIMRecord {
	var out []core.SCIMRecord
	for id := range s.scimUsers {
		if r, ok := s.scimRecord(id); ok && r.IdPSlug == idpSlug && !r.Deprovisioned {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b core.SCIMRecord) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return int(a.Account.ID - b.Account.ID)
	})
	return out
}

func (s *Store) scimNameFree(idpSlug, userName string, except int64) error {
	for _, r := range s.liveSCIM(idpSlug) {
		if r.Account.ID != except && foldKey(r.UserName) == foldKey(userName) {
			return core.Errorf(core.ECONFLICT, "A user with userName %q already exists for IdP %s.", userName, idpSlug)
		}
	}
	return nil
}

// CreateSCIMUser stores a new SCIM user and its account (new, or the
// IdP's account with the NameID when no live SCIM user holds it).
func (s *Store) CreateSCIMUser(ctx context.Context, r core.SCIMRecord, audit core.Event) (core.SCIMRecord, core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.scimUsers == nil {
		s.scimUsers = map[int64]*core.SCIMRecord{}
	}
	if err := s.scimNameFree(r.IdPSlug, r.UserName, 0); err != nil {
		return core.SCIMRecord{}, core.Event{}, err
	}
	if a := s.findAccount(r.IdPSlug, r.Account.NameID, true); a != nil {
		if prev, ok := s.scimRecord(a.ID); ok && !prev.Deprovisioned {
			return core.SCIMRecord{}, core.Event{}, core.Errorf(core.ECONFLICT, "The account %s of IdP %s is already a SCIM user.", a.NameID, r.IdPSlug)
		}
		_, hadSCIM := s.scimRecord(a.ID)
		if core.SCIMKeepsDisabled(r.Account.Disabled, a.Disabled, hadSCIM) {
			r.Account.Disabled = true
			audit.Message += core.SCIMAdminWinsNote
		}
		r.Account.ID, r.CreatedBySCIM = a.ID, false
	} else {
		a := &account{User: core.User{ID: s.nextID(), IdPSlug: r.IdPSlug, NameID: r.Account.NameID, CreatedAt: r.Created.UTC(),
			ProvisionedBy: core.ProvisionedBySCIM}}
		s.users[a.ID] = a
		s.index(a)
		r.Account.ID, r.CreatedBySCIM = a.ID, true
	}
	s.writeSCIM(r)
	s.writeSCIMGrants(r, &audit)
	audit.UserID = r.Account.ID
	saved, _ := s.scimRecord(r.Account.ID)
	return saved, s.addEvent(audit), nil
}

// writeSCIM stores r and the account fields SCIM sets.
func (s *Store) writeSCIM(r core.SCIMRecord) {
	a := s.users[r.Account.ID]
	s.unindex(a)
	u := r.Account
	a.NameID, a.Username, a.Email, a.DisplayName, a.GivenName, a.FamilyName, a.Disabled =
		u.NameID, u.Username, u.Email, u.DisplayName, u.GivenName, u.FamilyName, u.Disabled
	s.index(a)
	stored := r
	stored.Account, stored.Grants, stored.ReplaceGrants = core.User{}, nil, false
	stored.Resource = slices.Clone(r.Resource)
	stored.Created, stored.Updated = r.Created.UTC(), r.Updated.UTC()
	if prev, ok := s.scimUsers[r.Account.ID]; ok && prev.ID == r.ID {
		stored.Created, stored.CreatedBySCIM = prev.Created, prev.CreatedBySCIM
	}
	s.scimUsers[r.Account.ID] = &stored
}

// writeSCIMGrants makes r.Grants the account's rule and default grants
// when r.ReplaceGrants (manual grants stay) and adds the roles added and
// removed to the event.
func (s *Store) writeSCIMGrants(r core.SCIMRecord, audit *core.Event) {
	if !r.ReplaceGrants {
		return
	}
	a := s.users[r.Account.ID]
	for _, g := range r.Grants {
		s.ensureRole(g.Role)
	}
	if diff := core.RoleDiffText(core.RoleDiff(a.auto, r.Grants)); diff != "" {
		audit.Message += "; roles " + diff
	}
	a.auto = slices.Clone(r.Grants)
}

// SCIMUser returns the live SCIM user of the IdP with scimID.
func (s *Store) SCIMUser(ctx context.Context, idpSlug, scimID string) (core.SCIMRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.liveSCIM(idpSlug) {
		if r.ID == scimID {
			return r, nil
		}
	}
	return core.SCIMRecord{}, core.Errorf(core.ENOTFOUND, "There is no SCIM user %s of IdP %s.", scimID, idpSlug)
}

// ListSCIMUsers returns q's page of the live SCIM users q selects.
func (s *Store) ListSCIMUsers(ctx context.Context, idpSlug string, q core.SCIMQuery) ([]core.SCIMRecord, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sel []core.SCIMRecord
	for _, r := range s.liveSCIM(idpSlug) {
		if (q.UserName == "" || foldKey(q.UserName) == foldKey(r.UserName)) &&
			(q.ExternalID == "" || foldKey(q.ExternalID) == foldKey(r.ExternalID)) &&
			(q.Email == "" || foldKey(q.Email) == foldKey(r.Email)) {
			sel = append(sel, r)
		}
	}
	from := min(max(q.Offset, 0), len(sel))
	to := len(sel)
	if q.Count >= 0 {
		to = min(from+q.Count, len(sel))
	}
	return sel[from:to], len(sel), nil
}

// UpdateSCIMUser writes r and its account's fields.
func (s *Store) UpdateSCIMUser(ctx context.Context, r core.SCIMRecord, audit core.Event) (core.SCIMRecord, core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var prev core.SCIMRecord
	found := false
	for _, p := range s.liveSCIM(r.IdPSlug) {
		if p.ID == r.ID {
			prev, found = p, true
		}
	}
	if !found {
		return core.SCIMRecord{}, core.Event{}, core.Errorf(core.ENOTFOUND, "There is no SCIM user %s of IdP %s.", r.ID, r.IdPSlug)
	}
	if !r.Deprovisioned {
		if err := s.scimNameFree(r.IdPSlug, r.UserName, prev.Account.ID); err != nil {
			return core.SCIMRecord{}, core.Event{}, err
		}
	}
	r.Account.ID = prev.Account.ID
	if other := s.findAccount(r.IdPSlug, r.Account.NameID, false); other != nil && other.ID != r.Account.ID && other.NameID == r.Account.NameID {
		return core.SCIMRecord{}, core.Event{}, core.Errorf(core.ECONFLICT, "Another account of IdP %s has the account key %q.", r.IdPSlug, r.Account.NameID)
	}
	if core.SCIMKeepsDisabled(r.Account.Disabled, prev.Account.Disabled, !prev.Active) {
		r.Account.Disabled = true
		audit.Message += core.SCIMAdminWinsNote
	}
	s.writeSCIM(r)
	s.writeSCIMGrants(r, &audit)
	saved, _ := s.scimRecord(r.Account.ID)
	return saved, s.addEvent(audit), nil
}

// forgetSCIM drops what SCIM keeps of an IdP that is removed: its token
// and its settings (account key, attribute map), as the SQLite trigger
// of migration 0008 does. The caller holds s.mu.
func (s *Store) forgetSCIM(slug string) {
	delete(s.scimTokens, slug)
	delete(s.settings, "scim.account_key."+slug)
	delete(s.settings, "scim.attribute_map."+slug)
}
