package postgres_test

import (
	"testing"

	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/storagetest"
)

// TestStore runs the storage conformance suite, each subtest on a schema of its own.
func TestStore(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return postgrestest.MustOpenTestDB(t) })
}
