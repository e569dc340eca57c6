package core_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

var (
	pickerActionRe = regexp.MustCompile(`<form[^>]*\saction="([^"]*)"`)
	pickerInputRe  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// pickerPage starts an SP-initiated login with client and returns the
// demo IdP's picker form: its action and hidden fields.
func pickerPage(t *testing.T, client *http.Client, base string) (string, url.Values) {
	t.Helper()
	resp, err := client.Get(base + "/saml/demo/login")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	m := pickerActionRe.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("the picker page: HTTP %d\n%s", resp.StatusCode, page)
	}
	fields := url.Values{}
	for _, in := range pickerInputRe.FindAllStringSubmatch(page, -1) {
		fields.Set(in[1], html.UnescapeString(in[2]))
	}
	if fields.Get("SAMLRequest") == "" || fields.Get("token") == "" {
		t.Fatalf("the picker page has no SAMLRequest or token:\n%s", page)
	}
	return html.UnescapeString(m[1]), fields
}

// postForm posts form to u and returns the status and the page.
func postForm(t *testing.T, client *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := client.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func hireField(p core.Persona) string {
	b, _ := json.Marshal(p)
	return base64.StdEncoding.EncodeToString(b)
}

func requestXML(t *testing.T, fields url.Values) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(fields.Get("SAMLRequest"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDemoIdPSignsOnlyWhatTheConsoleAsksFor posts to the demo IdP over a
// real listener as an attacker would: hires without the console's HMAC or
// with a wrong one, persona picks without the picker page's token or with
// another sign-in's. Each is refused with a 403 page and signs nothing;
// the console's own hire and the page's own form still sign in.
func TestDemoIdPSignsOnlyWhatTheConsoleAsksFor(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	client := newClient()
	admin := core.Persona{ID: "mallory", NameIDFormat: "email", Email: "mallory@example.com",
		Username: "mallory", DisplayName: "Mallory", Groups: []string{"Admins"}}
	hire := hireField(admin)
	other, err := core.NewHireSecret()
	if err != nil {
		t.Fatal(err)
	}
	_, otherPage := pickerPage(t, client, tc.Base)

	cases := []struct {
		name   string
		fields func(page url.Values) url.Values
	}{
		{"hire without a MAC", func(page url.Values) url.Values {
			return url.Values{"SAMLRequest": page["SAMLRequest"], "RelayState": page["RelayState"], "hire": {hire}}
		}},
		{"hire with the picker's token but no MAC", func(page url.Values) url.Values {
			page.Set("hire", hire)
			return page
		}},
		{"hire with a MAC of another secret", func(page url.Values) url.Values {
			page.Set("hire", hire)
			page.Set("hire_mac", other.HireMAC(requestXML(t, page), hire))
			return page
		}},
		{"hire with the console's MAC of another sign-in", func(page url.Values) url.Values {
			page.Set("hire", hire)
			page.Set("hire_mac", tc.HireSecret().HireMAC(requestXML(t, otherPage), hire))
			return page
		}},
		{"hire with the console's MAC of another hire", func(page url.Values) url.Values {
			page.Set("hire", hire)
			page.Set("hire_mac", tc.HireSecret().HireMAC(requestXML(t, page), hireField(fmtHire(1))))
			return page
		}},
		{"persona without the token", func(page url.Values) url.Values {
			page.Del("token")
			page.Set("persona", "alice")
			return page
		}},
		{"persona with a wrong token", func(page url.Values) url.Values {
			page.Set("token", "AAAA"+page.Get("token")[4:])
			page.Set("persona", "alice")
			return page
		}},
		{"persona with another sign-in's token", func(page url.Values) url.Values {
			page.Set("token", otherPage.Get("token"))
			page.Set("persona", "alice")
			return page
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			action, page := pickerPage(t, client, tc.Base)
			status, body := postForm(t, client, action, c.fields(page))
			if status != http.StatusForbidden || !strings.Contains(body, "signs nothing") {
				t.Errorf("HTTP %d, want 403 with the refusal page:\n%s", status, body)
			}
			if strings.Contains(body, "SAMLResponse") {
				t.Errorf("the refusal carries a SAMLResponse:\n%s", body)
			}
		})
	}

	// A GET naming a persona shows the picker and signs nothing.
	action, page := pickerPage(t, client, tc.Base)
	q := url.Values{"SAMLRequest": page["SAMLRequest"], "RelayState": page["RelayState"],
		"persona": {"alice"}, "token": page["token"], "hire": {hire}}
	resp, err := client.Get(action + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "SAMLResponse") {
		t.Errorf("a GET with ?persona= got a signed response: HTTP %d\n%s", resp.StatusCode, body)
	}
	if us := users(t, tc); len(us) != 0 {
		t.Fatalf("refused posts created accounts: %+v", us)
	}

	// The console's own requests still sign in: the page's own form, and a
	// new hire with the console's secret.
	if err := core.DemoLoginAs(context.Background(), nil, tc.Base, "alice"); err != nil {
		t.Fatalf("persona from the picker's own form: %v", err)
	}
	if err := core.DemoLogin(context.Background(), nil, tc.Base, tc.HireSecret(), fmtHire(7)); err != nil {
		t.Fatalf("hire with the console's secret: %v", err)
	}
	if us := users(t, tc); len(us) != 2 {
		t.Fatalf("accounts after the two good sign-ins: %+v", us)
	}
	// A hire from a simulator without this console's secret fails, with
	// the demo IdP's reason.
	err = core.DemoLogin(context.Background(), nil, tc.Base, other, fmtHire(8))
	if err == nil || !strings.Contains(err.Error(), "not signed with this console's secret") {
		t.Fatalf("hire with another secret: %v", err)
	}
}

func httpStatus(t *testing.T, client *http.Client, method, u string) int {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestDemoIdPSwitchedOff switches the demo IdP off in the stored setting:
// its routes answer 404, the demo connection refuses sign-ins (also a
// response signed while it was on), the simulator says why, and the
// accounts it made stay. Switched on again, it signs in.
func TestDemoIdPSwitchedOff(t *testing.T) {
	ctx := context.Background()
	tc := startConsole(t, t.TempDir(), "")
	if err := core.DemoLoginAs(ctx, nil, tc.Base, "alice"); err != nil {
		t.Fatal(err)
	}
	signed := capture(t, tc, "bob")

	st, err := tc.SetDemoIdPEnabled(ctx, false)
	if err != nil || st.On || st.Stored || st.Overridden {
		t.Fatalf("switch off: %+v, %v", st, err)
	}
	client := newClient()
	for _, r := range []struct{ method, path string }{
		{"GET", "/demo-idp/metadata"}, {"GET", "/demo-idp/sso"}, {"POST", "/demo-idp/sso"},
	} {
		if got := httpStatus(t, client, r.method, tc.Base+r.path); got != http.StatusNotFound {
			t.Errorf("%s %s: HTTP %d, want 404", r.method, r.path, got)
		}
	}
	if got := httpStatus(t, client, "GET", tc.Base+"/saml/demo/login"); got != http.StatusForbidden {
		t.Errorf("GET /saml/demo/login: HTTP %d, want 403", got)
	}
	if resp, err := client.Get(tc.Base + "/"); err != nil {
		t.Fatal(err)
	} else {
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(page), "/saml/demo/login") {
			t.Errorf("the landing page offers the demo IdP while it is off:\n%s", page)
		}
	}
	if code, page := signed.post(t, ""); code != http.StatusForbidden {
		t.Errorf("a response signed before the switch: HTTP %d\n%s", code, page)
	}
	if got := refusalClass(t, tc, lastRefusal(t, tc)); got != core.ClassIdPDisabled {
		t.Errorf("refusal class %q, want %q", got, core.ClassIdPDisabled)
	}
	if _, err := tc.SimulateOnboarding(ctx, 1, 1, nil); core.ErrorCode(err) != core.EUNAVAILABLE ||
		!strings.Contains(core.ErrorMessage(err), "switched off in Settings") {
		t.Errorf("simulate while off: %v", err)
	}
	if us := users(t, tc); len(us) != 1 || us[0].Username != "alice" {
		t.Errorf("accounts while off: %+v", us)
	}
	if e := lastEventOf(t, tc, core.EventAdminChange); !strings.Contains(e.Message, "Demo IdP switched off") {
		t.Errorf("audit event: %+v", e)
	}

	if st, err := tc.SetDemoIdPEnabled(ctx, true); err != nil || !st.On {
		t.Fatalf("switch on: %+v, %v", st, err)
	}
	if err := core.DemoLoginAs(ctx, nil, tc.Base, "bob"); err != nil {
		t.Fatalf("sign in after switching on: %v", err)
	}
}

// TestDemoIdPFlagBeatsSettingForOneProcess starts a console with
// --no-demo-idp's override over a stored "on", then one with --demo-idp's
// over a stored "off": each process follows its flag, Settings' switch
// cannot undo it, and the stored setting is what Settings last saved.
func TestDemoIdPFlagBeatsSettingForOneProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	client := newClient()

	off := startConsoleWith(t, dir, func(o *core.Options) { o.DemoIdP = core.DemoForceOff })
	st := off.DemoIdP(ctx)
	if st.On || !st.Stored || !st.Overridden || !strings.Contains(st.Reason, "--no-demo-idp") {
		t.Fatalf("--no-demo-idp: %+v", st)
	}
	if got := httpStatus(t, client, "GET", off.Base+"/demo-idp/metadata"); got != http.StatusNotFound {
		t.Fatalf("metadata with --no-demo-idp: HTTP %d", got)
	}
	if st, err := off.SetDemoIdPEnabled(ctx, true); err != nil || st.On {
		t.Fatalf("Settings switched the demo IdP on over --no-demo-idp: %+v, %v", st, err)
	}
	if st, err := off.SetDemoIdPEnabled(ctx, false); err != nil || st.Stored {
		t.Fatalf("switch off in Settings: %+v, %v", st, err)
	}
	off.close()

	on := startConsoleWith(t, dir, func(o *core.Options) { o.DemoIdP = core.DemoForceOn })
	if st := on.DemoIdP(ctx); !st.On || st.Stored {
		t.Fatalf("--demo-idp over a stored off: %+v", st)
	}
	if err := core.DemoLoginAs(ctx, nil, on.Base, "alice"); err != nil {
		t.Fatalf("sign in with --demo-idp: %v", err)
	}
	on.close()

	plain := startConsole(t, dir, "")
	if st := plain.DemoIdP(ctx); st.On || st.Stored || st.Overridden {
		t.Fatalf("without a flag, the stored off decides: %+v", st)
	}
}

func TestDecideDemoIdP(t *testing.T) {
	cases := []struct {
		listen     string
		flag       core.DemoOverride
		stored     bool
		on         bool
		overridden bool
		warning    string // a substring; "" means no warning
	}{
		{"127.0.0.1:8080", core.DemoFromSetting, true, true, false, ""},
		{"127.0.0.1:8080", core.DemoFromSetting, false, false, false, ""},
		{"localhost:8080", core.DemoFromSetting, true, true, false, ""},
		{"[::1]:8080", core.DemoFromSetting, true, true, false, ""},
		{"127.1.2.3:0", core.DemoFromSetting, true, true, false, ""},
		{"127.0.0.1:8080", core.DemoForceOff, true, false, true, ""},
		{"127.0.0.1:8080", core.DemoForceOn, false, true, true, ""},
		{"0.0.0.0:8080", core.DemoFromSetting, true, false, true, "Pass --demo-idp"},
		{":8080", core.DemoFromSetting, true, false, true, "Pass --demo-idp"},
		{"[::]:8080", core.DemoFromSetting, true, false, true, "Pass --demo-idp"},
		{"198.51.100.20:8080", core.DemoFromSetting, true, false, true, "Pass --demo-idp"},
		{"console.example.com:8080", core.DemoFromSetting, true, false, true, "Pass --demo-idp"},
		{"0.0.0.0:8080", core.DemoForceOn, false, true, true, "anyone who can reach 0.0.0.0:8080 can sign in as any persona"},
		{"203.0.113.5:443", core.DemoForceOn, true, true, true, "anyone who can reach 203.0.113.5:443"},
		{"0.0.0.0:8080", core.DemoForceOff, true, false, true, ""},
	}
	for _, c := range cases {
		got := core.DecideDemoIdP(c.listen, c.flag, c.stored)
		if got.On != c.on || got.Overridden != c.overridden || got.Stored != c.stored {
			t.Errorf("DecideDemoIdP(%q, %d, %v) = %+v, want on %v overridden %v", c.listen, c.flag, c.stored, got, c.on, c.overridden)
		}
		if (c.warning == "") != (got.Warning == "") || !strings.Contains(got.Warning, c.warning) {
			t.Errorf("DecideDemoIdP(%q, %d, %v) warning %q, want %q", c.listen, c.flag, c.stored, got.Warning, c.warning)
		}
		if got.Reason == "" {
			t.Errorf("DecideDemoIdP(%q, %d, %v) gives no reason", c.listen, c.flag, c.stored)
		}
	}
}

func TestHireSecretRoundTripsAndRefusesDamage(t *testing.T) {
	s, err := core.NewHireSecret()
	if err != nil {
		t.Fatal(err)
	}
	back, err := core.ParseHireSecret(s.Encode() + "\n")
	if err != nil || back.HireMAC([]byte("r"), "h") != s.HireMAC([]byte("r"), "h") {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "not base64!", s.Encode()[:20]} {
		if _, err := core.ParseHireSecret(bad); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("ParseHireSecret(%q) = %v, want EINVALID", bad, err)
		}
	}
	if s.HireMAC([]byte("ab"), "c") == s.HireMAC([]byte("a"), "bc") {
		t.Error("the MAC does not separate the request from the hire")
	}
	if strings.Contains(s.String(), s.Encode()) {
		t.Error("String shows the secret")
	}
	if _, err := core.Simulate(context.Background(), core.SimulateOptions{Target: "http://127.0.0.1:1", Count: 1}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("Simulate without a secret: %v", err)
	}
}
