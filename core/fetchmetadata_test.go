package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jitconsole/jitconsole/core"
)

// TestFetchMetadataFollowsRedirectsOnlyOnTheSameHost: a redirect on the
// metadata URL's host is followed; one to another host (here localhost
// for 127.0.0.1: another name, so another host to a browser or a TLS
// certificate) is refused with both hosts named.
func TestFetchMetadataFollowsRedirectsOnlyOnTheSameHost(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<EntityDescriptor/> from the other host"))
	}))
	defer other.Close()
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/metadata", http.StatusMovedPermanently)
		case "/elsewhere":
			http.Redirect(w, r, otherURL+"/metadata", http.StatusFound)
		case "/metadata":
			_, _ = w.Write([]byte("<EntityDescriptor/>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	tests := []struct {
		name, path, want, wantErr string
	}{
		{"no redirect", "/metadata", "<EntityDescriptor/>", ""},
		{"redirect on the same host", "/moved", "<EntityDescriptor/>", ""},
		{"redirect to another host", "/elsewhere", "", "on 127.0.0.1 redirects to another host, localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := core.FetchMetadata(context.Background(), nil, srv.URL+tt.path)
			if tt.wantErr != "" {
				if core.ErrorCode(err) != core.EINVALID || !strings.Contains(core.ErrorMessage(err), tt.wantErr) {
					t.Fatalf("err = %v, want EINVALID saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(data) != tt.want {
				t.Fatalf("FetchMetadata = %q, %v; want %q", data, err, tt.want)
			}
		})
	}
}
