package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// scimClient talks SCIM to one IdP's base URL with a bearer token.
type scimClient struct {
	t     *testing.T
	base  string
	token string
}

func newSCIMClient(t *testing.T, tc *testConsole, slug string) scimClient {
	t.Helper()
	token, err := tc.NewSCIMToken(context.Background(), slug)
	if err != nil {
		t.Fatalf("make SCIM token: %v", err)
	}
	return scimClient{t: t, base: tc.addr() + "/scim/" + slug + "/v2", token: token}
}

// do sends a request with body (JSON unless a string or []byte) and
// returns the status and the decoded JSON answer (nil when empty).
func (c scimClient) do(method, path string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/scim+json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			c.t.Fatalf("%s %s: HTTP %d, not JSON: %q", method, path, resp.StatusCode, data)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/scim+json" {
			c.t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return resp.StatusCode, out
}

// wantSCIMError fails unless body is an RFC 7644 error with status and
// (when not empty) scimType.
func wantSCIMError(t *testing.T, what string, status int, body map[string]any, wantStatus int, scimType string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("%s: HTTP %d (%v), want %d", what, status, body, wantStatus)
	}
	schemas, _ := body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" ||
		body["status"] != strconv.Itoa(wantStatus) || (scimType != "" && body["scimType"] != scimType) {
		t.Fatalf("%s: error body %v, want status %d scimType %q", what, body, wantStatus, scimType)
	}
}

// scimSequence is a fixture of testdata/scim.
type scimSequence struct {
	Source string `json:"source"`
	Steps  []struct {
		Name     string          `json:"name"`
		Method   string          `json:"method"`
		Path     string          `json:"path"`
		Body     json.RawMessage `json:"body"`
		Status   int             `json:"status"`
		ScimType string          `json:"scimType"`
		Expect   map[string]any  `json:"expect"`
	} `json:"steps"`
}

// TestSCIMVendorSequences replays the request sequences Entra ID and Okta
// document (testdata/scim) against a console, quirks included.
func TestSCIMVendorSequences(t *testing.T) {
	for _, vendor := range []string{"entra", "okta"} {
		t.Run(vendor, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "testdata", "scim", vendor+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var seq scimSequence
			if err := json.Unmarshal(raw, &seq); err != nil {
				t.Fatalf("%s.json: %v", vendor, err)
			}
			if seq.Source == "" {
				t.Fatalf("%s.json names no documentation", vendor)
			}
			tc := startConsole(t, t.TempDir(), "")
			c := newSCIMClient(t, tc, core.DemoSlug)
			id := ""
			for _, step := range seq.Steps {
				path := strings.ReplaceAll(step.Path, "{id}", id)
				var body any
				if len(step.Body) > 0 {
					body = bytes.ReplaceAll(step.Body, []byte("{id}"), []byte(id))
				}
				status, got := c.do(step.Method, path, body)
				if step.ScimType != "" {
					wantSCIMError(t, step.Name, status, got, step.Status, step.ScimType)
					continue
				}
				if status != step.Status {
					t.Fatalf("%s: %s %s: HTTP %d (%v), want %d", step.Name, step.Method, path, status, got, step.Status)
				}
				for k, want := range step.Expect {
					if !reflect.DeepEqual(got[k], want) {
						t.Errorf("%s: %s is %#v, want %#v", step.Name, k, got[k], want)
					}
				}
				if _, ok := got["password"]; ok {
					t.Errorf("%s: the answer has a password", step.Name)
				}
				if step.Method == http.MethodPost && status == http.StatusCreated {
					id, _ = got["id"].(string)
				}
			}
		})
	}
}

