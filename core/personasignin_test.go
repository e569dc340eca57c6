package core_test

import (
	"context"
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
	anyFormActionRe = regexp.MustCompile(`<form[^>]*\saction="([^"]*)"`)
	anyInputRe      = regexp.MustCompile(`<input[^>]*\sname="([^"]*)"[^>]*\svalue="([^"]*)"`)
	noteRe          = regexp.MustCompile(`<p class="note" id="note">([^<]*)</p>`)
)

// openLink follows u with client as a browser would up to the page the
// demo IdP shows, and returns that page.
func openLink(t *testing.T, client *http.Client, u string) string {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d\n%s", u, resp.StatusCode, b)
	}
	return string(b)
}

// isPicker reports whether page is the demo IdP's persona picker.
func isPicker(page string) bool { return strings.Contains(page, `id="persona-alice"`) }

// submitResponse posts the demo IdP's auto-submitting response form (as
// the browser's script would) and returns the status and the page.
func submitResponse(t *testing.T, client *http.Client, page string) (int, string) {
	t.Helper()
	m := anyFormActionRe.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "SAMLResponse") {
		t.Fatalf("the demo IdP did not answer with a signed response:\n%s", page)
	}
	form := url.Values{}
	for _, in := range anyInputRe.FindAllStringSubmatch(page, -1) {
		form.Set(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	return postForm(t, client, html.UnescapeString(m[1]), form)
}

// TestPersonaSignInLinkSignsInOnce drives minted "Sign in as…" links over
// the real listener with a browser-like client: a link signs its persona
// in with no picker, once; the same link again, a made-up token and a
// bare hint (what another site could put in a link) only show the picker,
// with a line saying why, and sign nobody in.
func TestPersonaSignInLinkSignsInOnce(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	link, err := tc.MintPersonaSignIn(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, tc.Base+"/saml/demo/login?signin=") || strings.Contains(link, "alice") {
		t.Fatalf("minted link %q: want the demo login URL with an opaque token", link)
	}
	client := newClient()
	page := openLink(t, client, link)
	if isPicker(page) {
		t.Fatalf("a minted link showed the picker:\n%s", page)
	}
	status, welcome := submitResponse(t, client, page)
	if status != http.StatusOK || !strings.Contains(welcome, "Welcome, Alice Anderson") {
		t.Fatalf("after the minted link: HTTP %d\n%s", status, welcome)
	}
	if us := users(t, tc); len(us) != 1 || us[0].Username != "alice" {
		t.Fatalf("accounts after the minted link: %+v", us)
	}

	tampered := strings.Replace(link, "signin=", "signin=X", 1)
	cases := []struct{ name, url, note string }{
		{"the same link again", link, "already used"},
		{"the same link in another browser", link, "already used"},
		{"a made-up token", tampered, "not one this console made"},
		{"a bare hint from another site", tc.Base + "/saml/demo/login?login_hint=bob", ""},
		{"a persona name as the token", tc.Base + "/saml/demo/login?signin=bob", "not one this console made"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := client
			if i > 0 {
				cl = newClient()
			}
			page := openLink(t, cl, c.url)
			if !isPicker(page) {
				t.Fatalf("want the picker, got:\n%s", page)
			}
			m := noteRe.FindStringSubmatch(page)
			switch {
			case c.note == "" && m != nil:
				t.Errorf("unexpected note %q", m[1])
			case c.note != "" && (m == nil || !strings.Contains(html.UnescapeString(m[1]), c.note)):
				t.Errorf("note %v: want one saying %q", m, c.note)
			}
		})
	}
	if us := users(t, tc); len(us) != 1 {
		t.Fatalf("links that should sign nobody in made accounts: %+v", us)
	}
}

// TestPersonaSignInLinkExpires mints a link on a pinned clock, moves the
// clock past its lifetime, and gets the picker with "expired".
func TestPersonaSignInLinkExpires(t *testing.T) {
	clock := &shiftedClock{}
	tc := startConsoleWith(t, t.TempDir(), func(o *core.Options) { o.Clock = clock })
	link, err := tc.MintPersonaSignIn(context.Background(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	clock.set(core.PersonaSignInLifetime)
	page := openLink(t, newClient(), link)
	if m := noteRe.FindStringSubmatch(page); !isPicker(page) || m == nil || !strings.Contains(m[1], "expired") {
		t.Fatalf("an expired link: want the picker saying it expired, got:\n%s", page)
	}
}

// TestMintPersonaSignInRefusesUnknownPersona mints nothing for a persona
// the demo IdP does not have.
func TestMintPersonaSignInRefusesUnknownPersona(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	if _, err := tc.MintPersonaSignIn(context.Background(), "nobody"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("mint for an unknown persona: %v, want ENOTFOUND", err)
	}
}
