package postgrestest_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
)

// MustOpenTestDB gives a test a migrated store on a fresh schema of the test Postgres, dropped at
// cleanup; without a server the test is skipped (or fails when COACH_REQUIRE_SERVICES=1).
// MustHostPool gives a host-style pool and a schema name for postgres.New instead. The helpers
// take a test's *testing.T, so this example is compiled, not run: the closure is the body of a
// TestXxx function.
func Example() {
	_ = func(t *testing.T) {
		db := postgrestest.MustOpenTestDB(t)
		if err := db.Users().Create(context.Background(), coach.User{ID: "trader-1", CreatedAt: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
	}
}
