package infra_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/storage"
)

// In memory, erasing a user through Infra.Keys reaches every key-value store that can hold their
// keys: the cache, the idempotency records (the edge's answers to their POSTs), the limits.
func TestKeysEraseEveryStoreOfAUser(t *testing.T) {
	ctx := context.Background()
	in, err := infra.Open(ctx, config.Config{}, coach.SystemClock{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	const user = "u1"
	if err := in.Cache.Set(ctx, storage.UserKey(user, "c"), []byte("x"), time.Hour); err != nil {
		t.Fatal(err)
	}
	idem := storage.UserKey(user, "edge", "idem", "k1")
	if _, err := in.Idempotency.Claim(ctx, idem, "h", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Limiter.Allow(ctx, storage.UserKey(user, "rate"), storage.Limit{Rate: 1, Burst: 1, Period: time.Minute}); err != nil {
		t.Fatal(err)
	}
	erased := 0
	for _, k := range in.Keys {
		n, err := k.EraseUser(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		erased += n
	}
	if erased < 3 {
		t.Errorf("erased %d keys, want the cache's, the idempotency record and the limit", erased)
	}
	if rec, err := in.Idempotency.Claim(ctx, idem, "other", time.Hour); err != nil || rec.State == storage.IdemDone {
		t.Errorf("after erasure the idempotency key is still held: %+v %v", rec, err)
	}
}
