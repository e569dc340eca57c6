package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// ApplyLogin writes core.PlanLogin's plan of an accepted login, using up
// its assertion ID and sign-in request, all at once: a refusal (a replay,
// an answered request, PlanLogin's own) changes nothing.
func (s *Store) ApplyLogin(ctx context.Context, p core.Provision) (core.ProvisionResult, error) {
	if err := p.Validate(); err != nil {
		return core.ProvisionResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.At.IsZero() {
		p.At = s.now()
	}
	p.At = p.At.UTC()
	if err := s.checkClaim(p); err != nil {
		return core.ProvisionResult{}, fmt.Errorf("apply login for %q: %w", p.NameID, err)
	}
	state, prev := s.loginState(p)
	plan, err := core.PlanLogin(state, p)
	if err != nil {
		return core.ProvisionResult{}, fmt.Errorf("apply login for %q: %w", p.NameID, err)
	}
	// Nothing below can fail: the claim, then the plan.
	if p.AssertionID != "" && !p.AssertionExpires.IsZero() {
		s.replay[p.AssertionID] = p.AssertionExpires
	}
	if p.RequestToken != "" {
		s.requests[p.RequestToken].uses++
	}
	return s.writeLogin(p, prev, plan), nil
}

// checkClaim refuses a login whose assertion ID is in the replay cache
// (EREPLAYED) or whose sign-in request was answered or is gone
// (EANSWERED).
func (s *Store) checkClaim(p core.Provision) error {
	if p.AssertionID != "" && !p.AssertionExpires.IsZero() {
		if exp, ok := s.replay[p.AssertionID]; ok && exp.After(p.At) {
			return core.Errorf(core.EREPLAYED, "Assertion %s was already used.", p.AssertionID)
		}
	}
	if p.RequestToken != "" {
		r, ok := s.requests[p.RequestToken]
		if !ok || r.idpSlug != p.IdPSlug || r.uses > 0 || !r.expires.After(p.At) {
			return core.Errorf(core.EANSWERED, "The sign-in request was answered by another response, or has expired.")
		}
	}
	return nil
}

// loginState is what PlanLogin needs of the store, and the stored account
// the login changes (nil for a new one).
func (s *Store) loginState(p core.Provision) (core.LoginState, *account) {
	var state core.LoginState
	prev := s.findAccount(p.IdPSlug, p.NameID, p.CaseInsensitiveKey)
	if prev != nil {
		u := prev.user()
		state.Account = &u
	} else if p.LinkByEmail && p.Email != "" {
		if prev = s.otherIdPWithEmail(p.Email, p.IdPSlug); prev != nil {
			u := prev.user()
			state.LinkCandidate = &u
		}
	}
	if !p.CaseInsensitiveKey {
		for _, id := range s.byKey[accountKey(p.IdPSlug, p.NameID)] {
			if a := s.users[id]; a.NameID != p.NameID {
				state.CaseTwin = a.NameID
				break
			}
		}
	}
	if state.LinkCandidate == nil && p.Email != "" {
		state.EmailElsewhere = s.emailElsewhere(p.Email, p.IdPSlug)
	}
	return state, prev
}

// emailElsewhere is the first slug (in order) of another IdP with an
// account that has email, "" for none.
func (s *Store) emailElsewhere(email, idpSlug string) string {
	best := ""
	for _, id := range s.byEmail[foldKey(email)] {
		if a := s.users[id]; a.IdPSlug != idpSlug && (best == "" || a.IdPSlug < best) {
			best = a.IdPSlug
		}
	}
	return best
}

// writeLogin writes plan: the account, the event, the login row, the
// grants, the attributes and the recording.
func (s *Store) writeLogin(p core.Provision, a *account, plan core.LoginPlan) core.ProvisionResult {
	if plan.Created {
		a = &account{}
		plan.Account.ID = s.nextID()
		s.users[plan.Account.ID] = a
	} else {
		s.unindex(a)
	}
	manual, auto := a.manual, a.auto
	a.User = plan.Account
	a.User.Roles = nil
	s.index(a)
	if plan.ReplaceGrants {
		auto = plan.Grants
	}
	ev := plan.Event
	ev.UserID = a.ID
	ev = s.addEvent(ev)
	login := &loginRow{Login: core.Login{
		ID: s.nextID(), At: p.At, IdPSlug: p.IdPSlug, UserID: a.ID, NameID: p.NameID,
		Outcome: core.OutcomeAccepted, AssertionID: p.AssertionID, EventID: ev.ID,
	}, count: 1}
	s.logins = append(s.logins, login)
	if plan.ReplaceGrants {
		for i := range auto {
			auto[i].LoginID = login.ID
			s.ensureRole(auto[i].Role)
		}
	}
	a.auto, a.manual = slices.Clone(auto), manual
	a.attrs = cloneAttributes(p.Attributes)
	if p.Record != nil {
		action := "updated"
		if plan.Created {
			action = "created"
		}
		login.RecordingID = s.addRecording(core.RecordingOf(*p.Record, login.Login, action))
	}
	return core.ProvisionResult{
		User: a.user(), Created: plan.Created, Linked: plan.LinkedFrom != "", Added: plan.Added, Removed: plan.Removed,
		Login: login.Login, Event: ev,
	}
}

// addRecording stores rec, its raw response cut to
// core.MaxRecordedResponse, and returns its ID.
func (s *Store) addRecording(rec core.Recording) int64 {
	size := max(rec.RawSize, len(rec.Raw))
	raw := rec.Raw
	if len(raw) > core.MaxRecordedResponse {
		raw = raw[:core.MaxRecordedResponse]
	}
	rec.Raw, rec.RawSize = slices.Clone(raw), size
	rec.RawTruncated = rec.RawTruncated || size > len(raw)
	rec.ID, rec.Count = s.nextID(), max(rec.Count, 1)
	rec.At = rec.At.UTC()
	s.records = append(s.records, &rec)
	return rec.ID
}

// RecordRefusal writes a refused login row and its event (and recording),
// or counts one more on a compact refusal of the same class, IdP and
// address within core.CompactWindow.
func (s *Store) RecordRefusal(ctx context.Context, r core.Refusal) (core.Login, core.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.At.IsZero() {
		r.At = s.now()
	}
	r.At = r.At.UTC()
	login, ev := core.RefusalRows(r)
	remoteIP := ""
	if r.Compact {
		if r.Record != nil {
			rec := *r.Record
			rec.Raw, rec.RawSize, rec.RawTruncated = nil, 0, false
			r.Record = &rec
			remoteIP = rec.RemoteAddr
		}
		remoteIP = cmpOr(remoteIP, "-")
		if l := s.compactRow(r, remoteIP); l != nil {
			return s.bump(l)
		}
	}
	ev = s.addEvent(ev)
	row := &loginRow{Login: login, remoteIP: remoteIP, count: 1}
	row.ID, row.EventID = s.nextID(), ev.ID
	s.logins = append(s.logins, row)
	if r.Record != nil {
		rec := core.RecordingOf(*r.Record, row.Login, "")
		rec.Class, rec.Reason, rec.Hint = cmpOr(rec.Class, r.Class), cmpOr(rec.Reason, r.Reason), cmpOr(rec.Hint, r.Hint)
		row.RecordingID = s.addRecording(rec)
	}
	return row.Login, ev, nil
}

// cmpOr is the first of a and b that is not empty.
func cmpOr[S ~string](a, b S) S {
	if a != "" {
		return a
	}
	return b
}

// compactRow is the newest compact refusal of r's class and IdP from
// remoteIP within core.CompactWindow before r.At, nil for none.
func (s *Store) compactRow(r core.Refusal, remoteIP string) *loginRow {
	var best *loginRow
	for _, l := range s.logins {
		if l.remoteIP == remoteIP && l.IdPSlug == r.IdPSlug && l.Class == r.Class &&
			l.At.After(r.At.Add(-core.CompactWindow)) && !l.At.After(r.At) && (best == nil || l.At.After(best.At)) {
			best = l
		}
	}
	return best
}

// bump counts one more request on the compact refusal l, its event and
// its recording.
func (s *Store) bump(l *loginRow) (core.Login, core.Event, error) {
	l.count++
	for _, rec := range s.records {
		if rec.LoginID == l.ID {
			rec.Count++
			l.RecordingID = rec.ID
		}
	}
	var ev core.Event
	for _, e := range s.events {
		if e.ID == l.EventID {
			e.Count++
			ev = *e
			ev.Count = repeated(e.Count)
		}
	}
	return s.loginOut(l), ev, nil
}

// loginOut is l as the core types show it.
func (s *Store) loginOut(l *loginRow) core.Login {
	out := l.Login
	out.Count = repeated(l.count)
	return out
}

// TrackRequest binds a single-use RelayState token to a request.
func (s *Store) TrackRequest(ctx context.Context, token, requestID, idpSlug, binding string, expires time.Time) error {
	if token == "" || requestID == "" || idpSlug == "" {
		return core.Errorf(core.EINVALID, "A tracked request needs a token, a request ID and an IdP.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.requests[token]; taken {
		return fmt.Errorf("track request %q for %q: the token is taken", requestID, idpSlug)
	}
	s.requests[token] = &request{requestID: requestID, idpSlug: idpSlug, binding: binding, expires: expires}
	if len(s.requests) > maxPending {
		s.trimPending()
	}
	return nil
}

// maxPending is how many sign-in requests the store keeps, as the SQLite
// store's MaxPendingRequests: beyond it the ones that expire first go.
const maxPending = 10_000

// trimPending drops the expired requests and replay entries, then the
// requests that expire first until maxPending are left.
func (s *Store) trimPending() {
	now := s.now()
	for id, exp := range s.replay {
		if !exp.After(now) {
			delete(s.replay, id)
		}
	}
	type pending struct {
		token   string
		expires time.Time
	}
	var all []pending
	for token, r := range s.requests {
		if !r.expires.After(now) {
			delete(s.requests, token)
			continue
		}
		all = append(all, pending{token, r.expires})
	}
	if len(all) <= maxPending {
		return
	}
	slices.SortFunc(all, func(a, b pending) int { return cmp.Or(a.expires.Compare(b.expires), cmp.Compare(a.token, b.token)) })
	for _, p := range all[:len(all)-maxPending] {
		delete(s.requests, p.token)
	}
}

// LookupRequest returns, without writing, the request bound to token.
func (s *Store) LookupRequest(ctx context.Context, token, idpSlug, binding string, now time.Time) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[token]
	switch {
	case !ok || r.idpSlug != idpSlug || !r.expires.After(now):
		return "", false, core.Errorf(core.ENOTFOUND,
			"The sign-in request is unknown, has expired, or was made for another identity provider.")
	case r.binding != binding:
		return "", false, core.Errorf(core.EFORBIDDEN, "The sign-in request was started in another browser.")
	}
	return r.requestID, r.uses > 0, nil
}

// AssertionSeen reports whether the replay cache holds id at now.
func (s *Store) AssertionSeen(ctx context.Context, id string, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.replay[id]
	return ok && exp.After(now), nil
}

// PendingRequest reports whether requestID is a tracked, unexpired request
// of idpSlug at now, and whether it was answered.
func (s *Store) PendingRequest(ctx context.Context, requestID, idpSlug string, now time.Time) (found, answered bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.requests {
		if r.requestID == requestID && r.idpSlug == idpSlug && r.expires.After(now) {
			found, answered = true, answered || r.uses > 0
		}
	}
	return found, answered, nil
}
