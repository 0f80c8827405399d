package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/tradecoach/coach/refhost/config"
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

// TestKMSKeyStandsForTheKEK: with REFHOST_KMS_KEY_ID the split core and worker need no local KEK.
func TestKMSKeyStandsForTheKEK(t *testing.T) {
	for _, stack := range []string{"core", "worker"} {
		cfg := config.Config{InternalKey: []byte(strings.Repeat("k", 32)), ErasureKey: []byte(strings.Repeat("e", 32)),
			KMSKeyID: "arn:aws:kms:us-east-1:111122223333:key/k"}
		if err := completeKeys(&cfg, stack); err != nil || cfg.KEK != nil {
			t.Errorf("%s with a KMS key: %v (KEK %d bytes made)", stack, err, len(cfg.KEK))
		}
	}
}
