package ui

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
	"github.com/jitconsole/jitconsole/internal/samltest"
)

// TestWizardConnectsAndTestsAnIdP walks the wizard as an admin would:
// step 1 makes a draft whose SP URLs answer over HTTP, step 2 shows them
// with copy buttons and the vendor's guide, step 3 takes the test IdP's
// pasted metadata, and step 4 shows the account of a real sign-in
// through the SP-initiated login URL.
func TestWizardConnectsAndTestsAnIdP(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Identity Providers")
	idp := samltest.Start(t, func() core.Endpoints { return h.con.Endpoints("acme") })

	// Step 1: an empty name is an error at the field; the slug follows
	// the name.
	test.Tap(h.app.idps.add)
	w := h.app.idps.wizard
	w.name.kind.SetSelected("Okta")
	test.Tap(w.name.next)
	if w.step != 1 || !w.name.nameNote.Visible() || w.name.nameNote.Importance != widget.DangerImportance {
		t.Fatalf("an empty name: step %d, note %q", w.step, w.name.nameNote.Text)
	}
	w.name.name.SetText("Acme SSO")
	if w.name.slug.Text != "acme-sso" || w.name.nameNote.Visible() {
		t.Errorf("slug %q from the name (note %q), want acme-sso", w.name.slug.Text, w.name.nameNote.Text)
	}
	w.name.slug.SetText("Not OK")
	if w.name.slugNote.Importance != widget.DangerImportance {
		t.Errorf("a bad slug is accepted: %q", w.name.slugNote.Text)
	}
	w.name.slug.SetText("acme")
	test.Tap(w.name.next)
	h.waitFor("step 2", func() bool { return w.step == 2 })

	// Step 2: the values answer over HTTP and can be copied.
	ep := h.con.Endpoints("acme")
	for _, u := range []string{ep.MetadataURL} {
		if body := getText(t, u); !strings.Contains(body, ep.ACSURL) {
			t.Errorf("%s does not name the ACS URL: %.200s", u, body)
		}
	}
	for _, want := range []string{ep.MetadataURL, ep.ACSURL, ep.EntityID, nameIDUnspecified, "firstName",
		"Audience URI (SP Entity ID)", "Guide checked 2026-12-01 against https://help.okta.com/oag/"} {
		if !shows(w.body, want) {
			t.Errorf("step 2 does not show %q", want)
		}
	}
	test.Tap(w.vals.copies["ACS URL"])
	if got := h.app.fyneApp.Clipboard().Content(); got != ep.ACSURL {
		t.Errorf("copied %q, want %q", got, ep.ACSURL)
	}
	resp, err := http.Get(ep.LoginURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("the draft's login: HTTP %d, want 403", resp.StatusCode)
	}

	// Step 3: the metadata, previewed, then connected.
	test.Tap(w.vals.next)
	h.previewPasted(w, string(idp.Metadata()))
	if w.meta.connect.Disabled() || w.meta.dupNote.Visible() {
		t.Fatalf("preview: %q, duplicate note %q", w.errLabel.Text, w.meta.dupNote.Text)
	}
	test.Tap(w.meta.connect)
	h.waitFor("step 4", func() bool { return w.step == 4 })
	if !shows(w.body, ep.LoginURL) {
		t.Errorf("step 4 does not show the login URL %s", ep.LoginURL)
	}

	// Step 4: a real sign-in; the wizard shows the account.
	if code, page, err := idp.SignIn(samltest.Browser(), ep.LoginURL); err != nil || code >= 400 {
		t.Fatalf("sign-in: %v, HTTP %d %.300s", err, code, page)
	}
	h.waitFor("the account in the wizard", func() bool {
		return w.trial.result == core.OutcomeAccepted && w.trial.account.Visible() && strings.Contains(w.trial.account.Text, "Username: pat")
	})
	if !strings.Contains(w.trial.account.Text, "Roles:") || w.trial.status.Importance != widget.SuccessImportance {
		t.Errorf("the result: %q / %q", w.trial.status.Text, w.trial.account.Text)
	}
	test.Tap(w.trial.done)
	h.waitFor("the IdP in the list, healthy", func() bool {
		i, ok := h.app.idps.info("acme")
		return ok && i.health.State == core.HealthOK && shows(h.app.idps.listView, "OK · ")
	})
}

