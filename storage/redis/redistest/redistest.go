// Package redistest connects tests to the shared test Redis and gives each test a Store of its
// own: a random key prefix whose keys are removed (by SCAN and DEL, never FLUSHDB) at cleanup.
//
// The server is COACH_TEST_REDIS_ADDR (default 127.0.0.1:6379). When it does not answer, the
// test is skipped — or fails when COACH_REQUIRE_SERVICES=1.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach/storage/redis"
)

// Addr returns the address of the test Redis: COACH_TEST_REDIS_ADDR or 127.0.0.1:6379.
func Addr() string {
	if a := os.Getenv("COACH_TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// MustOpenClient returns a client of the test Redis, closed at cleanup. Without a reachable
// server it skips tb, or fails it when COACH_REQUIRE_SERVICES=1.
func MustOpenClient(tb testing.TB) *goredis.Client {
	tb.Helper()
	if err := probe(); err != nil {
		if os.Getenv("COACH_REQUIRE_SERVICES") == "1" {
			tb.Fatalf("redistest: test Redis at %s unreachable: %v", Addr(), err)
		}
		tb.Skipf("redistest: test Redis at %s unreachable (set COACH_TEST_REDIS_ADDR): %v", Addr(), err)
	}
	client := goredis.NewClient(&goredis.Options{Addr: Addr()})
	tb.Cleanup(func() { _ = client.Close() })
	return client
}

// probe pings the test Redis once per process and remembers the answer.
var probe = sync.OnceValue(func() error {
	client := goredis.NewClient(&goredis.Options{Addr: Addr(), DialerRetries: 1, MaxRetries: -1})
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return client.Ping(ctx).Err()
})

// MustOpen returns a Store on the test Redis under a fresh random prefix. Every key the store
// wrote is deleted at cleanup; other keys of the database are never touched.
func MustOpen(tb testing.TB) *redis.Store {
	tb.Helper()
	client := MustOpenClient(tb)
	s, err := redis.New(client, redis.Config{Prefix: RandomPrefix()})
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	// Registered after the client's Close, so it runs before it.
	tb.Cleanup(func() {
		if err := DeleteKeys(context.Background(), client, s.KeyPatterns()...); err != nil {
			tb.Errorf("redistest: cleanup of %s: %v", s.Prefix(), err)
		}
	})
	return s
}

// RandomPrefix returns a key prefix no other test uses: "coachtest:{16 hex}:".
func RandomPrefix() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "coachtest:" + hex.EncodeToString(b[:]) + ":"
}

// DeleteKeys deletes every key matching one of the SCAN patterns, in batches.
func DeleteKeys(ctx context.Context, client goredis.UniversalClient, patterns ...string) error {
	for _, pattern := range patterns {
		iter := client.Scan(ctx, 0, pattern, 500).Iterator()
		var batch []string
		for iter.Next(ctx) {
			batch = append(batch, iter.Val())
			if len(batch) == 500 {
				if err := client.Del(ctx, batch...).Err(); err != nil {
					return err
				}
				batch = batch[:0]
			}
		}
		if err := iter.Err(); err != nil {
			return err
		}
		if len(batch) > 0 {
			if err := client.Del(ctx, batch...).Err(); err != nil {
				return err
			}
		}
	}
	return nil
}
