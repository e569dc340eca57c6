package core_test

// Real IdP interop: Debian's simplesamlphp package runs as a SAML IdP under
// PHP's built-in web server on 127.0.0.1, the console imports it by its
// metadata URL through its own import path, SimpleSAMLphp gets the
// console's SP metadata, and chromium signs two of its users in.

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/crewjam/saml"

	"github.com/jitconsole/jitconsole/core"
)

// sspWWW is where Debian's simplesamlphp package keeps its web root.
const sspWWW = "/usr/share/simplesamlphp/www"

// requireSimpleSAMLphp skips the test when SimpleSAMLphp, PHP with the
// extensions it needs, or openssl are missing, unless make test
// (JITCONSOLE_REQUIRE_SSP=1) or CI say that it must run.
func requireSimpleSAMLphp(t *testing.T) {
	t.Helper()
	why := ""
	if _, err := os.Stat(sspWWW); err != nil {
		why = "SimpleSAMLphp is not installed (" + sspWWW + " is absent)"
	} else if _, err := exec.LookPath("php"); err != nil {
		why = "php is not installed (Debian's php-cli)"
	} else if _, err := exec.LookPath("openssl"); err != nil {
		why = "openssl is not installed"
	} else if out, err := exec.Command("php", "-r",
		`exit(class_exists("DOMDocument") && function_exists("mb_strlen") ? 0 : 3);`).CombinedOutput(); err != nil {
		why = fmt.Sprintf("PHP lacks the xml or mbstring extension that SimpleSAMLphp needs (Debian's php-xml, php-mbstring): %v %s", err, out)
	}
	if why == "" {
		return
	}
	why += "; scripts/deps.sh test installs it"
	if os.Getenv("JITCONSOLE_REQUIRE_SSP") == "1" || os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why + " (make test requires this test)")
}

// sspIdP is a running SimpleSAMLphp IdP.
type sspIdP struct {
	Base        string // http://127.0.0.1:PORT/simplesaml/
	MetadataURL string
	Dir         string // its config dir: config.php, authsources.php, metadata/
	Cert        []byte // the signing certificate, PEM
}

// sspData are the values the config templates take.
type sspData struct {
	BaseURL, Dir, MetadataDir string
	EntityID, ACSURL          string
}

var sspTemplates = template.Must(template.New("").Funcs(template.FuncMap{"php": phpString}).
	ParseGlob(filepath.Join("testdata", "simplesamlphp", "*.tmpl")))

