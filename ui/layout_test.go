package ui

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/jitconsole/jitconsole/core"
)

// updateLayout rewrites the rendered screens in testdata/layout. They are
// for people to look at; the test's verdict is the layout checker's.
var updateLayout = flag.Bool("update", false, "rewrite the rendered screens in testdata/layout")

// layoutSizes are the window sizes every screen must fit: a small laptop
// and a large monitor.
var layoutSizes = []fyne.Size{{Width: 1024, Height: 700}, {Width: 1400, Height: 900}}

// layoutScreen is a screen of the console as the layout test shows it:
// show brings it up in the harness and returns the canvas to check (the
// main window's, or the validator's own); hide puts things back.
type layoutScreen struct {
	name string
	show func(h *harness, size fyne.Size) fyne.Canvas
	hide func(h *harness)
}

// TestLayoutEveryScreen renders every screen with data in it at each of
// layoutSizes, in the light and the dark theme, and fails on what the
// layout checker finds: widgets drawn over each other, controls cut off,
// texts cut without an ellipsis, content bigger than the window.
func TestLayoutEveryScreen(t *testing.T) {
	start := time.Now()
	first := newHarness(t, nil)
	// The data goes in before the window opens: the screens would
	// otherwise redraw for every one of the sign-ins.
	con := newConsole(t, "127.0.0.1:0", true)
	populateForLayout(t, con)
	t.Logf("data in %v", time.Since(start))
	h := newHarnessFor(t, con, nil)
	screens := layoutScreens(h, first)

	a := fyne.CurrentApp()
	before := a.Settings().Theme()
	t.Cleanup(func() { a.Settings().SetTheme(before) })
	for _, variant := range []string{themeLight, themeDark} {
		applyThemeVariant(a, variant)
		// Each screen at every size before the next: a tab change
		// refreshes the whole tab, which is most of what this test costs.
		for _, s := range screens {
			for _, size := range layoutSizes {
				name := fmt.Sprintf("%s-%.0fx%.0f-%s", s.name, size.Width, size.Height, variant)
				t.Run(name, func(t *testing.T) {
					c := s.show(h, size)
					if *updateLayout {
						writeLayoutPNG(t, name, c)
					}
					for _, f := range checkCanvas(s.name, c) {
						t.Errorf("%s", f)
					}
					if s.hide != nil {
						s.hide(h)
					}
				})
			}
		}
	}
}

// layoutScreens are the screens to check, over h populated and first as
// a newcomer sees it.
func layoutScreens(h, first *harness) []layoutScreen {
	tab := func(name string, ready func(h *harness)) func(*harness, fyne.Size) fyne.Canvas {
		return func(x *harness, size fyne.Size) fyne.Canvas {
			if sel := x.app.tabs.Selected(); sel == nil || sel.Text != name {
				x.showTab(name)
			}
			x.settle(size)
			if ready != nil {
				ready(x)
			}
			x.settle(size)
			return x.win.Canvas()
		}
	}
	return []layoutScreen{
		{name: "getstarted", show: func(_ *harness, size fyne.Size) fyne.Canvas {
			first.waitFor("the Get started card", func() bool {
				gs := first.app.dashboard.getStarted
				return gs != nil && gs.content.Visible()
			})
			first.settle(size)
			return first.win.Canvas()
		}},
		{name: "dashboard", show: tab("Dashboard", nil)},
		{name: "users", show: tab("Users", func(x *harness) {
			u := x.app.users
			if u.acct == nil {
				x.waitFor("the accounts", func() bool { return len(u.list) >= 40 })
				x.selectUser(u.list[len(u.list)/2].Username)
			}
		})},
		{name: "idps", show: tab("Identity Providers", func(x *harness) {
			s := x.app.idps
			if s.detail == nil {
				x.waitFor("the imported IdPs", func() bool { return len(s.list) >= 3 })
				s.listView.Select(1)
			}
		})},
		{name: "add-idp", show: func(x *harness, size fyne.Size) fyne.Canvas {
			if sel := x.app.tabs.Selected(); sel.Text != "Identity Providers" {
				x.showTab("Identity Providers")
			}
			x.settle(size)
			test.Tap(x.app.idps.add)
			x.settle(size)
			return x.win.Canvas()
		}, hide: func(x *harness) {
			if w := x.app.idps.wizard; w != nil {
				w.dlg.Hide()
			}
			x.q.drain()
		}},
		{name: "mapping-rules", show: tab("Mapping Rules", func(x *harness) {
			r := x.app.rules
			x.waitFor("the demo IdP's mapping", func() bool { return r.form != nil && r.currentSlug() == core.DemoSlug })
		})},
		{name: "activity", show: tab("Activity", func(x *harness) {
			v := x.app.activity
			if v.tabs.SelectedIndex() != 0 {
				v.tabs.SelectIndex(0)
			}
			if v.selected.Load() == 0 {
				x.waitFor("the flight recorder", func() bool { return len(v.list) > 0 })
				v.listView.Select(0)
				x.waitFor("the recording", func() bool { return v.selected.Load() != 0 })
			}
		})},
		{name: "audit", show: tab("Activity", func(x *harness) {
			if x.app.activity.tabs.Selected() != x.app.activity.auditTab {
				x.app.activity.tabs.Select(x.app.activity.auditTab)
			}
		})},
		{name: "demo", show: tab("Demo", nil)},
		{name: "settings", show: tab("Settings", nil)},
		{name: "validator", show: func(x *harness, size fyne.Size) fyne.Canvas {
			v := x.app.validator
			if v == nil {
				v = x.openValidator()
				x.check(v, freshResponse(x.t, x.con))
			}
			v.win.Resize(size)
			x.q.drain()
			return v.win.Canvas()
		}},
	}
}