// TestWizardShowsARefusal: a second connection of one entity is warned
// about at the preview; a refused test sign-in (the IdP rolled its key)
// shows its reason and hint in the wizard; the list's badge says the IdP
// is refusing and offers "Refresh metadata now", which cures it.
func TestWizardShowsARefusal(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Identity Providers")
	idp := samltest.Start(t, func() core.Endpoints { return h.con.Endpoints("beta") })
	if _, _, err := h.con.ImportIdP(context.Background(), core.ImportRequest{
		MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: idp.Metadata()}, DisplayName: "First", Slug: "first"}); err != nil {
		t.Fatal(err)
	}
	w := h.startWizard("Other SAML 2.0 IdP", "Beta", "beta")
	test.Tap(w.vals.next)
	w.meta.urlEntry.SetText(idp.MetadataURL())
	test.Tap(w.meta.preview)
	h.waitFor("the preview", func() bool { return !w.busy })
	if !w.meta.dupNote.Visible() || !strings.Contains(w.meta.dupNote.Text, "“first”") {
		t.Errorf("duplicate note %q (visible %t), want it to name “first”", w.meta.dupNote.Text, w.meta.dupNote.Visible())
	}
	test.Tap(w.meta.connect)
	h.waitFor("step 4", func() bool { return w.step == 4 })
	// The IdP rolls over its signing key: its responses are signed by a
	// key the stored metadata does not have.
	key, cert := samltest.NewCertKey(t, "rolled")
	idp.Set(func(s *samltest.Settings) { s.Key, s.Cert = key, cert })
	login := h.con.Endpoints("beta").LoginURL
	if _, _, err := idp.SignIn(samltest.Browser(), login); err != nil {
		t.Fatal(err)
	}
	h.waitFor("the refusal in the wizard", func() bool { return w.trial.result == core.OutcomeRefused })
	if w.trial.status.Importance != widget.DangerImportance || !strings.Contains(w.trial.status.Text, "key") || !w.trial.hint.Visible() {
		t.Errorf("refusal shown as %q / %q", w.trial.status.Text, w.trial.hint.Text)
	}
	test.Tap(w.trial.done)

	s := h.app.idps
	h.waitFor("the refusing badge with its refresh", func() bool {
		i, ok := s.info("beta")
		return ok && i.health.State == core.HealthRefusing && shows(s.listView, "Refusing since") &&
			s.detail != nil && s.detail.slug == "beta" && s.detail.healthRefresh != nil
	})
	test.Tap(s.detail.healthRefresh)
	h.waitFor("the new key in the metadata", func() bool {
		i, _ := s.info("beta")
		return len(i.meta.Certs) > 0 && i.meta.Certs[0].Subject == "CN=rolled"
	})
	if code, page, err := idp.SignIn(samltest.Browser(), login); err != nil || code >= 400 {
		t.Fatalf("sign-in after the refresh: %v, HTTP %d %.300s", err, code, page)
	}
	h.waitFor("the badge back to OK", func() bool { i, _ := s.info("beta"); return i.health.State == core.HealthOK })
}

// tapButton taps the visible button labelled text under o.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	for _, b := range buttonsIn(o) {
		if b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %q in %q", text, texts(o))
}

// TestWizardCancelKeepsOrDeletesTheDraft: cancelling after step 1 asks;
// "Keep draft" keeps it (shown as a draft with "Continue setup…"),
// "Delete draft" deletes it.
func TestWizardCancelKeepsOrDeletesTheDraft(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Identity Providers")
	s := h.app.idps

	// Cancel at step 1: nothing was made, nothing is asked.
	test.Tap(s.add)
	test.Tap(s.wizard.cancel)
	if s.wizard != nil {
		t.Fatal("Cancel at step 1 left the wizard open")
	}

	w := h.startWizard("", "Kept", "kept")
	test.Tap(w.cancel)
	if w.leave == nil || !shows(h.win.Canvas().Overlays().Top(), "Keep draft") {
		t.Fatal("Cancel after step 1 does not ask about the draft")
	}
	tapButton(t, h.win.Canvas().Overlays().Top(), "Keep draft")
	h.waitFor("the draft in the list", func() bool {
		i, ok := s.info("kept")
		return ok && s.wizard == nil && i.health.State == core.HealthDraft && s.detail != nil && s.detail.slug == "kept"
	})
	if !shows(s.listView, "Draft: waiting for its metadata") || !shows(s.detail.box, "Continue setup…") {
		t.Errorf("the draft is not shown as one: %q", texts(s.listView))
	}
	tapButton(t, s.detail.box, "Continue setup…")
	if s.wizard == nil || s.wizard.step != 2 {
		t.Fatal("Continue setup… does not reopen the wizard at step 2")
	}
	s.wizard.close()

	w = h.startWizard("", "Gone", "gone")
	test.Tap(w.cancel)
	tapButton(t, h.win.Canvas().Overlays().Top(), "Delete draft")
	h.waitFor("the draft deleted", func() bool { return s.wizard == nil })
	idps, err := h.con.IdPs(context.Background())
	if err != nil || len(idps) != 2 {
		t.Errorf("IdPs after keep and delete: %+v, %v; want the demo IdP and kept", idps, err)
	}
}
