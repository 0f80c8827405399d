//go:build unix

package webhook_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) the test process has used so far, GC workers
// included, so a benchmark can report throughput per CPU second on a loaded machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
