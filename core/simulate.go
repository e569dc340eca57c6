// The demo's logins: simulated new hires and persona sign-ins sent
// through the real SAML flow to the console's own ACS.

package core

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SimulateOptions configure Simulate.
type SimulateOptions struct {
	// Target is the base URL of a running console, e.g. http://localhost:8080.
	Target string
	// Count new hires sign in, Concurrency at a time (default 4).
	Count       int
	Concurrency int
	// Seed makes the generated people repeatable; 0 picks one.
	Seed uint64
	// Secret is the console's HireSecret: its demo IdP signs in only the
	// new hires that carry an HMAC made with it (required).
	Secret HireSecret
	// Transport, if set, carries the HTTP requests (tests, demo simulate
	// --ca-cert); each login
	// still gets a client with a cookie jar of its own.
	Transport http.RoundTripper
	// Progress, if set, is called from worker goroutines after each login.
	Progress func(SimProgress)
}

// SimProgress is the state of a running simulation.
type SimProgress struct {
	Done   int // logins finished, successful or not
	Failed int
	Total  int
	Last   string // display name of the last person finished
}

// SimResult is the outcome of a simulation.
type SimResult struct {
	Succeeded int
	Failed    int
	Errors    []string // one per failed login, at most 20
	Elapsed   time.Duration
}

// Simulate runs Count new hires through the real SP-initiated flow of the
// console at Target: /saml/demo/login, the demo IdP's page, the signed
// assertion posted to the ACS, and the welcome page. It returns an error
// only when the simulation could not run at all (bad options, cancelled).
func Simulate(ctx context.Context, opts SimulateOptions) (SimResult, error) {
	if opts.Count < 1 {
		return SimResult{}, Errorf(EINVALID, "The number of new hires must be at least 1.")
	}
	if opts.Secret.IsZero() {
		return SimResult{}, Errorf(EINVALID, "The simulation needs the console's hire secret: its demo IdP signs in no new hire without it.")
	}
	if opts.Concurrency < 1 {
		opts.Concurrency = 4
	}
	target, err := url.Parse(strings.TrimRight(opts.Target, "/"))
	if err != nil || target.Scheme == "" || target.Host == "" {
		return SimResult{}, Errorf(EINVALID, "The target %q is not a URL like http://localhost:8080.", opts.Target)
	}
	seed := opts.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	hires := GenerateHires(opts.Count, seed)

	start := time.Now()
	var (
		mu     sync.Mutex
		res    SimResult
		done   atomic.Int64
		jobs   = make(chan Persona)
		wg     sync.WaitGroup
		failed atomic.Int64
	)
	for range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				err := DemoLogin(ctx, opts.Transport, target.String(), opts.Secret, p)
				mu.Lock()
				if err != nil {
					failed.Add(1)
					res.Failed++
					if len(res.Errors) < 20 {
						res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", p.DisplayName, err))
					}
				} else {
					res.Succeeded++
				}
				mu.Unlock()
				n := done.Add(1)
				if opts.Progress != nil {
					opts.Progress(SimProgress{Done: int(n), Failed: int(failed.Load()), Total: opts.Count, Last: p.DisplayName})
				}
			}
		}()
	}
feed:
	for _, p := range hires {
		select {
		case jobs <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	res.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("simulation stopped after %d of %d: %w", res.Succeeded+res.Failed, opts.Count, err)
	}
	return res, nil
}

// SimulateOnboarding runs Simulate against this console's own listener.
func (c *Console) SimulateOnboarding(ctx context.Context, count, concurrency int, progress func(SimProgress)) (SimResult, error) {
	st := c.Listener()
	if !st.Running {
		return SimResult{}, Errorf(EUNAVAILABLE, "The SP listener is not running, so nobody can sign in. %s", st.Err)
	}
	if demo := c.DemoIdP(ctx); !demo.On {
		return SimResult{}, Errorf(EUNAVAILABLE, "%s", demo.Reason)
	}
	c.publish(ctx, Event{Kind: EventSimulation, Outcome: OutcomeInfo, IdPSlug: DemoSlug,
		Message: fmt.Sprintf("Simulating onboarding of %d new hires", count)})
	res, err := Simulate(ctx, SimulateOptions{Target: c.BaseURL(), Count: count,
		Concurrency: concurrency, Progress: progress, Secret: c.hireSecret, Transport: c.selfTransport()})
	if err == nil {
		outcome := OutcomeInfo
		if res.Failed > 0 {
			outcome = OutcomeWarning
		}
		c.publish(ctx, Event{Kind: EventSimulation, Outcome: outcome, IdPSlug: DemoSlug,
			Message: fmt.Sprintf("Simulation finished: %d signed in, %d failed, in %s", res.Succeeded, res.Failed, res.Elapsed.Round(time.Millisecond))})
	}
	return res, err
}

