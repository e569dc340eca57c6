// Fetching IdP metadata from a URL.

package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// FetchMetadata downloads metadata from an http(s) URL, with a timeout and
// a size limit.
func FetchMetadata(ctx context.Context, client *http.Client, rawURL string) ([]byte, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, Errorf(EINVALID, "%q is not an http(s) URL.", rawURL)
	}
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	sameHost := *client
	sameHost.CheckRedirect = redirectOnlyWithin(u)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, Errorf(EINVALID, "%q is not a usable URL.", rawURL)
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml, text/xml")
	resp, err := sameHost.Do(req)
	var refused *Error
	if errors.As(err, &refused) {
		return nil, refused
	} else if err != nil {
		return nil, &Error{Code: EUNAVAILABLE, Err: err, Message: fmt.Sprintf("The metadata could not be fetched from %s: %v.", u.Host, firstLine(err))}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, Errorf(EUNAVAILABLE, "Fetching the metadata from %s answered HTTP %d.", u.String(), resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxMetadataSize+1))
	if err != nil {
		return nil, &Error{Code: EUNAVAILABLE, Err: err, Message: "The metadata download broke off: " + firstLine(err)}
	}
	if len(data) > MaxMetadataSize {
		return nil, Errorf(EINVALID, "The document at %s is larger than %d MiB; that is not an IdP's metadata.", u.String(), MaxMetadataSize>>20)
	}
	return data, nil
}

// redirectOnlyWithin is a CheckRedirect that follows up to 10 redirects
// on the host of start and refuses any to another host (metadata names
// the keys logins are verified with: a redirect must not hand that choice
// to another server) or from https down to http.
func redirectOnlyWithin(start *url.URL) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return Errorf(EUNAVAILABLE, "The metadata URL %s redirects more than 10 times.", start)
		}
		if !strings.EqualFold(req.URL.Hostname(), start.Hostname()) {
			return Errorf(EINVALID, "The metadata URL on %s redirects to another host, %s; JIT Console follows redirects only on the same host. Import the final URL if you trust that host.",
				start.Hostname(), req.URL.Hostname())
		}
		if start.Scheme == "https" && req.URL.Scheme != "https" {
			return Errorf(EINVALID, "The metadata URL on %s redirects from https to plain http (%s); refusing the downgrade.", start.Hostname(), req.URL)
		}
		return nil
	}
}