// settle sizes the window and runs the queued UI work.
func (h *harness) settle(size fyne.Size) {
	h.win.Resize(size)
	h.q.drain()
}

// populateForLayout gives con what a working console has: the demo IdP
// and three imported ones, about fifty accounts with roles, refused
// sign-ins, a mapping with a rule of several conditions.
func populateForLayout(t *testing.T, con *core.Console) {
	t.Helper()
	ctx := context.Background()
	for i, name := range []string{"Okta (Example Corp)", "Entra ID", "Keycloak staging"} {
		slug := []string{"okta", "entra", "keycloak"}[i]
		idp := startSigningIdP(t, con, slug)
		if _, _, err := con.ImportIdP(ctx, core.ImportRequest{
			MetadataInput: core.MetadataInput{Source: core.SourcePaste, Data: idp.metadata()},
			DisplayName:   name, Slug: slug}); err != nil {
			t.Fatalf("import %s: %v", slug, err)
		}
		for _, who := range []string{"pat.example@example.com", "robin.long-surname-for-layout@example.com"} {
			idp.signIn(who)
		}
	}
	res, err := con.SimulateOnboarding(ctx, 44, 2, nil)
	if err != nil || res.Succeeded != 44 {
		t.Fatalf("simulate: %+v, %v", res, err)
	}
	for _, body := range []string{"bm90IGEgcmVzcG9uc2U=", "PHNhbWxwOlJlc3BvbnNlLz4="} {
		resp, err := http.PostForm(con.Endpoints(core.DemoSlug).ACSURL, url.Values{"SAMLResponse": {body}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	idps, err := con.IdPs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(idps, func(i core.IdP) bool { return i.Slug == core.DemoSlug })
	if i < 0 {
		t.Fatal("no demo IdP")
	}
	m := idps[i].Mapping.Normalized()
	if len(m.RoleRules) == 0 || len(m.RoleRules[0].Roles) == 0 {
		t.Fatalf("the demo mapping has no rule to copy roles from: %+v", m)
	}
	m.RoleRules = append(m.RoleRules, core.RoleRule{
		Name: "Engineering leads with a company address",
		Conditions: []core.Condition{
			{Attribute: "groups", Operator: core.OpContains, Value: "engineering", CaseInsensitive: true},
			{Attribute: "title", Operator: core.OpMatches, Value: "(?i)lead|manager|head of"},
			{Attribute: "email", Operator: core.OpExists},
			{Attribute: "contractor", Operator: core.OpNotExists},
		},
		Roles: m.RoleRules[0].Roles,
	})
	if _, _, err := con.SaveMapping(ctx, core.DemoSlug, m, nil); err != nil {
		t.Fatalf("save mapping: %v", err)
	}
}

// writeLayoutPNG writes what c shows to testdata/layout/name.png.
func writeLayoutPNG(t *testing.T, name string, c fyne.Canvas) {
	t.Helper()
	dir := filepath.Join("testdata", "layout")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, strings.ReplaceAll(name, "/", "-")+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, c.Capture()); err != nil {
		t.Fatalf("write %s: %v", f.Name(), err)
	}
}