// DemoLogin signs p in at the console at target through the demo IdP, as a
// browser would, and checks that it lands on the welcome page. The persona
// need not be one of the demo IdP's: it is sent as a generated new hire,
// with an HMAC made with the console's secret.
func DemoLogin(ctx context.Context, transport http.RoundTripper, target string, secret HireSecret, p Persona) error {
	return demoFlow(ctx, transport, target, chooseHire(secret, p))
}

// DemoLoginAs signs in as the demo IdP's persona id, by posting the
// picker page's own form.
func DemoLoginAs(ctx context.Context, transport http.RoundTripper, target, id string) error {
	return demoFlow(ctx, transport, target, chooseFields(url.Values{formPersona: {id}}))
}

func demoFlow(ctx context.Context, transport http.RoundTripper, target string, choose demoChoice) error {
	// A browser's jar: the login-binding cookie is Secure, and browsers
	// send it back over http to loopback, which Go's cookiejar does not.
	client := &http.Client{Jar: NewBrowserJar(), Transport: transport, Timeout: 30 * time.Second}
	acs, fields, err := demoResponse(ctx, client, target, choose)
	if err != nil {
		return err
	}
	// 3. Post the assertion to the ACS; follow to the welcome page.
	page, status, err := fetch(ctx, client, http.MethodPost, acs, fields)
	if err != nil {
		return fmt.Errorf("post to the ACS: %w", err)
	}
	if status != http.StatusOK || !strings.Contains(page, `id="welcome"`) {
		return fmt.Errorf("the ACS refused the login (HTTP %d): %s", status, pageReason(page))
	}
	return nil
}

// DemoResponse runs the browser's part of an SP-initiated demo login at the
// console at target, up to the signed response, without posting it: it
// returns the ACS URL and the form (SAMLResponse, RelayState) the demo IdP
// would have the browser post. choice holds fields set over the picker
// page's form: "persona" with a persona ID (the page's token goes along).
func DemoResponse(ctx context.Context, client *http.Client, target string, choice url.Values) (string, url.Values, error) {
	return demoResponse(ctx, client, target, chooseFields(choice))
}

// DemoHireResponse is DemoResponse for the generated new hire p, signed
// with the console's secret.
func DemoHireResponse(ctx context.Context, client *http.Client, target string, secret HireSecret, p Persona) (string, url.Values, error) {
	return demoResponse(ctx, client, target, chooseHire(secret, p))
}

// demoChoice fills in the choice of person over the fields of the demo
// IdP's picker form.
type demoChoice func(fields url.Values) error

// chooseFields sets choice's fields over the form.
func chooseFields(choice url.Values) demoChoice {
	return func(fields url.Values) error {
		for k, v := range choice {
			fields[k] = v
		}
		return nil
	}
}

// chooseHire sends p as a new hire, with the HMAC of the hire and of the
// AuthnRequest on the page made with secret.
func chooseHire(secret HireSecret, p Persona) demoChoice {
	return func(fields url.Values) error {
		request, err := base64.StdEncoding.DecodeString(fields.Get("SAMLRequest"))
		if err != nil {
			return fmt.Errorf("the demo IdP's page holds no readable SAMLRequest: %w", err)
		}
		hire := encodeHire(p)
		fields.Set(formHire, hire)
		fields.Set(formHireMAC, secret.HireMAC(request, hire))
		return nil
	}
}

func demoResponse(ctx context.Context, client *http.Client, target string, choose demoChoice) (string, url.Values, error) {
	// 1. SP-initiated login; redirects to the demo IdP's persona page.
	page, _, err := fetch(ctx, client, http.MethodGet, strings.TrimRight(target, "/")+"/saml/"+DemoSlug+"/login", nil)
	if err != nil {
		return "", nil, fmt.Errorf("start login: %w", err)
	}
	action, fields := parseForm(page)
	if action == "" || fields.Get("SAMLRequest") == "" {
		return "", nil, errors.New("the demo IdP did not show its sign-in page")
	}
	if err := choose(fields); err != nil {
		return "", nil, err
	}
	// 2. Choose the person; the IdP answers with the signed response form.
	page, _, err = fetch(ctx, client, http.MethodPost, action, fields)
	if err != nil {
		return "", nil, fmt.Errorf("sign in at the demo IdP: %w", err)
	}
	acs, fields := parseForm(page)
	if acs == "" || fields.Get("SAMLResponse") == "" {
		return "", nil, fmt.Errorf("the demo IdP did not return a SAML response: %s", pageReason(page))
	}
	return acs, fields, nil
}