// phpString quotes s as a PHP single-quoted string literal.
func phpString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func writeTemplate(t *testing.T, name, path string, data sspData) {
	t.Helper()
	var buf bytes.Buffer
	if err := sspTemplates.ExecuteTemplate(&buf, name, data); err != nil {
		t.Fatalf("template %s: %v", name, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startSimpleSAMLphp writes a config dir with its own key, certificate and
// secret salt, starts php -S on a free loopback port, and waits until the
// IdP's metadata answers. The server is killed when the test ends.
func startSimpleSAMLphp(t *testing.T) *sspIdP {
	t.Helper()
	dir := t.TempDir()
	mdDir := filepath.Join(dir, "metadata")
	if err := os.Mkdir(mdDir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
		"-keyout", filepath.Join(dir, "idp.key"), "-out", filepath.Join(dir, "idp.crt"),
		"-days", "30", "-subj", "/CN=SimpleSAMLphp interop test").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl req: %v\n%s", err, out)
	}
	cert, err := os.ReadFile(filepath.Join(dir, "idp.crt"))
	if err != nil {
		t.Fatal(err)
	}
	authsources, err := os.ReadFile(filepath.Join("testdata", "simplesamlphp", "authsources.php"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authsources.php"), authsources, 0o644); err != nil {
		t.Fatal(err)
	}
	router, err := filepath.Abs(filepath.Join("testdata", "simplesamlphp", "router.php"))
	if err != nil {
		t.Fatal(err)
	}
	// The hosted IdP needs no SP at start; the console's SP is registered
	// once the console has imported the IdP (SimpleSAMLphp reads its
	// metadata files on every request).
	writeTemplate(t, "saml20-idp-hosted.php.tmpl", filepath.Join(mdDir, "saml20-idp-hosted.php"), sspData{})
	if err := os.WriteFile(filepath.Join(mdDir, "saml20-sp-remote.php"), []byte("<?php\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PHP_CLI_SERVER_WORKERS=") && !strings.HasPrefix(kv, "SIMPLESAMLPHP_CONFIG_DIR=") {
			env = append(env, kv)
		}
	}
	env = append(env, "SIMPLESAMLPHP_CONFIG_DIR="+dir)

	// The port is picked free, then bound by php: another process may take
	// it in between, so a failed bind tries another.
	for attempt := 1; ; attempt++ {
		port := loopbackPort(t)
		base := "http://127.0.0.1:" + port + "/simplesaml/"
		writeTemplate(t, "config.php.tmpl", filepath.Join(dir, "config.php"),
			sspData{BaseURL: base, Dir: dir + "/", MetadataDir: mdDir + "/"})
		logPath := filepath.Join(dir, fmt.Sprintf("php-server-%d.log", attempt))
		logFile, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("php", "-S", "127.0.0.1:"+port, "-t", sspWWW, router)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, logFile, logFile
		if err := cmd.Start(); err != nil {
			logFile.Close()
			t.Fatalf("start php -S: %v", err)
		}
		done := make(chan struct{})
		go func() {
			cmd.Wait()
			logFile.Close()
			close(done)
		}()
		t.Cleanup(func() {
			cmd.Process.Kill()
			<-done
		})
		idp := &sspIdP{Base: base, MetadataURL: base + "saml2/idp/metadata.php", Dir: dir, Cert: cert}
		err = waitForMetadata(idp.MetadataURL, done, 15*time.Second)
		if err == nil {
			t.Cleanup(func() {
				if t.Failed() {
					logTail(t, "php -S", logPath)
					logTail(t, "SimpleSAMLphp's log", filepath.Join(dir, "simplesamlphp.log"))
				}
			})
			return idp
		}
		log, _ := os.ReadFile(logPath)
		if attempt < 3 && bytes.Contains(log, []byte("Failed to listen")) {
			continue
		}
		t.Fatalf("SimpleSAMLphp did not come up at %s: %v\nphp -S output:\n%s", idp.MetadataURL, err, log)
	}
}

// waitForMetadata polls url until it serves an EntityDescriptor, the
// server exits, or timeout passes.
func waitForMetadata(url string, exited <-chan struct{}, timeout time.Duration) error {
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(timeout)
	var last error
	for {
		resp, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte("EntityDescriptor")) {
				return nil
			}
			last = fmt.Errorf("%s: %.500s", resp.Status, body)
		} else {
			last = err
		}
		select {
		case <-exited:
			return errors.New("php -S exited")
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return last
		}
	}
}

func loopbackPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func logTail(t *testing.T, what, path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	if len(b) > 6000 {
		b = b[len(b)-6000:]
	}
	t.Logf("%s (%s), last lines:\n%s", what, path, b)
}

// registerSP tells SimpleSAMLphp about the console's SP from the metadata
// the console serves for the IdP slug (entity ID and HTTP-POST ACS).
func (idp *sspIdP) registerSP(t *testing.T, spMetadataURL string) (entityID, acs string) {
	t.Helper()
	resp, err := http.Get(spMetadataURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", spMetadataURL, resp.Status, body)
	}
	var md saml.EntityDescriptor
	if err := xml.Unmarshal(body, &md); err != nil {
		t.Fatalf("the console's SP metadata: %v\n%s", err, body)
	}
	if len(md.SPSSODescriptors) != 1 {
		t.Fatalf("the console's SP metadata has %d SPSSODescriptors:\n%s", len(md.SPSSODescriptors), body)
	}
	for _, a := range md.SPSSODescriptors[0].AssertionConsumerServices {
		if a.Binding == saml.HTTPPostBinding {
			acs = a.Location
			break
		}
	}
	if md.EntityID == "" || acs == "" {
		t.Fatalf("the console's SP metadata lacks an entity ID or an HTTP-POST ACS:\n%s", body)
	}
	writeTemplate(t, "saml20-sp-remote.php.tmpl", filepath.Join(idp.Dir, "metadata", "saml20-sp-remote.php"),
		sspData{EntityID: md.EntityID, ACSURL: acs})
	return md.EntityID, acs
}

// TestSimpleSAMLphpInterop signs two users of a real SimpleSAMLphp IdP in
// through chromium: one with a multi-valued groups attribute, which the
// role rules turn into three roles, and one without groups, who gets the
// default role.
func TestSimpleSAMLphpInterop(t *testing.T) {
	requireSimpleSAMLphp(t)
	exe := chromiumPath(t)
	ctx := context.Background()
	idp := startSimpleSAMLphp(t)
	tc := startConsole(t, t.TempDir(), "") // base URL http://127.0.0.1:PORT: one host name everywhere

	// Import through the console's own path, by metadata URL.
	saved, prev, err := tc.ImportIdP(ctx, core.ImportRequest{
		MetadataInput: core.MetadataInput{Source: core.SourceURL, Name: idp.MetadataURL},
		Slug:          "ssp", DisplayName: "SimpleSAMLphp",
	})
	if err != nil {
		t.Fatalf("import the IdP from %s: %v", idp.MetadataURL, core.ErrorMessage(err))
	}
	if prev.EntityID != idp.MetadataURL || saved.EntityID != idp.MetadataURL || saved.MetadataURL != idp.MetadataURL {
		t.Errorf("entity ID %q (saved %q, metadata URL %q), want %q", prev.EntityID, saved.EntityID, saved.MetadataURL, idp.MetadataURL)
	}
	cert, err := core.ParseCertificatePEM(idp.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(prev.Certs, func(c core.CertInfo) bool {
		return c.Fingerprint == core.CertFingerprint(cert) && (c.Use == "signing" || c.Use == "")
	}) {
		t.Errorf("the preview's certificates %+v lack the IdP's signing certificate %s", prev.Certs, core.CertFingerprint(cert))
	}
	if !slices.ContainsFunc(prev.SSO, func(e core.SSOEndpoint) bool {
		return e.Binding == saml.HTTPRedirectBinding && e.Location == idp.Base+"saml2/idp/SSOService.php"
	}) {
		t.Errorf("SSO endpoints %+v", prev.SSO)
	}

	// The role rules of the demo IdP, with "member" for everyone else.
	// (UpdateIdP saves settings only; the mapping goes to the store.)
	saved.Mapping = core.DemoMapping()
	if _, err := tc.DB.SaveIdP(ctx, saved); err != nil {
		t.Fatal(err)
	}

	ep := tc.Endpoints("ssp")
	entityID, acs := idp.registerSP(t, ep.MetadataURL)
	if entityID != ep.EntityID || acs != ep.ACSURL {
		t.Fatalf("SP metadata says %s / %s; the console's endpoints are %s / %s", entityID, acs, ep.EntityID, ep.ACSURL)
	}

	browserCtx := newBrowser(t, exe)
	// The first action starts the browser: no timeout on it.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

	// student: groups Admins, Engineering, Sales.
	heading, summary := sspSignIn(t, browserCtx, ep.LoginURL, "student", "studentpass")
	if heading != "Welcome, Stu Dent" || !contains(summary, "created just now") {
		t.Errorf("student's welcome page: %q / %q", heading, summary)
	}
	student := sspUser(t, tc, "student")
	if got, want := student.Attributes["groups"], []string{"Admins", "Engineering", "Sales"}; !slices.Equal(got, want) {
		t.Errorf("student's groups attribute = %q, want %q (attributes %v)", got, want, student.Attributes)
	}
	if got, want := roleNames(student.User), []string{"admin", "engineering", "sales"}; !slices.Equal(got, want) {
		t.Errorf("student's roles = %v, want %v", got, want)
	}
	for _, r := range []string{"admin", "engineering", "sales"} {
		if !contains(summary, r) {
			t.Errorf("the welcome page does not name role %s: %q", r, summary)
		}
	}
	if student.Email != "student@example.org" || student.DisplayName != "Stu Dent" {
		t.Errorf("student's account: email %q, display name %q", student.Email, student.DisplayName)
	}
	// A persistent NameID: SimpleSAMLphp derives an opaque 40-hex-digit
	// value from uid, the two entity IDs and its secret salt.
	if len(student.NameID) != 40 || strings.Trim(student.NameID, "0123456789abcdef") != "" {
		t.Errorf("student's NameID %q is not SimpleSAMLphp's persistent NameID", student.NameID)
	}

	// guest, in a fresh browser context (no SimpleSAMLphp session): no groups.
	heading, summary = sspSignIn(t, browserCtx, ep.LoginURL, "guest", "guestpass")
	if heading != "Welcome, Guest User" || !contains(summary, "member") {
		t.Errorf("guest's welcome page: %q / %q", heading, summary)
	}
	guest := sspUser(t, tc, "guest")
	if got := roleNames(guest.User); !slices.Equal(got, []string{"member"}) || guest.Roles[0].Source != "default role" {
		t.Errorf("guest's roles = %+v, want only the default role member", guest.Roles)
	}
	if g, ok := guest.Attributes["groups"]; ok {
		t.Errorf("guest has a groups attribute %q", g)
	}
	if student.ID == guest.ID || student.NameID == guest.NameID {
		t.Errorf("student and guest share an account: %+v / %+v", student.User, guest.User)
	}

	// No refusal on the way; the flight recorder has both responses, and
	// the validator accepts the recorded one as the ACS did.
	events, err := tc.RecentEvents(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Kind == core.EventLoginRefused {
			t.Errorf("a refused login: %s (%s) %s", e.Message, e.Class, e.Detail)
		}
	}
	recs, err := tc.Recordings(ctx, core.RecordingFilter{IdPSlug: "ssp"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d recordings for ssp, want 2: %+v", len(recs), recs)
	}
	for _, r := range recs {
		if r.Outcome != core.OutcomeAccepted || r.Weak {
			t.Errorf("recording %d: outcome %s, weak %v", r.ID, r.Outcome, r.Weak)
		}
		if r.UserID != student.ID {
			continue
		}
		full, err := tc.Recording(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := tc.CheckWithIdP(ctx, "ssp", full.Raw, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		// The validator tells the ACS's truth: a recorded response was
		// accepted once, so posting it again would be a replay.
		if rep.Valid || rep.Class != core.ClassReplayed || rep.Issuer != idp.MetadataURL || len(rep.Signed) == 0 {
			t.Errorf("check of the recorded response: %+v, want refused as replayed", rep)
		}
		sspIdP, err := tc.DB.GetIdP(ctx, "ssp")
		if err != nil {
			t.Fatal(err)
		}
		rt, _, err := tc.TestRulesOnResponse(ctx, "ssp", sspIdP.Mapping, full.Raw)
		if err != nil || rt.NameID != student.NameID ||
			!slices.Equal(rt.Attributes["groups"], []string{"Admins", "Engineering", "Sales"}) {
			t.Errorf("rule test of the recorded response: %+v, %v", rt, err)
		}
	}
}

// sspSignIn opens the console's login URL for the IdP in a new browser
// context (its own cookies), signs in at SimpleSAMLphp's login form, and
// returns the welcome page's heading and summary.
func sspSignIn(t *testing.T, browserCtx context.Context, loginURL, user, password string) (heading, summary string) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // the tab, before any timeout
		t.Fatalf("new browser context: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 30*time.Second)
	defer cancelTimeout()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(loginURL),
		chromedp.WaitVisible(chromedp.ID("username")),
	); err != nil {
		t.Fatalf("%s: SimpleSAMLphp's login form did not appear: %v\n%s", user, err, pageText(ctx))
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("submit_button")),
	); err != nil {
		t.Fatalf("%s: fill in the login form: %v", user, err)
	}
	// SimpleSAMLphp posts the response to the ACS from an auto-submitting
	// form; the console then redirects to /welcome. Its error pages, and
	// the console's, answer with a page, not a failed load: look at it.
	const probe = `document.getElementById("welcome") ? "welcome" :
		document.getElementById("trackid") ? "SimpleSAMLphp error" :
		document.querySelector("h1.bad") ? "console error" :
		(document.getElementById("username") && document.querySelector(".erroricon")) ? "login rejected" : ""`
	for {
		state, err := chromedp.Run(ctx, chromedp.Evaluate[string](probe))
		if err != nil && ctx.Err() != nil {
			last, stop := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
			defer stop()
			t.Fatalf("%s: no welcome page within 30 s (%v)\n%s", user, err, pageText(last))
		}
		switch state {
		case "welcome":
			heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("welcome")))
			if err != nil {
				t.Fatal(err)
			}
			summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("summary")))
			if err != nil {
				t.Fatal(err)
			}
			return heading, summary
		case "":
		default:
			t.Fatalf("%s: %s page:\n%s", user, state, pageText(ctx))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pageText is the current URL and text of the page, for failure messages.
func pageText(ctx context.Context) string {
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + (document.body ? document.body.innerText : "")`))
	if err != nil {
		return fmt.Sprintf("(page unreadable: %v)", err)
	}
	if len(text) > 3000 {
		text = text[:3000] + "…"
	}
	return text
}

// sspUser returns the account of the SimpleSAMLphp user with username.
func sspUser(t *testing.T, tc *testConsole, username string) core.UserDetail {
	t.Helper()
	for _, u := range users(t, tc) {
		if u.IdPSlug == "ssp" && u.Username == username {
			d, err := tc.User(context.Background(), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
	}
	t.Fatalf("no account for %s from ssp among %+v", username, users(t, tc))
	return core.UserDetail{}
}

func roleNames(u core.User) []string {
	var out []string
	for _, r := range u.Roles {
		out = append(out, r.Role)
	}
	slices.Sort(out)
	return out
}
