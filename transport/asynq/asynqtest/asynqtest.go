// Package asynqtest gives each test a Redis database of its own on the shared test Redis, for
// code that, like asynq, uses fixed key names and so cannot be isolated by a key prefix.
//
// The server is COACH_TEST_REDIS_ADDR (default 127.0.0.1:6379). Databases 1 to 15 are handed
// out under a lease (a key "coachtest:asynqdb:{n}" in database 0, set with NX and a TTL that is
// kept alive while the test runs), so tests in parallel — in one process or several — never share
// one. A leased database is flushed before and after the test; database 0 is never flushed. When
// the server does not answer the test is skipped, or fails when COACH_REQUIRE_SERVICES=1.
package asynqtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Databases are the numbers leased to tests.
const (
	FirstDB = 1
	LastDB  = 15
)

const (
	leaseTTL     = 2 * time.Minute
	leaseRenew   = 30 * time.Second
	leaseWait    = 5 * time.Minute // how long MustOpenDB waits for a free database
	leasePattern = "coachtest:asynqdb:%d"
)

// Addr returns the address of the test Redis: COACH_TEST_REDIS_ADDR or 127.0.0.1:6379.
func Addr() string {
	if a := os.Getenv("COACH_TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// Unavailable skips tb because a service is missing, or fails it when COACH_REQUIRE_SERVICES=1.
func Unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("COACH_REQUIRE_SERVICES") == "1" {
		tb.Fatalf(format, args...)
	}
	tb.Skipf(format, args...)
}

// release deletes the lease key only if it still holds our token.
var release = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`)

// renew extends the lease only if it still holds our token.
var renew = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0`)

// MustOpenDB leases a database of the test Redis for tb and returns a client of it; the database
// is empty. At cleanup (after the cleanups tb registers later, such as shutting down workers) the
// database is flushed, the lease released and the client closed.
func MustOpenDB(tb testing.TB) *goredis.Client {
	tb.Helper()
	ctx := context.Background()
	admin := goredis.NewClient(&goredis.Options{Addr: Addr()})
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := admin.Ping(pctx).Err(); err != nil {
		_ = admin.Close()
		Unavailable(tb, "asynqtest: test Redis at %s unreachable (set COACH_TEST_REDIS_ADDR): %v", Addr(), err)
	}
	tb.Cleanup(func() { _ = admin.Close() })

	var token [8]byte
	_, _ = rand.Read(token[:])
	owner := hex.EncodeToString(token[:])
	db, key := lease(tb, admin, owner)

	client := goredis.NewClient(&goredis.Options{Addr: Addr(), DB: db})
	if err := client.FlushDB(ctx).Err(); err != nil {
		tb.Fatalf("asynqtest: flush db %d: %v", db, err)
	}
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(leaseRenew)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				_ = renew.Run(ctx, admin, []string{key}, owner, leaseTTL.Milliseconds()).Err()
			}
		}
	}()
	tb.Cleanup(func() {
		close(stop)
		<-renewed
		if err := client.FlushDB(ctx).Err(); err != nil {
			tb.Errorf("asynqtest: flush db %d: %v", db, err)
		}
		_ = client.Close()
		_ = release.Run(ctx, admin, []string{key}, owner).Err()
	})
	return client
}

// lease takes the first free database, waiting for one if all are taken.
func lease(tb testing.TB, admin *goredis.Client, owner string) (int, string) {
	tb.Helper()
	deadline := time.Now().Add(leaseWait)
	for {
		for db := FirstDB; db <= LastDB; db++ {
			key := fmt.Sprintf(leasePattern, db)
			ok, err := admin.SetNX(context.Background(), key, owner, leaseTTL).Result()
			if err != nil {
				tb.Fatalf("asynqtest: lease db %d: %v", db, err)
			}
			if ok {
				return db, key
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("asynqtest: no free Redis database among %d-%d after %v", FirstDB, LastDB, leaseWait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
