package core_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

// TestDraftLifecycle: a draft IdP's SP metadata URL answers over the
// listener before its metadata exists; a sign-in through it is refused
// with the draft's reason; its metadata enables it, and then a sign-in
// provisions an account with the mapping of the chosen type.
func TestDraftLifecycle(t *testing.T) {
	tc := startConsole(t, t.TempDir(), "")
	ctx := context.Background()
	idp := samltest.Start(t, func() core.Endpoints { return tc.Endpoints("acme") })

	ep := tc.Endpoints("acme")
	if code := httpGet(t, ep.MetadataURL); code != http.StatusNotFound {
		t.Fatalf("SP metadata before the draft: HTTP %d, want 404", code)
	}
	draft, err := tc.CreateDraftIdP(ctx, core.DraftRequest{Type: "okta", DisplayName: "Acme Okta", Slug: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if !draft.IsDraft() || draft.Enabled {
		t.Fatalf("draft %+v: want a disabled draft", draft)
	}
	if got := draft.Mapping.Fields[core.FieldGivenName].Attributes; len(got) == 0 || got[0] != "firstName" {
		t.Errorf("draft's given-name source %v, want Okta's firstName", got)
	}
	if code := httpGet(t, ep.MetadataURL); code != http.StatusOK {
		t.Fatalf("draft's SP metadata: HTTP %d, want 200", code)
	}
	if xml, err := tc.SPMetadataXML(ctx, "acme"); err != nil || !strings.Contains(string(xml), ep.ACSURL) {
		t.Fatalf("draft's SP metadata file: %v, want the ACS URL in %.200s", err, xml)
	}
	browser := samltest.Browser()
	resp, err := browser.Get(ep.LoginURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(page), "waiting for its metadata") {
		t.Fatalf("login at a draft: HTTP %d %.300s; want 403 waiting for its metadata", resp.StatusCode, page)
	}
	// A response posted to the draft's ACS (the IdP configured first) is
	// refused with the draft's class, before it is read.
	code, _, err := samltest.Post(browser, ep.ACSURL, url.Values{"SAMLResponse": {"PHNhbWxwOlJlc3BvbnNlLz4="}})
	if err != nil {
		t.Fatal(err)
	}
	if ev := lastRefusal(t, tc); code != http.StatusForbidden || ev.Class != core.ClassIdPDraft {
		t.Errorf("post to a draft's ACS: HTTP %d, class %q; want 403 %q", code, ev.Class, core.ClassIdPDraft)
	}

	plan, err := tc.PreviewImport(ctx, core.ImportRequest{MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: idp.Metadata()}, Slug: "acme"})
	if err != nil || !plan.CompletesDraft || !plan.IdP.Enabled || plan.IdP.DisplayName != "Acme Okta" {
		t.Fatalf("preview of the draft's metadata: %v, %+v; want it to complete the draft, enabled, named Acme Okta", err, plan)
	}
	done, _, err := tc.ImportIdP(ctx, core.ImportRequest{MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: idp.Metadata()}, Slug: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if done.IsDraft() || !done.Enabled || done.Mapping.Fields[core.FieldGivenName].Attributes[0] != "firstName" {
		t.Fatalf("completed draft %+v: want enabled, metadata, the Okta mapping kept", done)
	}
	if code, page, err := idp.SignIn(samltest.Browser(), ep.LoginURL); err != nil || code >= 400 {
		t.Fatalf("sign-in after the metadata: %v HTTP %d %.300s", err, code, page)
	}
	if n := len(users(t, tc)); n != 1 {
		t.Errorf("%d accounts after the sign-in, want 1", n)
	}
}

// TestDraftRequestChecks: a draft needs a name and a free, valid slug.
func TestDraftRequestChecks(t *testing.T) {
	c, _ := startMemConsole(t)
	ctx := context.Background()
	if _, err := c.CreateDraftIdP(ctx, core.DraftRequest{DisplayName: "Taken", Slug: "taken"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		req  core.DraftRequest
		want string
	}{
		{"empty name", core.DraftRequest{DisplayName: "  ", Slug: "x"}, "display name"},
		{"bad slug", core.DraftRequest{DisplayName: "X", Slug: "Not OK"}, "slug"},
		{"demo slug", core.DraftRequest{DisplayName: "X", Slug: core.DemoSlug}, "demo"},
		{"taken slug", core.DraftRequest{DisplayName: "X", Slug: "taken"}, "already connected"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateDraftIdP(ctx, tt.req)
			if core.ErrorCode(err) != core.EINVALID || !strings.Contains(core.ErrorMessage(err), tt.want) {
				t.Errorf("error %v, want EINVALID naming %q", err, tt.want)
			}
		})
	}
	d, err := c.CreateDraftIdP(ctx, core.DraftRequest{DisplayName: "Partner SSO (EU)"})
	if err != nil || d.Slug != "partner-sso-eu" {
		t.Errorf("slug from the name: %q, %v; want partner-sso-eu", d.Slug, err)
	}
}

func httpGet(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
