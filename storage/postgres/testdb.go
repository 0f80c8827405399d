package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
)

// Test environment variables.
const (
	// TestURLEnv names the variable with the test server's URL (DefaultTestURL when unset).
	TestURLEnv = "COACH_TEST_POSTGRES_URL"
	// RequireServicesEnv names the variable that, set to "1", makes an unreachable test server
	// fail tests instead of skipping them.
	RequireServicesEnv = "COACH_REQUIRE_SERVICES"
	// DefaultTestURL is the local test server: database test, user postgres, trust auth.
	DefaultTestURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

// TestURL returns the URL of the test server: $COACH_TEST_POSTGRES_URL or DefaultTestURL.
func TestURL() string {
	if u := os.Getenv(TestURLEnv); u != "" {
		return u
	}
	return DefaultTestURL
}

// MustOpenTestDB returns a store on a fresh schema of the test server (TestURL), migrated, with
// a pool of 4 connections, outbox partitions for this month and the next, and the schema's name
// as application_name; it drops the schema (DROP SCHEMA … CASCADE) at cleanup. Without a
// reachable server it skips the test, or fails it when COACH_REQUIRE_SERVICES=1.
func MustOpenTestDB(tb testing.TB) *DB { return MustOpenTestDBWith(tb, nil) }

// MustOpenTestDBWith is MustOpenTestDB with configure applied to the Config (URL, a random Schema,
// MaxConns 4, PartitionsAhead 1 and ApplicationName already set) before Open, e.g. to set a
// coach.ManualClock. The schema dropped at cleanup is the one Open used.
func MustOpenTestDBWith(tb testing.TB, configure func(*Config)) *DB {
	tb.Helper()
	schema := RandomTestSchema(tb)
	cfg := Config{URL: TestURL(), Schema: schema, MaxConns: 4, PartitionsAhead: 1, ApplicationName: schema}
	if configure != nil {
		configure(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := Open(ctx, cfg)
	if err != nil {
		SkipUnavailable(tb, err)
		DropTestSchema(tb, cfg.URL, cfg.Schema)
		tb.Fatalf("postgres: open test store: %v", err)
	}
	tb.Cleanup(func() {
		_ = db.Close()
		DropTestSchema(tb, cfg.URL, cfg.Schema)
	})
	return db
}

// RandomTestSchema returns a fresh schema name, "test_" and 16 hex digits.
func RandomTestSchema(tb testing.TB) string {
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
	tb.Skipf("postgres: test server unreachable (set %s): %v", TestURLEnv, err)
}

// DropTestSchema drops schema and everything in it, on a connection of its own.
func DropTestSchema(tb testing.TB, url, schema string) {
	tb.Helper()
	if !validSchema(schema) {
		tb.Errorf("postgres: not dropping %q: not a schema name", schema)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Errorf("postgres: drop test schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
		tb.Errorf("postgres: drop test schema %s: %v", schema, err)
	}
}
