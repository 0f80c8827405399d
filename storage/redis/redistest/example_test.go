package redistest_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach/storage/redis/redistest"
)

// MustOpen gives a test a Store on the test Redis under a random key prefix, removed at cleanup;
// without a server the test is skipped (or fails when COACH_REQUIRE_SERVICES=1). The helpers take
// a test's *testing.T, so this example is compiled, not run: the closure is the body of a TestXxx
// function.
func Example() {
	_ = func(t *testing.T) {
		store := redistest.MustOpen(t)
		if err := store.Cache().Set(context.Background(), "sim:trader-1:a", []byte("{}"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
}
