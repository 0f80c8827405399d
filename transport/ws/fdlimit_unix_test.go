//go:build unix

package ws_test

import (
	"syscall"
	"testing"
)

// raiseFDLimit lifts the soft limit on open files to the hard limit, for benchmarks holding
// thousands of connections.
func raiseFDLimit(tb testing.TB) uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		tb.Fatal(err)
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			tb.Fatal(err)
		}
	}
	return l.Cur
}
