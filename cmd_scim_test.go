package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var scimTokenRE = regexp.MustCompile(`jitc_scim_[A-Za-z0-9_-]{43}`)

// TestSCIMTokenCommand: scim token beside a running serve prints a token
// that serve's SCIM endpoint takes; a second call without --rotate is
// refused (the token is shown once); --rotate makes a new one and the old
// one gets 401; the token is nowhere in the data directory's files.
func TestSCIMTokenCommand(t *testing.T) {
	dir := t.TempDir()
	serve := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	base := serve.waitFor(t, listeningRE, time.Minute)[2]

	first := runBinary(t, "scim", "token", "--idp", "demo", "--data-dir", dir)
	token := scimTokenRE.FindString(first.stdout)
	if first.code != 0 || token == "" || !strings.Contains(first.stdout, base+"/scim/demo/v2") {
		t.Fatalf("scim token: exit %d\n%s%s", first.code, first.stdout, first.stderr)
	}
	if got := scimStatus(t, base, token); got != http.StatusOK {
		t.Fatalf("GET /scim/demo/v2/Users with the new token: %d", got)
	}
	again := runBinary(t, "scim", "token", "--idp", "demo", "--data-dir", dir)
	if again.code != 1 || !strings.Contains(again.stderr, "--rotate") || scimTokenRE.MatchString(again.stdout) {
		t.Errorf("a second scim token without --rotate: exit %d\n%s%s", again.code, again.stdout, again.stderr)
	}
	rotated := runBinary(t, "scim", "token", "--idp", "demo", "--rotate", "--data-dir", dir)
	newToken := scimTokenRE.FindString(rotated.stdout)
	if rotated.code != 0 || newToken == "" || newToken == token {
		t.Fatalf("scim token --rotate: exit %d\n%s%s", rotated.code, rotated.stdout, rotated.stderr)
	}
	if got := scimStatus(t, base, token); got != http.StatusUnauthorized {
		t.Errorf("the old token after --rotate: %d, want 401", got)
	}
	if got := scimStatus(t, base, newToken); got != http.StatusOK {
		t.Errorf("the rotated token: %d, want 200", got)
	}
	unknown := runBinary(t, "scim", "token", "--idp", "nope", "--data-dir", dir)
	if unknown.code != 1 || !strings.Contains(unknown.stderr, "nope") {
		t.Errorf("scim token for an unknown IdP: exit %d\n%s", unknown.code, unknown.stderr)
	}
	stopServe(t, serve)
	for _, tok := range []string{token, newToken} {
		if strings.Contains(serve.stdout.String()+serve.stderr.String(), tok) {
			t.Errorf("serve's output holds a SCIM token")
		}
	}
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, tok := range []string{token, newToken} {
			if strings.Contains(string(b), tok) {
				t.Errorf("%s holds a SCIM token in clear", path)
			}
		}
		return nil
	})
}

// scimStatus is the status of GET base/scim/demo/v2/Users with token.
func scimStatus(t *testing.T, base, token string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/scim/demo/v2/Users", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
