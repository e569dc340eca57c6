package samltest

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/jitconsole/jitconsole/core"
)

// Browser is an HTTP client as a browser in a test: cookies kept (for the
// console's binding cookie, whatever the loopback port), redirects not
// followed, so that a test sees each step.
func Browser() *http.Client {
	return &http.Client{Jar: core.NewBrowserJar(), Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// formRe finds the action of an auto-submitting form and its hidden
// SAML fields, as crewjam and the console write them.
var (
	actionRe = regexp.MustCompile(`<form[^>]*\saction="([^"]*)"`)
	fieldRe  = regexp.MustCompile(`name="(SAMLResponse|SAMLRequest|RelayState)"\s+value="([^"]*)"`)
)

// ParseForm reads an auto-submitting SAML form: its action and its
// SAMLResponse, SAMLRequest and RelayState fields. action is "" when the
// page has no form.
func ParseForm(page string) (action string, fields url.Values) {
	fields = url.Values{}
	if m := actionRe.FindStringSubmatch(page); m != nil {
		action = html.UnescapeString(m[1])
	}
	for _, m := range fieldRe.FindAllStringSubmatch(page, -1) {
		fields.Set(m[1], html.UnescapeString(m[2]))
	}
	return action, fields
}

// Response starts an SP-initiated login at loginURL in client and returns
// the IdP's answer as the browser would post it: the ACS's URL and the
// form (SAMLResponse, RelayState). It follows the SP's redirect (or POST
// binding form) to the IdP itself when the client does not. Post the
// answer with the same client: the console binds the request to the
// browser's cookie.
func (i *IdP) Response(client *http.Client, loginURL string) (string, url.Values, error) {
	resp, err := client.Get(loginURL)
	if err != nil {
		return "", nil, fmt.Errorf("start the login: %w", err)
	}
	page, err := readAll(resp)
	if err != nil {
		return "", nil, err
	}
	if action, fields := ParseForm(page); fields.Get("SAMLResponse") != "" {
		return action, fields, nil // a client that follows redirects is at the IdP's answer already
	}
	if resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther {
		return i.Answer(client, resp.Header.Get("Location"))
	}
	action, fields := ParseForm(page)
	if fields.Get("SAMLRequest") == "" {
		return "", nil, fmt.Errorf("the SP answered HTTP %d with neither a redirect nor a request form: %.300s", resp.StatusCode, page)
	}
	if resp, err = client.PostForm(action, fields); err != nil {
		return "", nil, fmt.Errorf("post the request to the IdP: %w", err)
	}
	return answerOf(resp)
}

// Answer is the IdP's answer in client to the request in ssoURL (the
// HTTP-Redirect URL that the SP sent the browser to): the ACS's URL and
// the form. Each call is a new response to the same request, as when a
// browser goes back and asks the IdP again.
func (i *IdP) Answer(client *http.Client, ssoURL string) (string, url.Values, error) {
	resp, err := client.Get(ssoURL)
	if err != nil {
		return "", nil, fmt.Errorf("go to the IdP: %w", err)
	}
	return answerOf(resp)
}

// Initiated is an IdP-initiated login's answer in client: the ACS's URL
// and the form.
func (i *IdP) Initiated(client *http.Client) (string, url.Values, error) {
	resp, err := client.Get(i.InitiateURL())
	if err != nil {
		return "", nil, fmt.Errorf("IdP-initiated login: %w", err)
	}
	return answerOf(resp)
}

// answerOf reads the IdP's response form from resp.
func answerOf(resp *http.Response) (string, url.Values, error) {
	page, err := readAll(resp)
	if err != nil {
		return "", nil, err
	}
	action, fields := ParseForm(page)
	if action == "" || fields.Get("SAMLResponse") == "" {
		return "", nil, fmt.Errorf("the IdP answered HTTP %d without a response form: %.300s", resp.StatusCode, page)
	}
	return action, fields, nil
}

// SignIn runs an SP-initiated login at loginURL in client to the end: it
// posts the IdP's answer to the ACS and returns the ACS's status and page
// (for a client that follows redirects, those of the page it lands on).
func (i *IdP) SignIn(client *http.Client, loginURL string) (int, string, error) {
	action, form, err := i.Response(client, loginURL)
	if err != nil {
		return 0, "", err
	}
	return Post(client, action, form)
}

// Post posts form to the ACS at action in client and returns the status
// and page.
func Post(client *http.Client, action string, form url.Values) (int, string, error) {
	resp, err := client.PostForm(action, form)
	if err != nil {
		return 0, "", fmt.Errorf("post to the ACS: %w", err)
	}
	page, err := readAll(resp)
	return resp.StatusCode, page, err
}

// readAll reads and closes resp's body, up to 4 MiB.
func readAll(resp *http.Response) (string, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read HTTP %d: %w", resp.StatusCode, err)
	}
	return string(b), nil
}
