package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestUsersListShowsTheProvisioningSource: an account SCIM pre-provisions
// is "scim" in users list (the SOURCE column, provisioned_by in JSON
// Lines) and in users show.
func TestUsersListShowsTheProvisioningSource(t *testing.T) {
	dir := t.TempDir()
	serve := start(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	base := serve.waitFor(t, listeningRE, time.Minute)[2]
	token := scimTokenRE.FindString(runBinary(t, "scim", "token", "--idp", "demo", "--data-dir", dir).stdout)
	req, err := http.NewRequest(http.MethodPost, base+"/scim/demo/v2/Users",
		strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"pre@example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("SCIM create: HTTP %d", resp.StatusCode)
	}
	stopServe(t, serve)

	table := runBinary(t, "users", "list", "--data-dir", dir)
	lines := strings.Split(strings.TrimSpace(table.stdout), "\n")
	if table.code != 0 || len(lines) != 2 || !regexp.MustCompile(`\bIDP +SOURCE +ROLES\b`).MatchString(lines[0]) ||
		!regexp.MustCompile(`\bdemo +scim\b`).MatchString(lines[1]) {
		t.Fatalf("users list: exit %d\n%s%s", table.code, table.stdout, table.stderr)
	}
	jsonl := runBinary(t, "users", "list", "--jsonl", "--data-dir", dir)
	if jsonl.code != 0 || !strings.Contains(jsonl.stdout, `"provisioned_by":"scim"`) {
		t.Fatalf("users list --jsonl: exit %d\n%s%s", jsonl.code, jsonl.stdout, jsonl.stderr)
	}
	show := runBinary(t, "users", "show", "--idp", "demo", "pre@example.com", "--data-dir", dir)
	if show.code != 0 || !regexp.MustCompile(`(?m)^Created by: +scim \(pre-provisioned`).MatchString(show.stdout) {
		t.Fatalf("users show: exit %d\n%s%s", show.code, show.stdout, show.stderr)
	}
}
