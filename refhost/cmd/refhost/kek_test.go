package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestCoreAndWorkerNeedTheKEK: the split core and worker stacks seal and open broker credentials,
// so each refuses to start without REFHOST_KEK (naming it, not quoting any key).
func TestCoreAndWorkerNeedTheKEK(t *testing.T) {
	env := map[string]string{"REFHOST_INTERNAL_KEY": strings.Repeat("5a", 32)}
	for _, stack := range []string{"core", "worker"} {
		err := run(context.Background(), []string{stack}, func(k string) string { return env[k] }, io.Discard, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "REFHOST_KEK") || strings.Contains(err.Error(), env["REFHOST_INTERNAL_KEY"]) {
			t.Fatalf("%s without a KEK: %v", stack, err)
		}
	}
}
