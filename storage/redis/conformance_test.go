package redis_test

import (
	"testing"

	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/redis/redistest"
	"github.com/tradecoach/coach/storage/storagetest"
)

func TestCache(t *testing.T) {
	t.Parallel()
	storagetest.RunCache(t, func(t *testing.T) storage.Cache { return redistest.MustOpen(t).Cache() })
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	storagetest.RunIdempotency(t, func(t *testing.T) storage.Idempotency { return redistest.MustOpen(t).Idempotency() })
}

func TestNonces(t *testing.T) {
	t.Parallel()
	storagetest.RunNonces(t, func(t *testing.T) storage.Nonces { return redistest.MustOpen(t).Nonces() })
}

func TestRateLimiter(t *testing.T) {
	t.Parallel()
	storagetest.RunRateLimiter(t, func(t *testing.T) storage.RateLimiter { return redistest.MustOpen(t).RateLimiter() })
}

func TestWeightBudget(t *testing.T) {
	t.Parallel()
	storagetest.RunWeightBudget(t, func(t *testing.T) storage.WeightBudget { return redistest.MustOpen(t).WeightBudget() })
}

func TestLeases(t *testing.T) {
	t.Parallel()
	storagetest.RunLeases(t, func(t *testing.T) storage.Leases { return redistest.MustOpen(t).Leases() })
}

func TestKeyEraser(t *testing.T) {
	t.Parallel()
	storagetest.RunKeyEraser(t, func(t *testing.T) storagetest.KeyStores {
		s := redistest.MustOpen(t)
		return storagetest.KeyStores{Cache: s.Cache(), Idempotency: s.Idempotency(), RateLimiter: s.RateLimiter(),
			Leases: s.Leases(), Erasers: []storage.KeyEraser{s}}
	})
}
