package indicator_test

import (
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// TestNoFusedMultiplyAdd compiles the package for the architectures whose Go compiler fuses
// x*y + z into one FMA instruction, and checks that none was emitted: the package rounds each
// product explicitly (float64(x*y)), which is what makes its results the same bit for bit on
// amd64 and arm64. A new formula written as a*b + c would fail here.
func TestNoFusedMultiplyAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the package for other architectures")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	fma := regexp.MustCompile(`(?m)^\s+0x[0-9a-f]+ \d+ \([^)]*/bias/indicator/\w+\.go:\d+\)\s+FN?M(ADD|SUB)[SD]?\b`)
	for _, arch := range []string{"arm64", "ppc64le", "s390x", "riscv64"} {
		cmd := exec.Command(gobin, "build", "-gcflags=-S", "-o", os.DevNull, ".")
		cmd.Env = append(os.Environ(), "GOARCH="+arch, "GOOS=linux", "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("GOARCH=%s go build: %v\n%s", arch, err, out)
		}
		if m := fma.FindAll(out, 5); len(m) > 0 {
			t.Errorf("GOARCH=%s: fused multiply-adds in the package:\n%s", arch, m)
		}
	}
}