// TestSCIMPreProvisionedThenSAMLIsOneAccount: SCIM creates the person
// before they sign in; the real signed SAML sign-in through the ACS then
// lands on that account. SCIM's active "False" refuses the next sign-in,
// an admin's disable wins over SCIM's active true, and DELETE keeps the
// account, disabled.
func TestSCIMPreProvisionedThenSAMLIsOneAccount(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	c := newSCIMClient(t, tc, "partner")
	status, created := c.do("POST", "/Users", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "pat@partner.example",
		"name": map[string]any{"givenName": "Pat", "familyName": "Partner"}, "active": true})
	if status != http.StatusCreated {
		t.Fatalf("create: HTTP %d %v", status, created)
	}
	id, _ := created["id"].(string)
	before := users(t, tc)
	if len(before) != 1 || before[0].LoginCount != 0 || before[0].NameID != "pat@partner.example" {
		t.Fatalf("accounts after SCIM create: %+v", before)
	}
	if status, page := idp.login(t); status != http.StatusOK {
		t.Fatalf("sign-in: HTTP %d %s", status, page)
	}
	after := users(t, tc)
	if len(after) != 1 || after[0].ID != before[0].ID || after[0].LoginCount != 1 || after[0].DisplayName != "Pat Partner" {
		t.Fatalf("accounts after the sign-in: %+v, want the SCIM account %d signed in once", after, before[0].ID)
	}

	status, got := c.do("PATCH", "/Users/"+id, map[string]any{"Operations": []any{
		map[string]any{"op": "Replace", "path": "active", "value": "False"}}})
	if status != http.StatusOK || got["active"] != false {
		t.Fatalf("deactivate: HTTP %d %v", status, got)
	}
	if status, _ := idp.login(t); status != http.StatusForbidden {
		t.Fatalf("a deactivated account's sign-in: HTTP %d, want 403", status)
	}
	if ev := lastRefusal(t, tc); ev.Class != core.ClassUserDisabled {
		t.Fatalf("refusal class %q, want %q", ev.Class, core.ClassUserDisabled)
	}

	c.do("PATCH", "/Users/"+id, map[string]any{"Operations": []any{map[string]any{"op": "replace", "path": "active", "value": true}}})
	if u := users(t, tc)[0]; u.Disabled {
		t.Fatal("SCIM active true did not enable the account SCIM disabled")
	}
	if _, err := tc.SetUsersDisabled(context.Background(), []int64{before[0].ID}, true); err != nil {
		t.Fatal(err)
	}
	status, got = c.do("PATCH", "/Users/"+id, map[string]any{"Operations": []any{map[string]any{"op": "Replace", "path": "active", "value": "True"}}})
	if status != http.StatusOK {
		t.Fatalf("activate: HTTP %d %v", status, got)
	}
	if u := users(t, tc)[0]; !u.Disabled {
		t.Fatal("SCIM active true enabled an account an admin disabled")
	}
	if ev := lastEventOf(t, tc, core.EventSCIM); !strings.Contains(ev.Message, "an admin disabled the account") {
		t.Fatalf("SCIM event %q does not say the admin's disable wins", ev.Message)
	}

	if status, _ := c.do("DELETE", "/Users/"+id, nil); status != http.StatusNoContent {
		t.Fatalf("delete: HTTP %d", status)
	}
	if kept := users(t, tc); len(kept) != 1 || !kept[0].Disabled {
		t.Fatalf("accounts after SCIM delete: %+v, want the account kept, disabled", kept)
	}
	audit, err := tc.AuditLog(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) == 0 || audit[0].Kind != core.EventSCIMDeprovisioned || !strings.Contains(audit[0].Message, "deprovisioned") {
		t.Fatalf("the audit log after SCIM delete: %+v", audit)
	}
	if status, _ := idp.login(t); status != http.StatusForbidden {
		t.Fatalf("a deprovisioned account's sign-in: HTTP %d, want 403", status)
	}
}

