package postgres

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/tradecoach/coach/storage/postgres/internal/testserver"
)

// The tests of this package cannot import postgrestest (it imports this package), so they have
// its helpers here, over the same testserver.

// DefaultTestURL is the local test server (see postgrestest.DefaultTestURL).
const DefaultTestURL = testserver.DefaultURL

// testURL returns the URL of the test server (see postgrestest.TestURL).
func testURL() string { return testserver.URL() }

// MustOpenTestDB is postgrestest.MustOpenTestDB for this package's own tests.
func MustOpenTestDB(tb testing.TB) *DB { return MustOpenTestDBWith(tb, nil) }

// MustOpenTestDBWith is postgrestest.MustOpenTestDBWith for this package's own tests.
func MustOpenTestDBWith(tb testing.TB, configure func(*Config)) *DB {
	tb.Helper()
	schema := RandomTestSchema(tb)
	cfg := Config{URL: testURL(), Schema: schema, MaxConns: 4, PartitionsAhead: 1, ApplicationName: schema}
	if configure != nil {
		configure(&cfg)
	}
	return testserver.Open(tb, cfg.URL, cfg.Schema, func(ctx context.Context) (*DB, error) { return Open(ctx, cfg) })
}

// RandomTestSchema returns a fresh schema name (see postgrestest.RandomTestSchema).
func RandomTestSchema(tb testing.TB) string { tb.Helper(); return testserver.RandomSchema(tb) }

// SkipUnavailable skips the test when the server is unreachable (see postgrestest.SkipUnavailable).
func SkipUnavailable(tb testing.TB, err error) { tb.Helper(); testserver.SkipUnavailable(tb, err) }

// DropTestSchema drops schema and everything in it (see postgrestest.DropTestSchema).
func DropTestSchema(tb testing.TB, url, schema string) {
	tb.Helper()
	testserver.DropSchema(tb, url, schema)
}

// LatestMigration returns the highest version among Migrations, whose files must all be named
// NNNNN_name.sql.
func LatestMigration(t *testing.T) int64 {
	t.Helper()
	entries, err := fs.ReadDir(Migrations(), ".")
	if err != nil {
		t.Fatalf("read migrations: %v", err)
	}
	var latest int64
	for _, e := range entries {
		var v int64
		if _, err := fmt.Sscanf(e.Name(), "%05d_", &v); err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			t.Errorf("migration file %q is not NNNNN_name.sql", e.Name())
		}
		latest = max(latest, v)
	}
	if latest == 0 {
		t.Fatal("Migrations has no migration")
	}
	return latest
}
