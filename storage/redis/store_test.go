package redis_test

import (
	"context"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/redis"
	"github.com/tradecoach/coach/storage/redis/redistest"
)

// writeOneOfEach writes one key through each of the store's four stores.
func writeOneOfEach(t *testing.T, s *redis.Store) {
	t.Helper()
	ctx := t.Context()
	if err := s.Cache().Set(ctx, "c", []byte("v"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Idempotency().Claim(ctx, "i", "h", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Nonces().Use(ctx, "n", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RateLimiter().Allow(ctx, "r", storage.Limit{Rate: 1, Burst: 2, Period: time.Hour}); err != nil {
		t.Fatal(err)
	}
}

// scanKeys returns the keys matching patterns, sorted.
func scanKeys(t *testing.T, client goredis.UniversalClient, patterns ...string) []string {
	t.Helper()
	var keys []string
	for _, p := range patterns {
		iter := client.Scan(t.Context(), 0, p, 100).Iterator()
		for iter.Next(t.Context()) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(keys)
	return keys
}

func TestKeysArePrefixedAndExpire(t *testing.T) {
	t.Parallel()
	client := redistest.MustOpenClient(t)
	prefix := redistest.RandomPrefix()
	s, err := redis.New(client, redis.Config{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = redistest.DeleteKeys(context.Background(), client, s.KeyPatterns()...) })
	writeOneOfEach(t, s)

	got := scanKeys(t, client, s.KeyPatterns()...)
	want := []string{prefix + "cache:c", prefix + "idem:i", prefix + "nonce:n", "rate:" + prefix + "rate:r"}
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	for _, k := range got {
		ttl, err := client.PTTL(t.Context(), k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= 0 {
			t.Errorf("key %s has no TTL (PTTL %s)", k, ttl)
		}
	}
}

func TestPrefixesIsolateStores(t *testing.T) {
	t.Parallel()
	a, b := redistest.MustOpen(t), redistest.MustOpen(t)
	ctx := t.Context()
	writeOneOfEach(t, a)

	if _, err := b.Cache().Get(ctx, "c"); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("Cache.Get through another prefix: %v, want ENOTFOUND", err)
	}
	if rec, err := b.Idempotency().Claim(ctx, "i", "other", time.Hour); err != nil || rec.State != storage.IdemClaimed {
		t.Errorf("Idempotency.Claim through another prefix: %+v %v, want claimed", rec, err)
	}
	if err := b.Nonces().Use(ctx, "n", time.Hour); err != nil {
		t.Errorf("Nonces.Use through another prefix: %v", err)
	}
	d, err := b.RateLimiter().Allow(ctx, "r", storage.Limit{Rate: 1, Burst: 2, Period: time.Hour})
	if err != nil || d.Remaining != 1 {
		t.Errorf("RateLimiter.Allow through another prefix: %+v %v, want a fresh burst", d, err)
	}
}

func TestOpenAndClose(t *testing.T) {
	t.Parallel()
	client := redistest.MustOpenClient(t) // skips without a server
	s, err := redis.Open(t.Context(), redis.Config{Addr: redistest.Addr(), Prefix: redistest.RandomPrefix()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = redistest.DeleteKeys(context.Background(), client, s.KeyPatterns()...) })
	if err := s.Nonces().Use(t.Context(), "n", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Nonces().Use(t.Context(), "n2", time.Minute); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("Use after Close: %v, want EUNAVAILABLE", err)
	}
}

func TestNewLeavesClientOpen(t *testing.T) {
	t.Parallel()
	client := redistest.MustOpenClient(t)
	s, err := redis.New(client, redis.Config{Prefix: redistest.RandomPrefix()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := client.Ping(t.Context()).Err(); err != nil {
		t.Errorf("client closed by a Store it was lent to: %v", err)
	}
}

// deadAddr returns an address on which nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestUnreachableServerIsUnavailable(t *testing.T) {
	t.Parallel()
	addr := deadAddr(t)
	if _, err := redis.Open(t.Context(), redis.Config{Addr: addr}); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Errorf("Open: %v, want EUNAVAILABLE", err)
	}

	client := goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = client.Close() })
	s, err := redis.New(client, redis.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	_, getErr := s.Cache().Get(ctx, "k")
	_, claimErr := s.Idempotency().Claim(ctx, "k", "h", time.Minute)
	_, allowErr := s.RateLimiter().Allow(ctx, "k", storage.Limit{Rate: 1, Burst: 1, Period: time.Second})
	for name, err := range map[string]error{
		"Cache.Get":         getErr,
		"Cache.Set":         s.Cache().Set(ctx, "k", []byte("v"), time.Minute),
		"Idempotency.Claim": claimErr,
		"Nonces.Use":        s.Nonces().Use(ctx, "k", time.Minute),
		"RateLimiter.Allow": allowErr,
	} {
		if coach.ErrorCode(err) != coach.EUNAVAILABLE {
			t.Errorf("%s: %v, want EUNAVAILABLE", name, err)
		}
		if msg := coach.ErrorMessage(err); strings.Contains(msg, addr) {
			t.Errorf("%s: message %q leaks the server address", name, msg)
		}
	}
}

func TestWrongTypeIsInternal(t *testing.T) {
	t.Parallel()
	client := redistest.MustOpenClient(t)
	prefix := redistest.RandomPrefix()
	s, err := redis.New(client, redis.Config{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = redistest.DeleteKeys(context.Background(), client, s.KeyPatterns()...) })
	// Something else wrote a hash where the cache keeps strings.
	if err := client.HSet(t.Context(), prefix+"cache:k", "f", "v").Err(); err != nil {
		t.Fatal(err)
	}
	client.Expire(t.Context(), prefix+"cache:k", time.Minute)
	_, err = s.Cache().Get(t.Context(), "k")
	if coach.ErrorCode(err) != coach.EINTERNAL || !strings.Contains(err.Error(), "WRONGTYPE") {
		t.Errorf("Get of a hash: %v, want EINTERNAL carrying the driver error", err)
	}
	if coach.ErrorMessage(err) != "internal error" {
		t.Errorf("message %q shows driver text to users", coach.ErrorMessage(err))
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  redis.Config
		want coach.Code
	}{
		{redis.Config{}, ""},
		{redis.Config{Prefix: "app:prod:"}, ""},
		{redis.Config{DB: -1}, coach.EINVALID},
		{redis.Config{Prefix: "a*"}, coach.EINVALID},
		{redis.Config{Prefix: "a b"}, coach.EINVALID},
		{redis.Config{Prefix: "[x]"}, coach.EINVALID},
	} {
		if got := coach.ErrorCode(tc.cfg.Validate()); got != tc.want {
			t.Errorf("%+v.Validate() code %q, want %q", tc.cfg, got, tc.want)
		}
	}
	if _, err := redis.New(nil, redis.Config{}); coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("New(nil): %v, want EINVALID", err)
	}
}
