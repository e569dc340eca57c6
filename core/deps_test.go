package core

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCoreAndStorageDoNotDependOnFyne keeps the UI toolkit out of the
// domain and the storage layers, so that they build and test headless.
func TestCoreAndStorageDoNotDependOnFyne(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../core/...", "../storage/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "fyne.io/") {
			t.Fatalf("core or storage depends on %s", pkg)
		}
	}
	if !strings.Contains(string(out), "github.com/jitconsole/jitconsole/core") {
		t.Fatalf("go list did not list core itself:\n%s", out)
	}
}
