package asynqtest_test

import (
	"testing"

	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/transport/asynq"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
)

// MustOpenDB leases a Redis database of the test's own, flushed before and after it, for code
// with fixed key names such as asynq. The helpers take a test's *testing.T, so this example is
// compiled, not run: the closure is the body of a TestXxx function.
func Example() {
	_ = func(t *testing.T) {
		queue, err := asynq.New(asynqtest.MustOpenDB(t), asynq.Config{DeadLetters: memory.New().DeadLetters()})
		if err != nil {
			t.Fatal(err)
		}
		_ = queue
	}
}
