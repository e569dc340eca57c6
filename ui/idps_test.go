package ui

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// getText fetches u from a test console.
func getText(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d, %v", u, resp.StatusCode, err)
	}
	return string(b)
}

// otherIdP starts a second console and returns the URL of its demo IdP's
// metadata, the metadata and what core makes of it: a real IdP the
// harness's console does not know.
func otherIdP(t *testing.T) (*core.Console, string, string, core.MetadataPreview) {
	t.Helper()
	other := newConsole(t, "127.0.0.1:0", true)
	u := other.BaseURL() + "/demo-idp/metadata"
	xml := getText(t, u)
	prev, err := core.ParseIdPMetadata([]byte(xml), "", time.Now())
	if err != nil || len(prev.Certs) == 0 {
		t.Fatalf("the other console's metadata: %v, %+v", err, prev)
	}
	return other, u, xml, prev
}

// selectIdP selects slug in the list and waits for its detail.
func (h *harness) selectIdP(slug string) *idpDetail {
	h.t.Helper()
	s := h.app.idps
	h.waitFor("IdP "+slug+" in the list: "+s.count.Text, func() bool { _, ok := s.info(slug); return ok })
	i := slices.IndexFunc(s.list, func(i idpInfo) bool { return i.idp.Slug == slug })
	s.listView.Select(i)
	if s.detail == nil || s.detail.slug != slug {
		h.t.Fatalf("selecting %s shows %v", slug, s.detail)
	}
	return s.detail
}

// startWizard opens the wizard, fills step 1 (kind by name, "" for
// none) and waits for step 2: the draft exists.
func (h *harness) startWizard(kind, name, slug string) *idpWizard {
	h.t.Helper()
	s := h.app.idps
	test.Tap(s.add)
	w := s.wizard
	if w == nil || w.step != 1 {
		h.t.Fatal("Add identity provider opened no wizard at step 1")
	}
	if kind != "" {
		w.name.kind.SetSelected(kind)
	}
	w.name.name.SetText(name)
	if slug != "" {
		w.name.slug.SetText(slug)
	}
	test.Tap(w.name.next)
	h.waitFor("step 2: "+w.name.slugNote.Text+w.errLabel.Text, func() bool { return w.step == 2 })
	return w
}

// startImport goes through steps 1 and 2 (a draft "Partner IdP",
// "partner") and previews pasted metadata at step 3.
func (h *harness) startImport(metadata string) *idpWizard {
	h.t.Helper()
	w := h.startWizard("", "Partner IdP", "partner")
	test.Tap(w.vals.next)
	return h.previewPasted(w, metadata)
}

// previewPasted pastes metadata at step 3 and previews it.
func (h *harness) previewPasted(w *idpWizard, metadata string) *idpWizard {
	h.t.Helper()
	if w.step != 3 {
		h.t.Fatalf("at step %d, want 3", w.step)
	}
	w.meta.source.SetSelected(fromPaste)
	w.meta.paste.SetText(metadata)
	test.Tap(w.meta.preview)
	h.waitFor("the preview to finish", func() bool { return !w.busy })
	return w
}

func TestIdPsShowValuesToCopy(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Identity Providers")
	d := h.selectIdP(core.DemoSlug)
	ep := h.con.Endpoints(core.DemoSlug)
	for name, want := range map[string]string{
		"SP entity ID":    ep.EntityID,
		"ACS URL":         ep.ACSURL,
		"SP metadata URL": ep.MetadataURL,
		"NameID format":   nameIDUnspecified,
	} {
		b := d.copies[name]
		if b == nil {
			t.Fatalf("no copy button for %s", name)
		}
		test.Tap(b)
		if got := h.app.fyneApp.Clipboard().Content(); got != want {
			t.Errorf("copying %s put %q on the clipboard, want %q", name, got, want)
		}
		if !shows(d.box, want) {
			t.Errorf("the detail does not show %s %q", name, want)
		}
	}
	if !shows(d.box, "any persistent or email NameID works") {
		t.Error("the NameID format is not explained")
	}
	// The demo IdP's certificate is in the metadata card; it cannot be
	// removed.
	if fp := h.app.idps.list[0].meta.Certs[0].Fingerprint; !shows(d.box, fp) {
		t.Errorf("the certificate fingerprint %s is not shown", fp)
	}
	if !d.remove.Disabled() {
		t.Error("the demo IdP can be removed")
	}

	// Save SP metadata… writes what the SP metadata URL serves.
	path := filepath.Join(t.TempDir(), "sp.xml")
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	d.writeSPMetadata(w)
	h.waitFor("the SP metadata saved", func() bool { return d.spSaved.Visible() })
	if d.spSaved.Importance != widget.SuccessImportance || !strings.Contains(d.spSaved.Text, path) {
		t.Errorf("after saving: %q", d.spSaved.Text)
	}
	saved, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(saved), ep.ACSURL) || !strings.Contains(string(saved), "SPSSODescriptor") {
		t.Errorf("saved SP metadata %q, %v", saved, err)
	}
}

