// Package memstore is a core.Store in memory: nothing outlives the
// process. It keeps the same contract as the SQLite store (the suite in
// storage/storetest proves it) and backs tests that are not about
// persistence — the UI's widget tests, say — where opening and migrating a
// database file for every test costs time and teaches nothing.
//
// One mutex serializes every method, as SQLite's single writer does; a
// method checks everything before it changes anything, so a refused call
// leaves the store as it was (the transaction's promise). What the login
// path writes is core.PlanLogin's plan, and the audit log's words are
// core's (core/auditwords.go), so the two stores cannot drift in policy or
// wording; they can only drift in bookkeeping, which the suite checks.
package memstore

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// Store is an in-memory core.Store. Its zero value is not usable: call New.
type Store struct {
	mu    sync.Mutex
	clock core.Clock

	idps       []core.IdP // in order of creation
	idpVersion int64

	users    map[int64]*account
	byKey    map[string][]int64 // accountKey → account IDs, ascending
	byEmail  map[string][]int64 // foldKey(email) → account IDs, ascending
	roles    map[string]string  // the catalogue: name → description
	logins   []*loginRow        // in order of insertion
	events   []*core.Event      // Count holds the stored count (1 for one)
	records  []*core.Recording  // Count as events; Raw as stored
	replay   map[string]time.Time
	requests map[string]*request
	personas []core.Persona
	settings map[string]string

	scimTokens map[string][]byte          // IdP slug → token hash
	scimUsers  map[int64]*core.SCIMRecord // account ID → its SCIM record

	lastID int64 // every row's ID comes from this one counter
}

var _ core.Store = (*Store)(nil)

// account is a user with its grants (auto: rule and default grants in
// evaluation order; manual ones in User.Roles order after them) and the
// attributes of its last assertion.
type account struct {
	core.User
	auto, manual []core.RoleGrant
	attrs        core.Attributes
}

// loginRow is a login with what compaction needs.
type loginRow struct {
	core.Login
	remoteIP string // compact refusals only
	count    int
}

// request is a tracked sign-in request.
type request struct {
	requestID, idpSlug, binding string
	expires                     time.Time
	uses                        int
}

// New returns an empty store on clock (the system clock when nil).
func New(clock core.Clock) *Store {
	if clock == nil {
		clock = core.SystemClock{}
	}
	return &Store{
		clock: clock, idpVersion: 1,
		users: map[int64]*account{}, byKey: map[string][]int64{}, byEmail: map[string][]int64{}, roles: map[string]string{},
		replay: map[string]time.Time{}, requests: map[string]*request{}, settings: map[string]string{},
	}
}

// Close does nothing; it is there for callers that close what they open.
func (s *Store) Close() error { return nil }

// now is the clock's time in UTC.
func (s *Store) now() time.Time { return s.clock.Now().UTC() }

// nextID is a new row ID.
func (s *Store) nextID() int64 {
	s.lastID++
	return s.lastID
}

// foldKey is how account keys and emails compare case-insensitively.
func foldKey(v string) string { return strings.ToLower(v) }

// repeated is a stored count as the core types show it: 0 for one.
func repeated(n int) int {
	if n <= 1 {
		return 0
	}
	return n
}

// user is a's user with its grants in display order, copied.
func (a *account) user() core.User {
	u := a.User
	u.Roles = append(slices.Clone(a.auto), a.manual...)
	u.Warnings = slices.Clone(a.Warnings)
	if u.ProvisionedBy == "" {
		u.ProvisionedBy = core.ProvisionedByJIT
	}
	return u
}

// searchText is what ListUsers searches, as the SQLite store indexes it.
func (a *account) searchText() string {
	return strings.ToLower(strings.Join([]string{a.Username, a.DisplayName, a.Email, a.NameID}, "\n"))
}

// cloneAttributes is a deep copy of attrs.
func cloneAttributes(attrs core.Attributes) core.Attributes {
	out := make(core.Attributes, len(attrs))
	for k, v := range attrs {
		if len(v) > 0 {
			out[k] = slices.Clone(v)
		}
	}
	return out
}

// addEvent stores e with a new ID and returns it as stored.
func (s *Store) addEvent(e core.Event) core.Event {
	e.ID, e.Count = s.nextID(), max(e.Count, 1)
	e.At = e.At.UTC()
	stored := e
	s.events = append(s.events, &stored)
	e.Count = repeated(e.Count)
	return e
}

// stamp is ev at the clock's now.
func (s *Store) stamp(ev core.Event) core.Event {
	ev.At = s.now()
	return ev
}

// accountKey is the index key of an account of idpSlug with nameID,
// whatever the NameID's case.
func accountKey(idpSlug, nameID string) string { return idpSlug + "\x00" + foldKey(nameID) }

// index enters a in byKey and byEmail; unindex takes it out. An account
// is taken out before its IdP, NameID or email change, and entered again
// after.
func (s *Store) index(a *account) {
	add := func(m map[string][]int64, k string) {
		ids := m[k]
		if i, found := slices.BinarySearch(ids, a.ID); !found {
			m[k] = slices.Insert(ids, i, a.ID)
		}
	}
	add(s.byKey, accountKey(a.IdPSlug, a.NameID))
	if a.Email != "" {
		add(s.byEmail, foldKey(a.Email))
	}
}

func (s *Store) unindex(a *account) {
	del := func(m map[string][]int64, k string) {
		if ids := slices.DeleteFunc(m[k], func(id int64) bool { return id == a.ID }); len(ids) > 0 {
			m[k] = ids
		} else {
			delete(m, k)
		}
	}
	del(s.byKey, accountKey(a.IdPSlug, a.NameID))
	if a.Email != "" {
		del(s.byEmail, foldKey(a.Email))
	}
}
