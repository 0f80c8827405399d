package postgres

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// killBackends terminates, from a connection of its own, every server backend of db's pool (found
// by the pool's application_name, which is the schema's name in tests) and returns how many.
func killBackends(t *testing.T, db *DB) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testURL())
	must(t, err, "connect")
	defer conn.Close(ctx)
	var n int
	must(t, conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1 AND pid <> pg_backend_pid()`, db.cfg.ApplicationName).Scan(&n), "terminate")
	return n
}

// warmPool makes the pool open several connections, so that there is more than one to kill.
func warmPool(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := db.Pool().Exec(ctx, "SELECT pg_sleep(0.05)"); err != nil {
				t.Errorf("warm: %v", err)
			}
		})
	}
	wg.Wait()
}

// TestKilledConnectionsDoNotBreakTheNextCall kills every backend of the pool between calls, as
// a server restart or an administrator would, and checks that the next call of each kind — a
// read, a write, a bulk import through COPY, a transaction — succeeds.
func TestKilledConnectionsDoNotBreakTheNextCall(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	u := newUser(t, db)

	calls := []struct {
		name string
		call func() error
	}{
		{"read", func() error { _, err := db.Users().ByID(ctx, u.ID); return err }},
		{"write", func() error {
			_, err := db.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: []byte(`{}`)})
			return err
		}},
		{"copy import", func() error {
			_, err := db.Trades().Upsert(ctx, u.ID, fills(db.copyThreshold+10, "demo", "k"))
			return err
		}},
		{"transaction", func() error {
			return db.InTx(ctx, func(tx storage.Tx) error {
				_, err := tx.Trades().Count(ctx, u.ID)
				return err
			})
		}},
		{"read in a listing", func() error {
			_, err := db.Trades().List(ctx, u.ID, storage.TradeFilter{})
			return err
		}},
	}
	for _, c := range calls {
		warmPool(t, db)
		if n := killBackends(t, db); n == 0 {
			t.Fatalf("%s: no backend of the pool to kill; the test proves nothing", c.name)
		}
		if err := c.call(); err != nil {
			t.Errorf("%s after its connections were killed: %v", c.name, err)
		}
	}
	n, err := db.Trades().Count(ctx, u.ID)
	must(t, err, "count")
	if n != db.copyThreshold+10 {
		t.Errorf("%d trades stored, want %d (the import once, no more)", n, db.copyThreshold+10)
	}
}

// An application_name in the URL wins over Config.ApplicationName: the server reports the URL's.
func TestURLApplicationNameWins(t *testing.T) {
	t.Parallel()
	var app string
	db := MustOpenTestDBWith(t, func(c *Config) {
		app = c.Schema + "_url"
		sep := "?"
		if strings.Contains(c.URL, "?") {
			sep = "&"
		}
		c.URL += sep + "application_name=" + app
	})
	var got string
	must(t, db.Pool().QueryRow(context.Background(), "SELECT current_setting('application_name')").Scan(&got), "application_name")
	if got != app {
		t.Fatalf("application_name %q, want the URL's %q (Config.ApplicationName is %q)", got, app, db.cfg.ApplicationName)
	}
}

// Ping answers nil after every backend of the pool was terminated while idle (it retries on a
// fresh connection, as the store's calls do), and EUNAVAILABLE once the DB is closed.
func TestPingSurvivesTerminatedBackends(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	warmPool(t, db)
	if n := killBackends(t, db); n == 0 {
		t.Fatal("no backend to terminate")
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping after the backends were terminated: %v", err)
	}
	other := MustOpenTestDB(t)
	_ = other.Close()
	if err := other.Ping(ctx); coach.ErrorCode(err) != coach.EUNAVAILABLE {
		t.Fatalf("Ping after Close: %v, want EUNAVAILABLE", err)
	}
}
