//go:build !unix

package ws_test

import "testing"

// raiseFDLimit does nothing where there is no rlimit; it reports no limit.
func raiseFDLimit(testing.TB) uint64 { return 1 << 62 }
