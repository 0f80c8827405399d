package postgres

import (
	"context"
	"sync"
	"testing"

	"github.com/tradecoach/coach"
)

// TestConcurrentMigrate starts several stores at once on one fresh schema, as several processes
// of a deployment would: every Open (each migrating and making partitions) must succeed, and
// each migration must be applied exactly once.
func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	url, schema := testURL(), RandomTestSchema(t)
	t.Cleanup(func() { DropTestSchema(t, url, schema) })
	ctx := context.Background()
	const processes = 4
	dbs := make([]*DB, processes)
	errs := make([]error, processes)
	var wg sync.WaitGroup
	for i := range processes {
		wg.Go(func() {
			// MaxConns 1: Migrate must not need a second connection of the pool.
			dbs[i], errs[i] = Open(ctx, Config{URL: url, Schema: schema, MaxConns: 1, PartitionsAhead: 1, ApplicationName: schema})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			SkipUnavailable(t, err)
			t.Fatalf("Open #%d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	var applied, distinct int
	must(t, dbs[0].Pool().QueryRow(ctx, `SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).
		Scan(&applied, &distinct), "versions")
	if applied != distinct || distinct == 0 {
		t.Errorf("goose_db_version has %d rows for %d versions: a migration ran twice (or none ran)", applied, distinct)
	}
	v, err := dbs[1].MigrationVersion(ctx)
	must(t, err, "version")
	if want := LatestMigration(t); v != want {
		t.Errorf("migration version %d, want %d, the last of Migrations", v, want)
	}
	// Migrating again changes nothing, and the store works.
	must(t, dbs[2].Migrate(ctx), "migrate again")
	u := newUser(t, dbs[3])
	if _, err := dbs[0].Users().ByID(ctx, u.ID); err != nil {
		t.Errorf("a user created through one store is not seen through another: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  Config
		want coach.Code
	}{
		{"defaults", Config{URL: DefaultTestURL}, ""},
		{"public schema", Config{URL: DefaultTestURL, Schema: "public"}, ""},
		{"no URL", Config{}, coach.EINVALID},
		{"bad URL", Config{URL: "postgres://u:secret@[::1"}, coach.EINVALID},
		{"schema with a quote", Config{URL: DefaultTestURL, Schema: `a"; DROP SCHEMA public; --`}, coach.EINVALID},
		{"upper-case schema", Config{URL: DefaultTestURL, Schema: "Coach"}, coach.EINVALID},
		{"pg_ schema", Config{URL: DefaultTestURL, Schema: "pg_catalog"}, coach.EINVALID},
		{"schema starting with a digit", Config{URL: DefaultTestURL, Schema: "1coach"}, coach.EINVALID},
		{"schema too long", Config{URL: DefaultTestURL, Schema: "a123456789012345678901234567890123456789012345678901234567890123"}, coach.EINVALID},
		{"negative MaxConns", Config{URL: DefaultTestURL, MaxConns: -1}, coach.EINVALID},
		{"negative PartitionsAhead", Config{URL: DefaultTestURL, PartitionsAhead: -1}, coach.EINVALID},
		{"too many PartitionsAhead", Config{URL: DefaultTestURL, PartitionsAhead: 121}, coach.EINVALID},
	} {
		err := tc.cfg.Validate()
		if got := coach.ErrorCode(err); got != tc.want {
			t.Errorf("%s: Validate() = %v, want code %q", tc.name, err, tc.want)
		}
		if err != nil && containsSecret(coach.ErrorMessage(err)) {
			t.Errorf("%s: message %q quotes the password", tc.name, coach.ErrorMessage(err))
		}
	}
	_, err := Open(context.Background(), Config{URL: DefaultTestURL, Schema: "Bad"})
	wantCode(t, err, coach.EINVALID, "Open with a bad config")
}

func containsSecret(s string) bool {
	for i := 0; i+6 <= len(s); i++ {
		if s[i:i+6] == "secret" {
			return true
		}
	}
	return false
}

// TestOpenUnreachable checks that a server nobody answers at is EUNAVAILABLE, the code
// MustOpenTestDB skips on.
func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	_, err := Open(context.Background(), Config{URL: "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2"})
	wantCode(t, err, coach.EUNAVAILABLE, "Open on a closed port")
}
