//go:build unix

package broker_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time this process has used, so that benchmarks can report a rate per
// CPU-second that does not depend on how busy a shared machine is.
func cpuTime() time.Duration {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
