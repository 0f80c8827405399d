//go:build !unix

package webhook_test

import "time"

// processCPU is unknown here; benchmarks then skip their per-CPU-second metric.
func processCPU() time.Duration { return 0 }
