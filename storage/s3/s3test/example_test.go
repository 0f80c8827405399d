package s3test_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tradecoach/coach/storage/s3/s3test"
)

// MustOpen gives a test Blobs on an in-process S3-compatible server of its own (never skipped).
// The helpers take a test's *testing.T, so this example is compiled, not run: the closure is the
// body of a TestXxx function.
func Example() {
	_ = func(t *testing.T) {
		blobs := s3test.MustOpen(t)
		if _, err := blobs.Put(context.Background(), "exports/trader-1/a.zip", strings.NewReader("zip"), "application/zip"); err != nil {
			t.Fatal(err)
		}
	}
}