// lockedBuffer is a log sink safe for the listener's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSCIMTokenAuth: no token and a wrong one get 401 with an error body
// and one coalesced event; rotation retires the old token; the token
// never reaches the log or the database files in clear.
func TestSCIMTokenAuth(t *testing.T) {
	var logs lockedBuffer
	dir := t.TempDir()
	tc := startConsoleWith(t, dir, func(o *core.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	good := newSCIMClient(t, tc, core.DemoSlug)
	if !strings.HasPrefix(good.token, core.SCIMTokenPrefix) || len(good.token) != len(core.SCIMTokenPrefix)+43 {
		t.Fatalf("token %q: want the prefix and 32 random bytes in base64url", good.token)
	}
	if status, _ := good.do("GET", "/Users", nil); status != http.StatusOK {
		t.Fatalf("the right token: HTTP %d", status)
	}
	for _, bad := range []scimClient{{t: t, base: tc.addr() + "/scim/nosuchidp/v2", token: good.token},
		{t: t, base: tc.addr() + "/scim/other/v2", token: good.token},
		{t: t, base: good.base}, {t: t, base: good.base, token: good.token + "x"}} {
		status, body := bad.do("GET", "/Users", nil)
		wantSCIMError(t, "token "+bad.token, status, body, http.StatusUnauthorized, "")
	}
	refused, err := tc.DB.ListEvents(context.Background(), core.EventFilter{Kinds: []core.EventKind{core.EventSCIMRefused}})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range refused {
		counts[e.IdPSlug] = max(e.Count, 1)
	}
	if len(refused) != 2 || counts[core.DemoSlug] != 2 || counts[""] != 2 {
		t.Fatalf("refusal events %+v, want one counting both refusals of the demo IdP and one both unknown IdPs", refused)
	}

	rotated := newSCIMClient(t, tc, core.DemoSlug)
	if status, _ := good.do("GET", "/Users", nil); status != http.StatusUnauthorized {
		t.Fatalf("the rotated-out token: HTTP %d, want 401", status)
	}
	if status, _ := rotated.do("POST", "/Users", map[string]any{"userName": "ann@example.com"}); status != http.StatusCreated {
		t.Fatalf("the new token: HTTP %d", status)
	}
	tc.close()
	for _, tok := range []string{good.token, rotated.token} {
		if strings.Contains(logs.String(), tok) || strings.Contains(logs.String(), strings.TrimPrefix(tok, core.SCIMTokenPrefix)) {
			t.Errorf("the log holds a token in clear")
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if bytes.Contains(data, []byte(tok)) || bytes.Contains(data, []byte(strings.TrimPrefix(tok, core.SCIMTokenPrefix))) {
				t.Errorf("%s holds a token in clear", filepath.Base(f))
			}
		}
	}
	if !strings.Contains(logs.String(), "SCIM request") || !strings.Contains(logs.String(), "SCIM refused") {
		t.Errorf("the console logged nothing: the log check proves nothing: %q", logs.String())
	}
}

// TestSCIMErrors: each error a request can cause has its status, scimType
// and RFC 7644 body.
func TestSCIMErrors(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	c := newSCIMClient(t, tc, core.DemoSlug)
	if status, _ := c.do("POST", "/Users", map[string]any{"userName": "ann@example.com", "emails": []any{map[string]any{"value": "ann@example.com"}}}); status != http.StatusCreated {
		t.Fatalf("create: HTTP %d", status)
	}
	for _, tt := range []struct {
		name, method, path string
		body               any
		status             int
		scimType           string
	}{
		{"a filter that does not parse", "GET", "/Users?filter=userName+eq", nil, 400, "invalidFilter"},
		{"an unsupported filter", "GET", "/Users?filter=userName+sw+%22a%22", nil, 400, "invalidFilter"},
		{"or", "GET", "/Users?filter=userName+eq+%22a%22+or+userName+eq+%22b%22", nil, 400, "invalidFilter"},
		{"a userName taken, any case", "POST", "/Users", map[string]any{"userName": "ANN@example.com"}, 409, "uniqueness"},
		{"no userName", "POST", "/Users", map[string]any{"displayName": "x"}, 400, "invalidValue"},
		{"not JSON", "POST", "/Users", "{", 400, "invalidSyntax"},
		{"active not a boolean", "POST", "/Users", map[string]any{"userName": "b", "active": "maybe"}, 400, "invalidValue"},
		{"too large", "POST", "/Users", `{"userName":"` + strings.Repeat("a", core.MaxSCIMBody) + `"}`, 413, ""},
		{"an unknown user", "GET", "/Users/nobody", nil, 404, ""},
		{"an unknown PATCH op", "PATCH", "/Users/nobody", nil, 404, ""},
		{"an unknown endpoint", "GET", "/Devices", nil, 404, ""},
		{"a method not allowed", "DELETE", "/Users", nil, 405, ""},
	} {
		status, body := c.do(tt.method, tt.path, tt.body)
		wantSCIMError(t, tt.name, status, body, tt.status, tt.scimType)
	}
	_, list := c.do("GET", "/Users?filter=emails.value+eq+%22ANN@example.com%22+and+userName+eq+%22ann@example.com%22", nil)
	if list["totalResults"] != float64(1) {
		t.Errorf("emails.value and userName filter: %v", list)
	}
	_, list = c.do("GET", `/Users?filter=emails%5Bvalue+eq+%22ann@example.com%22%5D`, nil)
	if list["totalResults"] != float64(1) {
		t.Errorf("emails[value eq] filter: %v", list)
	}
	_, list = c.do("GET", "/Users", nil)
	users, _ := list["Resources"].([]any)
	id, _ := users[0].(map[string]any)["id"].(string)
	status, body := c.do("PATCH", "/Users/"+id, map[string]any{"Operations": []any{map[string]any{"op": "Move", "path": "active"}}})
	wantSCIMError(t, "an unknown PATCH op", status, body, 400, "invalidSyntax")
	status, body = c.do("PATCH", "/Users/"+id, map[string]any{"Operations": []any{map[string]any{"op": "replace", "path": "emails[", "value": "x"}}})
	wantSCIMError(t, "a PATCH path that does not parse", status, body, 400, "invalidPath")
}

// TestSCIMPaging: startIndex and count page the list; totalResults counts
// them all.
func TestSCIMPaging(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	c := newSCIMClient(t, tc, core.DemoSlug)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		if status, _ := c.do("POST", "/Users", map[string]any{"userName": n}); status != http.StatusCreated {
			t.Fatalf("create %s: HTTP %d", n, status)
		}
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"?startIndex=2&count=2", []string{"b", "c"}},
		{"?startIndex=4", []string{"d", "e"}},
		{"?startIndex=0&count=1", []string{"a"}},
		{"?count=0", nil},
		{"?startIndex=9", nil},
	} {
		_, list := c.do("GET", "/Users"+tt.query, nil)
		var names []string
		res, _ := list["Resources"].([]any)
		for _, r := range res {
			names = append(names, r.(map[string]any)["userName"].(string))
		}
		if !reflect.DeepEqual(names, tt.want) || list["totalResults"] != float64(5) || list["itemsPerPage"] != float64(len(tt.want)) {
			t.Errorf("%s: %v (total %v, per page %v), want %v of 5", tt.query, names, list["totalResults"], list["itemsPerPage"], tt.want)
		}
	}
}

