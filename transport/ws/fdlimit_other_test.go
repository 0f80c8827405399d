//go:build !unix

package ws_test

import (
	"testing"
	"time"
)

// raiseFDLimit does nothing where there is no rlimit; it reports no limit.
func raiseFDLimit(testing.TB) uint64 { return 1 << 62 }

// cpuTime is not measured where there is no rusage: it is always 0.
func cpuTime() time.Duration { return 0 }
