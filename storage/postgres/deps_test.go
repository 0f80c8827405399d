package postgres_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestProductionPackageDoesNotLinkTesting: the adapter's test helpers live in postgrestest, so a
// binary using the store does not carry the testing package (nor its flags).
func TestProductionPackageDoesNotLinkTesting(t *testing.T) {
	t.Parallel()
	// go test runs tests with GOROOT set to the toolchain that built them; else the go on PATH.
	goCmd := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goCmd); os.Getenv("GOROOT") == "" || err != nil {
		if goCmd, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command to list dependencies with")
		}
	}
	out, err := exec.Command(goCmd, "list", "-deps", "github.com/tradecoach/coach/storage/postgres").CombinedOutput()
	if err != nil {
		t.Skipf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list -deps listed nothing")
	}
	for _, p := range deps {
		if p == "testing" || strings.HasPrefix(p, "testing/") || strings.HasSuffix(p, "/internal/testserver") {
			t.Errorf("storage/postgres depends on %s", p)
		}
	}
}