// TestSCIMDiscovery: ServiceProviderConfig, ResourceTypes and Schemas
// answer with what the provider supports.
func TestSCIMDiscovery(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	c := newSCIMClient(t, tc, core.DemoSlug)
	for path, check := range map[string]func(map[string]any) bool{
		"/ServiceProviderConfig": func(m map[string]any) bool { return m["patch"].(map[string]any)["supported"] == true },
		"/ResourceTypes":         func(m map[string]any) bool { return m["totalResults"] == float64(1) },
		"/ResourceTypes/User":    func(m map[string]any) bool { return m["endpoint"] == "/Users" },
		"/Schemas":               func(m map[string]any) bool { return m["totalResults"] == float64(2) },
		"/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": func(m map[string]any) bool { return m["name"] == "EnterpriseUser" },
		"/Schemas/urn:ietf:params:scim:schemas:core:2.0:User":                 func(m map[string]any) bool { return m["name"] == "User" },
	} {
		status, body := c.do("GET", path, nil)
		if status != http.StatusOK || !check(body) {
			t.Errorf("%s: HTTP %d %v", path, status, body)
		}
	}
}

// TestSCIMAccountKeySetting: with the IdP's SCIM account key set to
// externalId, the SAML sign-in whose NameID is the externalId lands on
// the SCIM account, whatever its userName.
func TestSCIMAccountKeySetting(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	idp := startTestIdP(t, tc, "partner")
	importTestIdP(t, tc, idp)
	ctx := context.Background()
	if err := tc.SetSCIMAccountKey(ctx, "partner", "upn"); core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("an unknown account key field: %v, want EINVALID", err)
	}
	if err := tc.SetSCIMAccountKey(ctx, "partner", "externalId"); err != nil {
		t.Fatal(err)
	}
	c := newSCIMClient(t, tc, "partner")
	status, body := c.do("POST", "/Users", map[string]any{"userName": "pat.partner@upn.example", "externalId": "pat@partner.example"})
	if status != http.StatusCreated {
		t.Fatalf("create: HTTP %d %v", status, body)
	}
	status, body = c.do("POST", "/Users", map[string]any{"userName": "no.key@upn.example"})
	wantSCIMError(t, "no externalId", status, body, http.StatusBadRequest, "invalidValue")
	if status, page := idp.login(t); status != http.StatusOK {
		t.Fatalf("sign-in: HTTP %d %s", status, page)
	}
	if us := users(t, tc); len(us) != 1 || us[0].LoginCount != 1 || us[0].NameID != "pat@partner.example" {
		t.Fatalf("accounts: %+v, want the SCIM account signed in once", us)
	}
}

// TestSCIMConcurrentCreates: many creates of one userName at once make
// one account; the others get 409 uniqueness.
func TestSCIMConcurrentCreates(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	c := newSCIMClient(t, tc, core.DemoSlug)
	statuses := make([]int, 8)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i], _ = c.do("POST", "/Users", map[string]any{"userName": "same@example.com"})
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Errorf("a concurrent create: HTTP %d", s)
		}
	}
	if us := users(t, tc); created != 1 || len(us) != 1 {
		t.Fatalf("%d creates succeeded, %d accounts; want one of each", created, len(us))
	}
}