func fetch(ctx context.Context, client *http.Client, method, u string, form url.Values) (string, int, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return "", 0, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", 0, err
	}
	if method == http.MethodGet && resp.StatusCode != http.StatusOK {
		return string(b), resp.StatusCode, fmt.Errorf("HTTP %d: %s", resp.StatusCode, pageReason(string(b)))
	}
	return string(b), resp.StatusCode, nil
}

var (
	formActionRe = regexp.MustCompile(`(?is)<form[^>]*\saction="([^"]*)"`)
	inputRe      = regexp.MustCompile(`(?is)<input[^>]*>`)
	attrRe       = regexp.MustCompile(`(?is)\s(name|value)="([^"]*)"`)
	reasonRe     = regexp.MustCompile(`(?is)<h1[^>]*>(.*?)</h1>\s*<p>(.*?)</p>`)
)

// parseForm returns the action and the hidden fields of the first form of
// an HTML page.
func parseForm(page string) (string, url.Values) {
	m := formActionRe.FindStringSubmatch(page)
	if m == nil {
		return "", nil
	}
	fields := url.Values{}
	for _, in := range inputRe.FindAllString(page, -1) {
		var name, value string
		for _, a := range attrRe.FindAllStringSubmatch(in, -1) {
			if strings.EqualFold(a[1], "name") {
				name = html.UnescapeString(a[2])
			} else {
				value = html.UnescapeString(a[2])
			}
		}
		if name != "" {
			fields.Set(name, value)
		}
	}
	return html.UnescapeString(m[1]), fields
}

func pageReason(page string) string {
	if m := reasonRe.FindStringSubmatch(page); m != nil {
		return html.UnescapeString(m[1] + ": " + m[2])
	}
	if len(page) > 200 {
		page = page[:200]
	}
	return strings.TrimSpace(page)
}

var (
	firstNames  = []string{"Ava", "Liam", "Noah", "Mia", "Ethan", "Sofia", "Lucas", "Amara", "Kenji", "Priya", "Mateo", "Chloé", "Oskar", "Leila", "Tomás", "Ingrid", "Wei", "Fatima", "Jonas", "Nia", "Rafael", "Yuki", "Anika", "Diego"}
	lastNames   = []string{"Okafor", "Lindqvist", "Moreau", "Tanaka", "Ramírez", "Novak", "Fischer", "Haddad", "Kowalski", "Singh", "O'Brien", "Rossi", "Nguyen", "Costa", "Petrov", "Adeyemi", "Jensen", "Park", "Silva", "Müller"}
	departments = []struct {
		Name   string
		Groups []string
	}{
		{"Engineering", []string{"Engineering"}},
		{"Engineering", []string{"Engineering", "On-call"}},
		{"Sales", []string{"Sales"}},
		{"Support", []string{"Support"}},
		{"Finance", []string{"Finance"}},
		{"IT", []string{"Admins", "Engineering"}},
		{"Marketing", nil},
	}
)

// GenerateHires makes n new hires with distinct NameIDs, repeatable for a
// seed: names, departments and the groups that go with them.
func GenerateHires(n int, seed uint64) []Persona {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]Persona, 0, n)
	batch := fmt.Sprintf("%04x", r.Uint32()&0xffff)
	for i := range n {
		first := firstNames[r.IntN(len(firstNames))]
		last := lastNames[r.IntN(len(lastNames))]
		d := departments[r.IntN(len(departments))]
		user := strings.ToLower(asciiFold(first) + "." + asciiFold(last) + fmt.Sprintf(".%s%d", batch, i+1))
		out = append(out, Persona{
			ID: user, NameIDFormat: "email", Username: user,
			DisplayName: first + " " + last, GivenName: first, Surname: last,
			Email: user + "@example.com", Department: d.Name, Groups: d.Groups,
		})
	}
	return out
}

func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case strings.ContainsRune("éèê", r):
			b.WriteByte('e')
		case strings.ContainsRune("áà", r):
			b.WriteByte('a')
		case r == 'ü':
			b.WriteByte('u')
		}
	}
	return b.String()
}
