package memory_test

import (
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/storagetest"
)

func TestCache(t *testing.T) {
	storagetest.RunCache(t, func(*testing.T) storage.Cache { return memory.NewCache(coach.SystemClock{}) })
}

func TestIdempotency(t *testing.T) {
	storagetest.RunIdempotency(t, func(*testing.T) storage.Idempotency { return memory.NewIdempotency(coach.SystemClock{}) })
}

func TestNonces(t *testing.T) {
	storagetest.RunNonces(t, func(*testing.T) storage.Nonces { return memory.NewNonces(coach.SystemClock{}) })
}

func TestRateLimiter(t *testing.T) {
	storagetest.RunRateLimiter(t, func(*testing.T) storage.RateLimiter { return memory.NewRateLimiter(coach.SystemClock{}) })
}

func TestBlobs(t *testing.T) {
	storagetest.RunBlobs(t, func(*testing.T) storage.Blobs { return memory.NewBlobs() })
}

func TestWeightBudget(t *testing.T) {
	storagetest.RunWeightBudget(t, func(*testing.T) storage.WeightBudget { return memory.NewWeightBudget() })
}

func TestLeases(t *testing.T) {
	storagetest.RunLeases(t, func(*testing.T) storage.Leases { return memory.NewLeases(coach.SystemClock{}) })
}

func TestKeyEraser(t *testing.T) {
	storagetest.RunKeyEraser(t, func(*testing.T) storagetest.KeyStores {
		c, i, r, l := memory.NewCache(nil), memory.NewIdempotency(nil), memory.NewRateLimiter(nil), memory.NewLeases(nil)
		return storagetest.KeyStores{Cache: c, Idempotency: i, RateLimiter: r, Leases: l, Erasers: []storage.KeyEraser{c, i, r, l}}
	})
}
