//go:build unix

package indicator_test

import "syscall"

// cpuTime returns the CPU time this process has used so far (user and system, every thread), in
// nanoseconds, or 0 where the platform does not tell.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
