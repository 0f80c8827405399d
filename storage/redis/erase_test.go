package redis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/redis"
	"github.com/tradecoach/coach/storage/redis/redistest"
)

// TestEraseUserLeavesNoKeyNamingTheUser looks from outside the store: after EraseUser, a SCAN of
// the whole server finds no key, and no value, that names the user, while the other user's keys
// (and the index that lists them) are still there.
func TestEraseUserLeavesNoKeyNamingTheUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	client := redistest.MustOpenClient(t)
	s, err := redis.New(client, redis.Config{Prefix: redistest.RandomPrefix()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = redistest.DeleteKeys(context.Background(), client, s.KeyPatterns()...) })
	u, other := coach.NewID(), coach.NewID()
	for _, id := range []string{u, other} {
		if err := s.Cache().Set(ctx, storage.UserKey(id, "sim", "abc"), []byte(`{"userId":"`+id+`"}`), time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RateLimiter().Allow(ctx, storage.UserKey(id, "rate", "login"), storage.Limit{Rate: 1, Burst: 1, Period: time.Minute}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.EraseUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	naming := func(id string) []string {
		var found []string
		iter := client.Scan(ctx, 0, "*", 1000).Iterator()
		for iter.Next(ctx) {
			k := iter.Val()
			if strings.Contains(k, id) {
				found = append(found, k)
				continue
			}
			if typ, _ := client.Type(ctx, k).Result(); typ == "string" {
				if v, _ := client.Get(ctx, k).Result(); strings.Contains(v, id) {
					found = append(found, k)
				}
			}
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
		return found
	}
	if found := naming(u); len(found) > 0 {
		t.Errorf("keys naming the erased user: %q", found)
	}
	if found := naming(other); len(found) != 3 {
		t.Errorf("keys naming the other user: %q, want the cache key, the rate-limit key and the index", found)
	}
}
