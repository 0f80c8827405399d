//go:build !unix

package indicator_test

// cpuTime returns 0: this platform's CPU time is not measured.
func cpuTime() int64 { return 0 }
