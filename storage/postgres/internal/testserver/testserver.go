// Package testserver knows the test PostgreSQL server: where it is, when a test should skip for
// want of it, and how to give a test a schema of its own and drop it afterwards. It serves
// postgrestest and the tests of package postgres itself, which cannot import postgrestest (that
// would be an import cycle); it does not know the store.
package testserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
)

// Test environment variables and the default server.
const (
	// URLEnv names the variable with the test server's URL (DefaultURL when unset).
	URLEnv = "COACH_TEST_POSTGRES_URL"
	// RequireServicesEnv names the variable that, set to "1", makes an unreachable test server
	// fail tests instead of skipping them.
	RequireServicesEnv = "COACH_REQUIRE_SERVICES"
	// DefaultURL is the local test server: database test, user postgres, trust auth.
	DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

// URL returns the URL of the test server: $COACH_TEST_POSTGRES_URL or DefaultURL.
func URL() string {
	if u := os.Getenv(URLEnv); u != "" {
		return u
	}
	return DefaultURL
}

// RandomSchema returns a fresh schema name, "test_" and 16 hex digits.
func RandomSchema(tb testing.TB) string {
	tb.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	return "test_" + hex.EncodeToString(b[:])
}

// SkipUnavailable skips the test when err says the server is unreachable (EUNAVAILABLE), unless
// COACH_REQUIRE_SERVICES=1, in which case it fails it. Other errors are left to the caller.
func SkipUnavailable(tb testing.TB, err error) {
	tb.Helper()
	if coach.ErrorCode(err) != coach.EUNAVAILABLE {
		return
	}
	if os.Getenv(RequireServicesEnv) == "1" {
		tb.Fatalf("postgres: test server unreachable and %s=1: %v", RequireServicesEnv, err)
	}
	tb.Skipf("postgres: test server unreachable (set %s): %v", URLEnv, err)
}

// DropSchema drops schema and everything in it, on a connection of its own.
func DropSchema(tb testing.TB, url, schema string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Errorf("postgres: drop test schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		tb.Errorf("postgres: drop test schema %s: %v", schema, err)
	}
}

// Open returns what open makes of schema on the server at url, and at cleanup closes it and drops
// the schema. When open fails it drops the schema and skips the test if the server is
// unreachable (see SkipUnavailable), or fails it.
func Open[T io.Closer](tb testing.TB, url, schema string, open func(ctx context.Context) (T, error)) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	v, err := open(ctx)
	if err != nil {
		SkipUnavailable(tb, err)
		DropSchema(tb, url, schema)
		tb.Fatalf("postgres: open test store: %v", err)
	}
	tb.Cleanup(func() {
		_ = v.Close()
		DropSchema(tb, url, schema)
	})
	return v
}
