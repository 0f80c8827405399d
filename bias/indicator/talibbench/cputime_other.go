//go:build !unix

package talibbench

import "time"

// cpuTime is not available here: the x-talib metric then falls back to wall-clock time.
func cpuTime() time.Duration { return 0 }
