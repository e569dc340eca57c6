// The welcome page ("access granted") and its server-side sessions.

package core

import (
	"net/http"
	"sync"
	"time"
)

// Welcome sessions: the page a person lands on after the ACS accepted
// their login, behind an opaque random token in a cookie (cheaper than a
// signed JWT cookie on every login), good for a short while. A session
// keeps only what the page shows, and there are at most maxWelcomePages:
// under a sustained flood of logins the oldest pages go first, so memory
// (and the garbage collector's work) stays bounded whatever the load.
const (
	welcomeCookie   = "jitconsole_welcome"
	welcomeLifetime = 15 * time.Minute
	maxWelcomePages = 10_000
)

// welcomePage is what the welcome page shows of one accepted login.
type welcomePage struct {
	DisplayName, Username, Email, NameID string
	IdPName, LoginURL                    string
	Roles                                []string
	Created                              bool
	CreatedAt                            time.Time
	LoginCount                           int
	EventID                              int64
}

// welcomePageOf is the welcome page of an accepted login.
func welcomePageOf(res ProvisionResult, idpName, loginURL string) welcomePage {
	u := res.User
	roles := make([]string, 0, len(u.Roles))
	for _, g := range u.Roles {
		roles = append(roles, g.Role)
	}
	name := u.DisplayName
	if name == "" {
		name = u.Username
	}
	return welcomePage{
		DisplayName: name, Username: u.Username, Email: u.Email, NameID: u.NameID,
		IdPName: idpName, LoginURL: loginURL, Roles: roles,
		Created: res.Created, CreatedAt: u.CreatedAt, LoginCount: u.LoginCount, EventID: res.Event.ID,
	}
}

// welcomeSessions are the welcome pages by token, and their tokens in the
// order they were made (which is also the order they expire in).
type welcomeSessions struct {
	mu    sync.Mutex
	pages map[string]welcomeEntry
	order []string // oldest first; order[head:] are live
	head  int
}

type welcomeEntry struct {
	page    welcomePage
	expires time.Time
}

// put keeps p for welcomeLifetime from now and returns its token. It drops
// the expired pages, and the oldest ones past maxWelcomePages: O(1) per
// login on average.
func (ws *welcomeSessions) put(p welcomePage, now time.Time) string {
	token := randomToken()
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.pages == nil {
		ws.pages = map[string]welcomeEntry{}
	}
	for ws.head < len(ws.order) {
		oldest := ws.order[ws.head]
		if e, ok := ws.pages[oldest]; ok && !now.After(e.expires) && len(ws.pages) < maxWelcomePages {
			break
		}
		delete(ws.pages, oldest)
		ws.order[ws.head] = ""
		ws.head++
	}
	if ws.head > len(ws.order)/2 { // reuse the slice's front half
		ws.order = append(ws.order[:0], ws.order[ws.head:]...)
		ws.head = 0
	}
	ws.pages[token] = welcomeEntry{page: p, expires: now.Add(welcomeLifetime)}
	ws.order = append(ws.order, token)
	return token
}

// get returns the page of token while it is live.
func (ws *welcomeSessions) get(token string, now time.Time) (welcomePage, bool) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	e, ok := ws.pages[token]
	if !ok || now.After(e.expires) {
		return welcomePage{}, false
	}
	return e.page, true
}

func (s *spServer) serveWelcome(w http.ResponseWriter, r *http.Request) {
	cookie, err := r.Cookie(welcomeCookie)
	var page welcomePage
	ok := false
	if err == nil {
		page, ok = s.welcome.get(cookie.Value, s.c.clock.Now())
	}
	if !ok {
		s.renderError(w, http.StatusUnauthorized, "Not signed in",
			"This page shows your account after you sign in through an identity provider.", "Start again from the sign-in link.", 0)
		return
	}
	render(w, http.StatusOK, "welcome.html", map[string]any{
		"DisplayName": page.DisplayName, "Created": page.Created, "Roles": page.Roles,
		"Username": page.Username, "Email": page.Email, "NameID": page.NameID, "IdP": page.IdPName,
		"CreatedAt": page.CreatedAt.Local().Format("2006-01-02 15:04:05"), "LoginCount": page.LoginCount,
		"EventID": page.EventID, "LoginURL": page.LoginURL,
	})
}
