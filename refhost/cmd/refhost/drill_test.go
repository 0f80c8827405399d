package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// drillLog is where drills write what they checked, besides the test log: .ci/run prints it after
// the tests, so a passing run still shows each drill's checks (COACH_DRILL_LOG overrides it).
var drillLog = struct {
	sync.Mutex
	path string
}{path: filepath.Join("..", "..", "..", ".artifacts", "drills.log")}

// drillf records one check a drill made: in the test's log, and appended to the drill log with
// the test's name and the time.
func drillf(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	drillLog.Lock()
	defer drillLog.Unlock()
	path := drillLog.path
	if p := os.Getenv("COACH_DRILL_LOG"); p != "" {
		path = p
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Logf("drill log: %v", err)
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Logf("drill log: %v", err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s: %s\n", time.Now().UTC().Format(time.TimeOnly), t.Name(), line)
}
