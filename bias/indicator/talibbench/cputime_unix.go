//go:build unix

package talibbench

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used so far (user and system, every thread, so
// that the garbage collector's work counts), or 0 if it cannot be read.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
