package core_test

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/storage"
	"github.com/jitconsole/jitconsole/storage/memstore"
)

// testConsole is a console over a real SQLite file and a file key store,
// serving on a real listener on 127.0.0.1.
type testConsole struct {
	*core.Console
	DB   *storage.DB
	Dir  string
	Base string
}

// startConsole opens a console in dir on a free loopback port. baseURL may
// be empty (derived from the port).
func startConsole(t *testing.T, dir, baseURL string) *testConsole {
	t.Helper()
	return startConsoleWith(t, dir, func(o *core.Options) { o.BaseURL = baseURL })
}

// startConsoleWith is startConsole with options changed by edit.
func startConsoleWith(t *testing.T, dir string, edit func(*core.Options)) *testConsole {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	opts := core.Options{Store: db, Keys: storage.NewFileKeyStore(dir), ListenAddr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	edit(&opts)
	c, err := core.New(ctx, opts)
	if err != nil {
		db.Close()
		t.Fatalf("new console: %v", err)
	}
	if err := c.Start(); err != nil {
		db.Close()
		t.Fatalf("start console: %v", err)
	}
	tc := &testConsole{Console: c, DB: db, Dir: dir, Base: c.BaseURL()}
	t.Cleanup(tc.close)
	return tc
}

// startMemConsole is a started console (listener on 127.0.0.1, demo IdP
// registered) over an in-memory store (storage/memstore, which keeps the
// SQLite store's contract), for tests of what core computes rather than of
// the database.
func startMemConsole(t *testing.T) (*core.Console, *memstore.Store) {
	t.Helper()
	dir := t.TempDir()
	store := memstore.New(nil)
	c, err := core.New(context.Background(), core.Options{Store: store, Keys: storage.NewFileKeyStore(dir),
		ListenAddr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("new console: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Start(); err != nil {
		t.Fatalf("start console: %v", err)
	}
	return c, store
}

func (tc *testConsole) close() {
	tc.Console.Close()
	tc.DB.Close()
}

// addr is the URL of the listener itself (which may differ from Base).
func (tc *testConsole) addr() string { return "http://" + tc.Listener().Addr }

// newClient is a browser-like client: its jar sends the Secure
// login-binding cookie back over http to loopback, as browsers do.
func newClient() *http.Client {
	return &http.Client{Jar: core.NewBrowserJar(), Timeout: 30 * time.Second}
}

// captured is a signed response the demo IdP made, not yet posted.
type captured struct {
	ACS    string
	Form   url.Values
	Client *http.Client
}

func capture(t *testing.T, tc *testConsole, persona string) captured {
	t.Helper()
	client := newClient()
	acs, form, err := core.DemoResponse(context.Background(), client, tc.Base, url.Values{"persona": {persona}})
	if err != nil {
		t.Fatalf("demo response for %s: %v", persona, err)
	}
	return captured{ACS: acs, Form: form, Client: client}
}

func (c captured) xml(t *testing.T) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(c.Form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (c captured) withXML(xml string) captured {
	form := url.Values{}
	for k, v := range c.Form {
		form[k] = v
	}
	form.Set("SAMLResponse", base64.StdEncoding.EncodeToString([]byte(xml)))
	return captured{ACS: c.ACS, Form: form, Client: c.Client}
}

// post sends the form to url (the ACS unless overridden) and returns the
// status and page.
func (c captured) post(t *testing.T, to string) (int, string) {
	t.Helper()
	if to == "" {
		to = c.ACS
	}
	resp, err := c.Client.PostForm(to, c.Form)
	if err != nil {
		t.Fatalf("post to ACS: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func users(t *testing.T, tc *testConsole) []core.User {
	t.Helper()
	us, err := tc.Users(context.Background(), core.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return us
}

// lastRefusal returns the newest refused login event.
func lastRefusal(t *testing.T, tc *testConsole) core.Event {
	t.Helper()
	evs, err := tc.RecentEvents(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.Kind == core.EventLoginRefused {
			return e
		}
	}
	t.Fatal("no refusal event recorded")
	return core.Event{}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// startConsoleB is startConsole for benchmarks.
func startConsoleB(b *testing.B) *testConsole {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	db, err := storage.Open(ctx, storage.DBPath(dir))
	if err != nil {
		b.Fatal(err)
	}
	c, err := core.New(ctx, core.Options{Store: db, Keys: storage.NewFileKeyStore(dir), ListenAddr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Start(); err != nil {
		b.Fatal(err)
	}
	tc := &testConsole{Console: c, DB: db, Dir: dir, Base: c.BaseURL()}
	b.Cleanup(tc.close)
	return tc
}

func fmtHire(i int) core.Persona {
	return core.GenerateHires(1, uint64(i)+1)[0]
}

// demoResponseForHire is DemoResponse for a generated new hire.
func demoResponseForHire(ctx context.Context, client *http.Client, tc *testConsole, p core.Persona) (string, url.Values, error) {
	return core.DemoHireResponse(ctx, client, tc.Base, tc.HireSecret(), p)
}
