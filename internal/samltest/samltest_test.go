package samltest_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/crewjam/saml"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
	"github.com/jitconsole/jitconsole/storage/memstore"
)

// console starts a console on an in-memory store with a listener on
// 127.0.0.1 and imports a samltest IdP as "p".
func console(t *testing.T) (*core.Console, *samltest.IdP) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	con, err := core.New(ctx, core.Options{Store: memstore.New(nil), Keys: fileKeys{dir: dir, secrets: map[string][]byte{}},
		ListenAddr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := con.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { con.Close() })
	idp := samltest.Start(t, func() core.Endpoints { return con.Endpoints("p") })
	if _, _, err := con.ImportIdP(ctx, core.ImportRequest{
		MetadataInput: core.MetadataInput{Source: core.SourceURL, Name: idp.MetadataURL()},
		DisplayName:   "Partner", Slug: "p",
	}); err != nil {
		t.Fatalf("import the test IdP: %v", err)
	}
	return con, idp
}

// fileKeys is a core.KeyStore in a map.
type fileKeys struct {
	dir     string
	secrets map[string][]byte
}

func (k fileKeys) Get(name string) ([]byte, error) {
	if s, ok := k.secrets[name]; ok {
		return s, nil
	}
	return nil, core.Errorf(core.ENOTFOUND, "no key %q", name)
}
func (k fileKeys) Set(name string, secret []byte) error { k.secrets[name] = secret; return nil }
func (k fileKeys) Fallback() (bool, string)             { return false, "" }

// TestSignIn: the IdP's answer, in the clear or encrypted, makes an
// account at the console's ACS; an error status is refused.
func TestSignIn(t *testing.T) {
	con, idp := console(t)
	ctx := context.Background()
	for _, encrypt := range []bool{false, true} {
		idp.Set(func(s *samltest.Settings) {
			s.Encrypt = encrypt
			s.Session = func(*saml.IdpAuthnRequest) *saml.Session {
				return samltest.Person(map[bool]string{false: "clear@example.com", true: "sealed@example.com"}[encrypt], "Someone", "Staff")
			}
		})
		browser := samltest.Browser()
		action, form, err := idp.Response(browser, con.Endpoints("p").LoginURL)
		if err != nil {
			t.Fatal(err)
		}
		raw := form.Get("SAMLResponse")
		if sealed := strings.Contains(decode(t, raw), "EncryptedAssertion"); sealed != encrypt {
			t.Errorf("encrypt %v: the response has an EncryptedAssertion: %v", encrypt, sealed)
		}
		status, page, err := samltest.Post(browser, action, form)
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusSeeOther {
			t.Errorf("encrypt %v: the ACS answered HTTP %d: %.300s", encrypt, status, page)
		}
	}
	users, err := con.Users(ctx, core.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 {
		t.Errorf("%d accounts after two sign-ins, want 2", len(users))
	}

	idp.Set(func(s *samltest.Settings) {
		s.ErrStatus = &saml.StatusError{TopLevel: saml.StatusResponder, SecondLevel: saml.StatusRequestDenied, Message: "not assigned"}
	})
	// A client that follows redirects, as core's tests use.
	client := &http.Client{Jar: samltest.Browser().Jar}
	status, page, err := idp.SignIn(client, con.Endpoints("p").LoginURL)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusForbidden || !strings.Contains(page, "not assigned") {
		t.Errorf("an error status from the IdP ended in HTTP %d: %.300s", status, page)
	}
}

// decode is a base64 SAMLResponse's XML.
func decode(t *testing.T, b64 string) string {
	t.Helper()
	xml, err := core.DecodeResponse([]byte(b64))
	if err != nil {
		t.Fatal(err)
	}
	return string(xml)
}

// TestAnswerTwice: Answer at the SSO URL the console redirected to gives
// a new response to the same request each time; the console accepts the
// first and refuses the second.
func TestAnswerTwice(t *testing.T) {
	con, idp := console(t)
	browser := samltest.Browser()
	resp, err := browser.Get(con.Endpoints("p").LoginURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sso := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(sso, idp.SSOURL()) {
		t.Fatalf("the login answered HTTP %d to %q, want a redirect to %s", resp.StatusCode, sso, idp.SSOURL())
	}
	action, first, err := idp.Answer(browser, sso)
	if err != nil {
		t.Fatal(err)
	}
	_, second, err := idp.Answer(browser, sso)
	if err != nil {
		t.Fatal(err)
	}
	if action != con.Endpoints("p").ACSURL {
		t.Errorf("the answer posts to %q, want the ACS %q", action, con.Endpoints("p").ACSURL)
	}
	if first.Get("SAMLResponse") == second.Get("SAMLResponse") {
		t.Fatal("two answers to one request are the same response")
	}
	for _, want := range []struct {
		form   url.Values
		status int
	}{{first, http.StatusSeeOther}, {second, http.StatusForbidden}} {
		status, page, err := samltest.Post(browser, action, want.form)
		if err != nil {
			t.Fatal(err)
		}
		if status != want.status {
			t.Errorf("the ACS answered HTTP %d, want %d: %.300s", status, want.status, page)
		}
	}
}