func TestAddIdPFromPastedMetadata(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Identity Providers")
	_, _, xml, prev := otherIdP(t)

	w := h.startImport(xml)
	if w.meta.connect.Disabled() {
		t.Fatalf("no preview; error: %q", w.errLabel.Text)
	}
	for _, want := range []string{prev.EntityID, prev.Certs[0].Fingerprint, prev.SSO[0].Location} {
		if !shows(w.body, want) {
			t.Errorf("the preview does not show %q", want)
		}
	}
	before, err := h.con.IdPs(context.Background())
	if i := slices.IndexFunc(before, func(i core.IdP) bool { return i.Slug == "partner" }); err != nil || i < 0 || !before[i].IsDraft() || before[i].Enabled {
		t.Fatalf("before Connect: %+v, %v; want the disabled draft", before, err)
	}
	test.Tap(w.meta.connect)
	h.waitFor("step 4", func() bool { return w.step == 4 })
	test.Tap(w.trial.done)
	h.waitFor("the new IdP selected", func() bool {
		d := h.app.idps.detail
		return h.app.idps.wizard == nil && d != nil && d.slug == "partner" && !d.info.idp.IsDraft()
	})
	if !shows(h.app.idps.listView, "Partner IdP") {
		t.Errorf("the list does not show the new IdP: %q", texts(h.app.idps.listView))
	}
	got, err := h.con.IdPs(context.Background())
	if err != nil || len(got) != 2 {
		t.Fatalf("IdPs after Connect: %v, %v", got, err)
	}
	i := slices.IndexFunc(got, func(i core.IdP) bool { return i.Slug == "partner" })
	if i < 0 || got[i].EntityID != prev.EntityID || got[i].MetadataSource != core.SourcePaste || !got[i].Enabled {
		t.Errorf("saved %+v", got)
	}
	if !shows(h.app.idps.detail.box, prev.Certs[0].Fingerprint) {
		t.Error("the detail does not show the new IdP's certificate")
	}
}

func TestAddIdPRefusesInvalidMetadata(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Identity Providers")
	// An SP's metadata: well-formed, but not an IdP's.
	spMetadata := getText(t, h.con.Endpoints(core.DemoSlug).MetadataURL)
	for _, bad := range []struct{ name, xml, want string }{
		{"SP metadata", spMetadata, "service provider"},
		{"not XML", "this is not XML", "not well-formed"},
	} {
		w := h.startImport(bad.xml)
		if !w.meta.connect.Disabled() {
			t.Fatalf("%s: the wizard offers to connect", bad.name)
		}
		if !w.errLabel.Visible() || w.errLabel.Importance != widget.DangerImportance || !strings.Contains(w.errLabel.Text, bad.want) {
			t.Errorf("%s: error %q (visible %t), want it to mention %q", bad.name, w.errLabel.Text, w.errLabel.Visible(), bad.want)
		}
		// The person can fix the input and try again: nothing is stuck.
		if w.meta.preview.Disabled() || w.meta.paste.Disabled() {
			t.Errorf("%s: the wizard is stuck", bad.name)
		}
		w.deleteDraft()
		h.waitFor("the draft deleted", func() bool {
			_, listed := h.app.idps.info("partner")
			return h.app.idps.wizard == nil && !listed
		})
	}
	idps, _ := h.con.IdPs(context.Background())
	if len(idps) != 1 || idps[0].Slug != core.DemoSlug {
		t.Errorf("invalid metadata left an IdP: %+v", idps)
	}
}

func TestAddIdPFromAggregate(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Identity Providers")
	_, _, xml1, prev1 := otherIdP(t)
	_, _, xml2, prev2 := otherIdP(t)
	strip := func(s string) string {
		if i := strings.Index(s, "?>"); strings.HasPrefix(s, "<?xml") && i > 0 {
			return s[i+2:]
		}
		return s
	}
	agg := `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` + strip(xml1) + strip(xml2) + `</EntitiesDescriptor>`
	w := h.startImport(agg)
	if !w.meta.entityBox.Visible() || len(w.meta.entity.Options) != 2 {
		t.Fatalf("no choice of entities: %q, %v", w.errLabel.Text, w.meta.entity.Options)
	}
	w.meta.entity.SetSelected(prev2.EntityID)
	h.waitFor("the preview of the chosen entity", func() bool { return !w.meta.connect.Disabled() })
	if !shows(w.body, prev2.Certs[0].Fingerprint) || shows(w.body, prev1.Certs[0].Fingerprint) {
		t.Error("the preview does not show the chosen entity only")
	}
}

