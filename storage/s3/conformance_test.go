package s3_test

import (
	"testing"

	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/s3/s3test"
	"github.com/tradecoach/coach/storage/storagetest"
)

func TestBlobs(t *testing.T) {
	t.Parallel()
	storagetest.RunBlobs(t, func(t *testing.T) storage.Blobs { return s3test.MustOpen(t) })
}
