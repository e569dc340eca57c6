package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/jitconsole/jitconsole/core"
)

// refuseGarbage posts a SAMLResponse that is not one to the demo IdP's
// ACS: a refusal the recorder keeps.
func refuseGarbage(t *testing.T, con *core.Console) {
	t.Helper()
	resp, err := http.PostForm(con.Endpoints(core.DemoSlug).ACSURL, url.Values{"SAMLResponse": {"bm90IGEgcmVzcG9uc2U="}})
	if err != nil {
		t.Fatalf("post to the ACS: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusSeeOther {
		t.Fatalf("the ACS accepted garbage: HTTP %d", resp.StatusCode)
	}
}

func TestActivityShowsRefusedAndAcceptedLogins(t *testing.T) {
	h := newHarness(t, nil)
	h.showTab("Activity")
	v := h.app.activity
	h.waitFor("the empty recorder", func() bool { return strings.HasPrefix(v.count.Text, "No sign-ins") })

	ctx := context.Background()
	refuseGarbage(t, h.con)
	if err := core.DemoLoginAs(ctx, nil, h.con.BaseURL(), "alice"); err != nil {
		t.Fatalf("demo login: %v", err)
	}
	// Both arrive live, newest first.
	h.waitFor("two entries", func() bool { return len(v.list) == 2 })
	if v.list[0].Outcome != core.OutcomeAccepted || v.list[1].Outcome != core.OutcomeRefused {
		t.Fatalf("outcomes %s, %s", v.list[0].Outcome, v.list[1].Outcome)
	}
	if !shows(v.listView, "alice@example.com") || !shows(v.listView, string(v.list[1].Class)) {
		t.Errorf("the list shows %q", texts(v.listView))
	}

	// The refusal: its verdict, class and hint, in the error colour.
	refused := v.list[1]
	v.listView.Select(1)
	h.waitFor("the refusal's detail", func() bool { return strings.HasPrefix(v.detail.verdict.Text, "Refused") })
	d := v.detail
	if d.verdict.Text != "Refused — "+string(refused.Class) || d.verdict.Importance != widget.DangerImportance {
		t.Errorf("verdict %q", d.verdict.Text)
	}
	if !d.reason.Visible() || d.reason.Text != refused.Reason || !d.hint.Visible() || d.hint.Text != refused.Hint {
		t.Errorf("reason %q, hint %q; want %q, %q", d.reason.Text, d.hint.Text, refused.Reason, refused.Hint)
	}
	if !shows(d.overview, "no account was created or changed") {
		t.Error("the detail does not say nothing was provisioned")
	}
	if refused.Detail != "" && d.detailTx.Text != refused.Detail {
		t.Errorf("library detail %q, want %q", d.detailTx.Text, refused.Detail)
	}

	// The accepted login: attributes, NameID, signatures, times, XML.
	v.listView.Select(0)
	h.waitFor("the accepted detail", func() bool { return d.verdict.Text == "Accepted" })
	full, err := h.con.Recording(ctx, v.list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.attrTab.Text == "Attributes (0)" || len(full.Attributes) == 0 {
		t.Fatalf("no attributes: %s", d.attrTab.Text)
	}
	d.tabs.Select(d.attrTab)
	for _, a := range full.Attributes {
		for _, val := range a.Values {
			if !shows(d.attrs, val) {
				t.Errorf("attribute %s value %q is not shown", a.Name, val)
			}
		}
		if !shows(d.attrs, a.Name) {
			t.Errorf("attribute %s is not shown", a.Name)
		}
	}
	d.tabs.SelectIndex(0)
	for _, want := range []string{"alice@example.com", full.NameIDFormat, "Created account", "Assertion signed", "NotOnOrAfter"} {
		if !shows(d.overview, want) {
			t.Errorf("the overview does not show %q", want)
		}
	}
	d.tabs.Select(d.xmlTab)
	if !strings.Contains(d.xml.Text(), "alice@example.com") || !strings.Contains(d.xml.Text(), "\n  <") {
		t.Error("the XML tab does not hold the pretty-printed response")
	}

	// Filters: only refusals.
	v.outcomeSelect.SetSelected(onlyRefused)
	h.waitFor("the refusals only", func() bool { return len(v.list) == 1 && v.list[0].ID == refused.ID })
	// The detail stays on the accepted entry although it left the list.
	if d.verdict.Text != "Accepted" {
		t.Errorf("the detail changed to %q", d.verdict.Text)
	}
	v.outcomeSelect.SetSelected(allOutcomes)
	v.search.SetText("alice")
	h.waitFor("the search", func() bool { return len(v.list) == 1 && v.list[0].NameID == "alice@example.com" })
	v.search.SetText("")
	h.waitFor("the whole list again", func() bool { return len(v.list) == 2 })
	i := slices.IndexFunc(v.idpSelect.Options, func(o string) bool { return strings.HasSuffix(o, "("+core.DemoSlug+")") })
	if i < 0 {
		t.Fatalf("IdP filter options %v", v.idpSelect.Options)
	}

	// The IdP filter, selected: a refusal at a second IdP is in the whole
	// list, and only in that IdP's.
	md := getText(t, h.con.BaseURL()+"/demo-idp/metadata")
	if _, _, err := h.con.ImportIdP(ctx, core.ImportRequest{MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: []byte(md)},
		DisplayName: "Copy", Slug: "copy"}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(h.con.Endpoints("copy").ACSURL, url.Values{"SAMLResponse": {"bm90IGEgcmVzcG9uc2U="}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h.waitFor("the third entry", func() bool { return len(v.list) == 3 })
	h.waitFor("the new IdP in the filter", func() bool { return slices.Contains(v.idpSelect.Options, "Copy (copy)") })
	onlyFrom := func(slug string, n int) func() bool {
		return func() bool {
			return len(v.list) == n && !slices.ContainsFunc(v.list, func(r core.Recording) bool { return r.IdPSlug != slug })
		}
	}
	v.idpSelect.SetSelected(v.idpSelect.Options[i])
	h.waitFor("the demo IdP's sign-ins only", onlyFrom(core.DemoSlug, 2))
	v.idpSelect.SetSelected("Copy (copy)")
	h.waitFor("the copy's refusal only", onlyFrom("copy", 1))
	v.idpSelect.SetSelected(allIdPs)
	h.waitFor("every IdP's sign-ins again", func() bool { return len(v.list) == 3 })
}
