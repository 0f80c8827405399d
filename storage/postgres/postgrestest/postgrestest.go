// Package postgrestest gives tests a PostgreSQL store of their own on the test server: a fresh
// schema per test, dropped at cleanup, and a skip (or, with COACH_REQUIRE_SERVICES=1, a failure)
// when the server is unreachable. It lives apart from package postgres so that the production
// adapter does not link the testing package.
//
// The test server is $COACH_TEST_POSTGRES_URL, by default the local one (DefaultTestURL).
package postgrestest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/postgres"
	"github.com/tradecoach/coach/storage/postgres/internal/testserver"
)

// Test environment variables and the default server.
const (
	// TestURLEnv names the variable with the test server's URL (DefaultTestURL when unset).
	TestURLEnv = testserver.URLEnv
	// RequireServicesEnv names the variable that, set to "1", makes an unreachable test server
	// fail tests instead of skipping them.
	RequireServicesEnv = testserver.RequireServicesEnv
	// DefaultTestURL is the local test server: database test, user postgres, trust auth.
	DefaultTestURL = testserver.DefaultURL
)

// TestURL returns the URL of the test server: $COACH_TEST_POSTGRES_URL or DefaultTestURL.
func TestURL() string { return testserver.URL() }

// MustOpenTestDB returns a store on a fresh schema of the test server (TestURL), migrated, with
// a pool of 4 connections, outbox partitions for this month and the next, and the schema's name
// as application_name; it drops the schema (DROP SCHEMA … CASCADE) at cleanup. Without a
// reachable server it skips the test, or fails it when COACH_REQUIRE_SERVICES=1.
func MustOpenTestDB(tb testing.TB) *postgres.DB { return MustOpenTestDBWith(tb, nil) }

// MustOpenTestDBWith is MustOpenTestDB with configure applied to the Config (URL, a random Schema,
// MaxConns 4, PartitionsAhead 1 and ApplicationName already set) before Open, e.g. to set a
// coach.ManualClock. The schema dropped at cleanup is the one Open used.
func MustOpenTestDBWith(tb testing.TB, configure func(*postgres.Config)) *postgres.DB {
	tb.Helper()
	schema := RandomTestSchema(tb)
	cfg := postgres.Config{URL: TestURL(), Schema: schema, MaxConns: 4, PartitionsAhead: 1, ApplicationName: schema}
	if configure != nil {
		configure(&cfg)
	}
	return testserver.Open(tb, cfg.URL, cfg.Schema, func(ctx context.Context) (*postgres.DB, error) {
		return postgres.Open(ctx, cfg)
	})
}

// MustHostPool returns a pool of the test server made the way a host makes its own
// (pgxpool.New on TestURL: the server's default search_path, no settings of the store's) and a
// fresh schema name for a store to use on it, as with postgres.New. At cleanup it closes the pool
// and drops the schema. Without a reachable server it skips the test, or fails it when
// COACH_REQUIRE_SERVICES=1.
func MustHostPool(tb testing.TB) (pool *pgxpool.Pool, schema string) {
	tb.Helper()
	schema = RandomTestSchema(tb)
	pool = testserver.Open(tb, TestURL(), schema, func(ctx context.Context) (closer, error) {
		p, err := pgxpool.New(ctx, TestURL())
		if err != nil {
			return closer{}, err
		}
		if err := p.Ping(ctx); err != nil {
			p.Close()
			// The test server did not answer: skip as for an unreachable one. (A test's message
			// may say why; a store's never quotes the driver.)
			return closer{}, coach.Errorf(coach.EUNAVAILABLE, "postgres: test server unreachable: %v", err)
		}
		return closer{p}, nil
	}).pool
	return pool, schema
}

// closer is a pool as an io.Closer.
type closer struct{ pool *pgxpool.Pool }

func (c closer) Close() error { c.pool.Close(); return nil }

// RandomTestSchema returns a fresh schema name, "test_" and 16 hex digits.
func RandomTestSchema(tb testing.TB) string { tb.Helper(); return testserver.RandomSchema(tb) }

// SkipUnavailable skips the test when err says the server is unreachable (EUNAVAILABLE), unless
// COACH_REQUIRE_SERVICES=1, in which case it fails it. Other errors are left to the caller.
func SkipUnavailable(tb testing.TB, err error) { tb.Helper(); testserver.SkipUnavailable(tb, err) }

// DropTestSchema drops schema and everything in it, on a connection of its own.
func DropTestSchema(tb testing.TB, url, schema string) {
	tb.Helper()
	testserver.DropSchema(tb, url, schema)
}