func TestAddIdPFromURLRefreshAndRemove(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Identity Providers")
	other, u, _, prev := otherIdP(t)
	s := h.app.idps
	w := h.startWizard("", "Remote", "remote")
	test.Tap(w.vals.next)
	w.meta.urlEntry.SetText(u)
	test.Tap(w.meta.preview)
	h.waitFor("the preview", func() bool { return !w.meta.connect.Disabled() })
	test.Tap(w.meta.connect)
	h.waitFor("step 4", func() bool { return w.step == 4 })
	test.Tap(w.trial.done)
	h.waitFor("the new IdP selected", func() bool { return s.detail != nil && s.detail.slug == "remote" && !s.detail.info.idp.IsDraft() })
	d := s.detail
	if d.refreshNow == nil || !shows(d.box, u) {
		t.Fatal("a URL-sourced IdP has no Refresh now / URL")
	}
	if d.refreshHours.Disabled() || d.refreshHours.Text != "24" {
		t.Errorf("refresh interval %q (disabled %t)", d.refreshHours.Text, d.refreshHours.Disabled())
	}

	// A failed refresh keeps the metadata and says why, in red.
	other.Close()
	test.Tap(d.refreshNow)
	h.waitFor("the refresh error", func() bool {
		return s.detail.refreshMsg != nil && s.detail.refreshMsg.Visible() &&
			s.detail.refreshMsg.Importance == widget.DangerImportance && strings.Contains(s.detail.refreshMsg.Text, "failed")
	})
	h.waitFor("the error in the list", func() bool { return shows(s.listView, "refresh failing") })
	if !shows(s.detail.box, prev.Certs[0].Fingerprint) {
		t.Error("the last good metadata is no longer shown")
	}

	// Remove, with confirmation.
	test.Tap(s.detail.remove)
	h.waitFor("the confirmation", func() bool { return s.detail.removeConfirm != nil })
	if top := h.win.Canvas().Overlays().Top(); top == nil || !shows(top, "Its 0 users stay, marked as from a removed IdP") {
		t.Error("the confirmation does not say the users stay")
	}
	s.detail.removeConfirm.Confirm()
	h.waitFor("the IdP gone", func() bool { _, ok := s.info("remote"); return !ok && len(s.list) == 1 })
}

func TestIdPSettingsIdPInitiatedAsksFirst(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Identity Providers")
	d := h.selectIdP(core.DemoSlug)
	if d.idpInitiated.Checked || !d.acceptSHA1.Checked || d.signedResponse.Checked || d.signedAssertion.Checked || !d.enabled.Checked {
		t.Fatal("the defaults are not: IdP-initiated off, SHA-1 accepted, no signature required, enabled")
	}
	if !d.save.Disabled() {
		t.Error("Save is enabled with nothing changed")
	}

	// Turning it on shows the risk; keeping it off unticks it.
	test.Tap(d.idpInitiated)
	if d.risk == nil {
		t.Fatal("no warning when turning IdP-initiated sign-in on")
	}
	top := h.win.Canvas().Overlays().Top()
	if top == nil || !shows(top, "cannot be tied to a request") || !shows(top, "Replay protection still applies") {
		t.Errorf("the warning does not explain the risk: %q", texts(top))
	}
	d.risk.Dismiss()
	if d.idpInitiated.Checked || !d.save.Disabled() {
		t.Error("keeping it off left it ticked")
	}

	// Allowing it and saving stores it, with the other settings.
	test.Tap(d.idpInitiated)
	d.risk.Confirm()
	test.Tap(d.acceptSHA1)
	test.Tap(d.signedAssertion)
	d.displayName.SetText("Demo (renamed)")
	if !d.idpInitiated.Checked || d.save.Disabled() {
		t.Fatal("allowing it did not tick it")
	}
	test.Tap(d.save)
	h.waitFor("the save", func() bool { return d.saveMsg.Text == "Saved." })
	idps, err := h.con.IdPs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := core.IdPSecurity{AllowIdPInitiated: true, RejectSHA1: true, RequireSignedAssertion: true}
	if idps[0].Security != want || idps[0].DisplayName != "Demo (renamed)" {
		t.Errorf("saved %+v %q, want %+v", idps[0].Security, idps[0].DisplayName, want)
	}
	h.waitFor("the list to show the new name", func() bool { return shows(h.app.idps.listView, "Demo (renamed)") })
	// The form reloaded from the store still shows the saved values.
	if !d.idpInitiated.Checked || d.acceptSHA1.Checked || !d.save.Disabled() {
		t.Error("the form lost the saved values")
	}

	// An empty display name is refused by core and the reason shown.
	d.displayName.SetText("  ")
	test.Tap(d.save)
	h.waitFor("the refusal", func() bool { return d.saveMsg.Importance == widget.DangerImportance })
}
