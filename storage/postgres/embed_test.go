package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/postgres"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/storagetest"
)

// TestStoreOnHostPool runs the storage conformance suite on stores made by New on a host's pool
// (the server's default search_path): every statement must name the store's schema.
func TestStoreOnHostPool(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		pool, schema := postgrestest.MustHostPool(t)
		db, err := postgres.New(context.Background(), pool, postgres.Config{Schema: schema, PartitionsAhead: 1})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	})
}

// host is an application embedding the store: its own pool, whose search_path is its own schema,
// holding its own tables "orders" and — sharing a name with one of the store's — "users".
type host struct {
	pool   *pgxpool.Pool
	schema string // the host's schema
	db     *postgres.DB
}

// newHost makes a host with its schema and tables, and a store made by New on its pool.
func newHost(t *testing.T) host {
	t.Helper()
	ctx := context.Background()
	url := postgrestest.TestURL()
	hostSchema, storeSchema := postgrestest.RandomTestSchema(t), postgrestest.RandomTestSchema(t)
	t.Cleanup(func() {
		postgrestest.DropTestSchema(t, url, hostSchema)
		postgrestest.DropTestSchema(t, url, storeSchema)
	})
	pc, err := pgxpool.ParseConfig(url)
	must(t, err, "parse url")
	pc.ConnConfig.RuntimeParams["search_path"] = hostSchema
	pc.ConnConfig.RuntimeParams["application_name"] = hostSchema
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	must(t, err, "host pool")
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+hostSchema); err != nil {
		postgrestest.SkipUnavailable(t, coach.Errorf(coach.EUNAVAILABLE, "%v", err))
		t.Fatalf("create host schema: %v", err)
	}
	_, err = pool.Exec(ctx, `CREATE TABLE orders (id text PRIMARY KEY, user_id text NOT NULL);
		CREATE TABLE users (id text PRIMARY KEY, name text NOT NULL)`)
	must(t, err, "create host tables")
	db, err := postgres.New(ctx, pool, postgres.Config{Schema: storeSchema, PartitionsAhead: 1})
	must(t, err, "New")
	t.Cleanup(func() { _ = db.Close() })
	return host{pool: pool, schema: hostSchema, db: db}
}

// order inserts one of the host's orders with tx, by its unqualified table name.
func order(t *testing.T, tx pgx.Tx, id, userID string) {
	t.Helper()
	_, err := tx.Exec(context.Background(), `INSERT INTO orders (id, user_id) VALUES ($1, $2)`, id, userID)
	must(t, err, "insert order "+id)
}

// orders returns the ids of the host's stored orders, in id order.
func (h host) orders(t *testing.T) []string {
	t.Helper()
	rows, err := h.pool.Query(context.Background(), `SELECT id FROM orders ORDER BY id`)
	must(t, err, "orders")
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	must(t, err, "orders")
	return ids
}

// events returns the ids of the user's stored events, as Since gives them.
func (h host) events(t *testing.T, userID string) []string {
	t.Helper()
	evs, err := h.db.Events().Since(context.Background(), userID, "", 0)
	must(t, err, "Since")
	ids := []string{}
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	return ids
}

// inHostTx runs fn in a transaction of the host's pool and commits it, or rolls it back when
// commit is false.
func (h host) inHostTx(t *testing.T, commit bool, fn func(tx pgx.Tx)) {
	t.Helper()
	ctx := context.Background()
	tx, err := h.pool.Begin(ctx)
	must(t, err, "begin")
	defer tx.Rollback(ctx) // a no-op after Commit; after a failure, frees the connection for cleanup
	fn(tx)
	if commit {
		must(t, tx.Commit(ctx), "commit")
	} else {
		must(t, tx.Rollback(ctx), "rollback")
	}
}

func reflectEvent(userID string, n int) coach.Event {
	return coach.Event{UserID: userID, Type: coach.EventImportProgress, V: 1, Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n))}
}

// TestInExternalTx writes one of the host's rows and an outbox event in one host transaction:
// committed, both are stored and the event ids follow commit order; rolled back, neither is.
func TestInExternalTx(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	ctx := context.Background()
	u := coach.User{ID: coach.NewID(), Email: "host@example.com", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	must(t, h.db.Users().Create(ctx, u), "create user")

	var first []coach.Event
	h.inHostTx(t, true, func(tx pgx.Tx) {
		order(t, tx, "o1", u.ID)
		must(t, h.db.InExternalTx(ctx, tx, func(stx storage.Tx) (err error) {
			first, err = stx.Events().Append(ctx, reflectEvent(u.ID, 1), reflectEvent(u.ID, 2))
			return err
		}), "InExternalTx")
		// Before the host commits, the event is not visible outside its transaction.
		if got := h.events(t, u.ID); len(got) != 0 {
			t.Errorf("events visible before the host's commit: %v", got)
		}
	})
	h.inHostTx(t, false, func(tx pgx.Tx) {
		order(t, tx, "o2", u.ID)
		must(t, h.db.InExternalTx(ctx, tx, func(stx storage.Tx) error {
			_, err := stx.Events().Append(ctx, reflectEvent(u.ID, 3))
			return err
		}), "InExternalTx (rolled back)")
	})
	var third []coach.Event
	h.inHostTx(t, true, func(tx pgx.Tx) {
		order(t, tx, "o3", u.ID)
		must(t, h.db.InExternalTx(ctx, tx, func(stx storage.Tx) (err error) {
			third, err = stx.Events().Append(ctx, reflectEvent(u.ID, 4))
			return err
		}), "InExternalTx")
	})

	if got, want := h.orders(t), []string{"o1", "o3"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("host orders %v, want %v (o2 was rolled back)", got, want)
	}
	want := []string{first[0].ID, first[1].ID, third[0].ID}
	got := h.events(t, u.ID)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("events %v, want %v: those of the committed transactions, in commit order", got, want)
	}
	if !(first[0].ID < first[1].ID && first[1].ID < third[0].ID) {
		t.Errorf("event ids %v do not increase in commit order", want)
	}
	undelivered, err := h.db.Events().Undelivered(ctx, 0)
	must(t, err, "Undelivered")
	if len(undelivered) != 3 {
		t.Errorf("the dispatcher would find %d undelivered events, want 3", len(undelivered))
	}
	// The host's own "users" table was never touched.
	var hostUsers int
	must(t, h.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&hostUsers), "host users")
	if hostUsers != 0 {
		t.Errorf("the host's users table has %d rows, want 0", hostUsers)
	}
}

// TestInExternalTxHoldsStreamUntilHostCommits: an append in a host's transaction holds the user's
// event stream until the host commits, so a second host transaction appending for the same user
// waits and gets the later id — ids follow commit order, as with InTx.
func TestInExternalTxHoldsStreamUntilHostCommits(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	ctx := context.Background()
	u := coach.User{ID: coach.NewID(), CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	must(t, h.db.Users().Create(ctx, u), "create user")

	tx1, err := h.pool.Begin(ctx)
	must(t, err, "begin tx1")
	defer tx1.Rollback(ctx)
	var first []coach.Event
	must(t, h.db.InExternalTx(ctx, tx1, func(stx storage.Tx) (err error) {
		first, err = stx.Events().Append(ctx, reflectEvent(u.ID, 1))
		return err
	}), "append in tx1")

	type result struct {
		evs []coach.Event
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() { done <- r }()
		tx2, err := h.pool.Begin(ctx)
		if r.err = err; err != nil {
			return
		}
		defer tx2.Rollback(ctx)
		if r.err = h.db.InExternalTx(ctx, tx2, func(stx storage.Tx) (err error) {
			r.evs, err = stx.Events().Append(ctx, reflectEvent(u.ID, 2))
			return err
		}); r.err != nil {
			return
		}
		r.err = tx2.Commit(ctx)
	}()
	// Wait until tx2's append is waiting for a lock (the host pool's connections carry the host
	// schema's name as application_name).
	for {
		var waiting int
		must(t, h.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
			h.schema).Scan(&waiting), "pg_stat_activity")
		if waiting > 0 {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("tx2 finished (%v, %v) while tx1 held the user's stream", r.evs, r.err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	must(t, tx1.Commit(ctx), "commit tx1")
	r := <-done
	must(t, r.err, "tx2")
	if !(first[0].ID < r.evs[0].ID) {
		t.Errorf("tx2's event id %s is not after tx1's %s, committed first", r.evs[0].ID, first[0].ID)
	}
	if got, want := h.events(t, u.ID), []string{first[0].ID, r.evs[0].ID}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("events %v, want %v", got, want)
	}
}

// TestInExternalTxEveryPort writes through every kind of repository in a host transaction: all of
// it commits with the host's row, or none of it is stored when the host rolls back.
func TestInExternalTxEveryPort(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	ctx := context.Background()
	base := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	work := func(userID string) func(stx storage.Tx) error {
		return func(stx storage.Tx) error {
			if err := stx.Users().Create(ctx, coach.User{ID: userID, CreatedAt: base}); err != nil {
				return err
			}
			tr := coach.Trade{Broker: "csv", ExtID: "x1", Symbol: "BTC-USDT", Side: coach.Buy, Qty: decimal.New(1, -2),
				Price: decimal.New(60000, 0), TS: base}
			if _, err := stx.Trades().Upsert(ctx, userID, []coach.Trade{tr}); err != nil {
				return err
			}
			stored, err := stx.Trades().List(ctx, userID, storage.TradeFilter{})
			if err != nil || len(stored) != 1 {
				return fmt.Errorf("list trades: %d, %v", len(stored), err)
			}
			tag := coach.BiasTag{ID: coach.NewID(), UserID: userID, TradeID: stored[0].ID, Label: coach.LabelFOMO, Confidence: 0.7,
				Features: json.RawMessage(`{}`), CreatedAt: base}
			if err := stx.Tags().Replace(ctx, userID, []string{stored[0].ID}, []coach.BiasTag{tag}); err != nil {
				return err
			}
			if err := stx.Audit().Append(ctx, coach.Audit{ID: coach.NewID(), UserID: userID, Action: coach.AuditLogin,
				Meta: json.RawMessage(`{}`), CreatedAt: base}); err != nil {
				return err
			}
			_, err = stx.Events().Append(ctx, reflectEvent(userID, 1))
			return err
		}
	}
	counts := func(userID string) string {
		n, err := h.db.Trades().Count(ctx, userID)
		must(t, err, "count trades")
		tags, err := h.db.Tags().List(ctx, userID, storage.TagFilter{})
		must(t, err, "tags")
		audit, err := h.db.Audit().List(ctx, userID, 0)
		must(t, err, "audit")
		_, uerr := h.db.Users().ByID(ctx, userID)
		return fmt.Sprintf("user=%v trades=%d tags=%d audit=%d events=%d", uerr == nil, n, len(tags), len(audit), len(h.events(t, userID)))
	}

	kept, dropped := "host-user-1", "host-user-2"
	h.inHostTx(t, true, func(tx pgx.Tx) {
		order(t, tx, "o1", kept)
		must(t, h.db.InExternalTx(ctx, tx, work(kept)), "InExternalTx")
	})
	h.inHostTx(t, false, func(tx pgx.Tx) {
		order(t, tx, "o2", dropped)
		must(t, h.db.InExternalTx(ctx, tx, work(dropped)), "InExternalTx")
	})
	if got, want := counts(kept), "user=true trades=1 tags=1 audit=1 events=1"; got != want {
		t.Errorf("committed: %s, want %s", got, want)
	}
	if got, want := counts(dropped), "user=false trades=0 tags=0 audit=0 events=0"; got != want {
		t.Errorf("rolled back: %s, want %s", got, want)
	}
	if got := h.orders(t); strings.Join(got, ",") != "o1" {
		t.Errorf("host orders %v, want [o1]", got)
	}
}

// TestInExternalTxErrorUndoesOnlyItsOwnWork: when fn fails (here on a conflict, which aborts the
// statement), what fn wrote is undone, the host's transaction stays usable and its own earlier
// row still commits.
func TestInExternalTxErrorUndoesOnlyItsOwnWork(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	ctx := context.Background()
	u := coach.User{ID: coach.NewID(), Email: "taken@example.com", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	must(t, h.db.Users().Create(ctx, u), "create user")
	other := coach.NewID()
	h.inHostTx(t, true, func(tx pgx.Tx) {
		order(t, tx, "o1", u.ID)
		err := h.db.InExternalTx(ctx, tx, func(stx storage.Tx) error {
			if _, err := stx.Events().Append(ctx, reflectEvent(u.ID, 1)); err != nil {
				return err
			}
			if err := stx.Users().Create(ctx, coach.User{ID: other, CreatedAt: u.CreatedAt}); err != nil {
				return err
			}
			// A duplicate primary key through the host's own table aborts the statement.
			_, err := tx.Exec(ctx, `INSERT INTO orders (id, user_id) VALUES ('o1', 'x')`)
			return err
		})
		if err == nil {
			t.Fatal("InExternalTx: no error from a failing fn")
		}
		order(t, tx, "o2", u.ID) // the host's transaction is still usable
	})
	if got := h.orders(t); strings.Join(got, ",") != "o1,o2" {
		t.Errorf("host orders %v, want [o1 o2]", got)
	}
	if got := h.events(t, u.ID); len(got) != 0 {
		t.Errorf("events %v stored by a failed unit of work", got)
	}
	_, err := h.db.Users().ByID(ctx, other)
	wantCode(t, err, coach.ENOTFOUND, "user created by a failed unit of work")

	panicked := func() (v any) {
		defer func() { v = recover() }()
		h.inHostTx(t, true, func(tx pgx.Tx) {
			defer func() {
				if v := recover(); v != nil {
					order(t, tx, "o3", u.ID) // usable after the panic too
					must(t, tx.Commit(ctx), "commit after panic")
					panic(v)
				}
			}()
			_ = h.db.InExternalTx(ctx, tx, func(stx storage.Tx) error {
				if _, err := stx.Events().Append(ctx, reflectEvent(u.ID, 2)); err != nil {
					return err
				}
				panic("boom")
			})
		})
		return nil
	}()
	if panicked != "boom" {
		t.Fatalf("the panic was not re-raised: %v", panicked)
	}
	if got := h.orders(t); strings.Join(got, ",") != "o1,o2,o3" {
		t.Errorf("host orders %v, want [o1 o2 o3]", got)
	}
	if got := h.events(t, u.ID); len(got) != 0 {
		t.Errorf("events %v stored by a unit of work that panicked", got)
	}
	wantCode(t, h.db.InExternalTx(ctx, nil, func(storage.Tx) error { return nil }), coach.EINVALID, "InExternalTx(nil tx)")
}

// TestInExternalTxBulkImport imports a batch large enough to go through COPY and a temporary
// table inside a host's transaction, twice (the second import finds everything stored).
func TestInExternalTxBulkImport(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	ctx := context.Background()
	u := coach.User{ID: coach.NewID(), CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	must(t, h.db.Users().Create(ctx, u), "create user")
	base := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	fills := make([]coach.Trade, 2000)
	for i := range fills {
		fills[i] = coach.Trade{Broker: "csv", ExtID: fmt.Sprintf("x%d", i), Symbol: "BTC-USDT", Side: coach.Buy,
			Qty: decimal.New(int64(i%97+1), -3), Price: decimal.New(60000, 0), TS: base.Add(time.Duration(i) * time.Second)}
	}
	var results []storage.UpsertResult
	h.inHostTx(t, true, func(tx pgx.Tx) {
		order(t, tx, "o1", u.ID)
		must(t, h.db.InExternalTx(ctx, tx, func(stx storage.Tx) error {
			for range 2 {
				res, err := stx.Trades().Upsert(ctx, u.ID, fills)
				if err != nil {
					return err
				}
				results = append(results, res)
			}
			return nil
		}), "InExternalTx")
	})
	if want := []storage.UpsertResult{{Inserted: 2000}, {Unchanged: 2000}}; fmt.Sprint(results) != fmt.Sprint(want) {
		t.Errorf("upsert results %v, want %v", results, want)
	}
	n, err := h.db.Trades().Count(ctx, u.ID)
	must(t, err, "Count")
	if n != 2000 {
		t.Errorf("%d trades stored, want 2000", n)
	}
}

// TestCloseLeavesHostPoolOpen: closing a store made by New leaves the host's pool working, and
// the store refuses further calls.
func TestCloseLeavesHostPoolOpen(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	ctx := context.Background()
	must(t, h.db.Close(), "Close")
	must(t, h.db.Close(), "Close again")
	var one int
	must(t, h.pool.QueryRow(ctx, `SELECT 1`).Scan(&one), "host query after Close")
	_, err := h.db.Users().ByID(ctx, "x")
	wantCode(t, err, coach.EUNAVAILABLE, "ByID after Close")
	wantCode(t, h.db.InTx(ctx, func(storage.Tx) error { return nil }), coach.EUNAVAILABLE, "InTx after Close")
	_, err = h.db.Events().Append(ctx, reflectEvent("x", 1))
	wantCode(t, err, coach.EUNAVAILABLE, "Append after Close")
	tx, err := h.pool.Begin(ctx)
	must(t, err, "begin")
	defer tx.Rollback(ctx)
	wantCode(t, h.db.InExternalTx(ctx, tx, func(storage.Tx) error { return nil }), coach.EUNAVAILABLE, "InExternalTx after Close")
}

// TestNewRefusesNilPool: New without a pool is EINVALID, not a panic.
func TestNewRefusesNilPool(t *testing.T) {
	t.Parallel()
	_, err := postgres.New(context.Background(), nil, postgres.Config{})
	wantCode(t, err, coach.EINVALID, "New(nil pool)")
	wantCode(t, postgres.Migrate(context.Background(), nil, "coach"), coach.EINVALID, "Migrate(nil pool)")
}

// TestNoMigrateNeedsTheSchema: with NoMigrate, a schema that does not exist, or has none of the
// store's tables, is an EINVALID naming it; once Migrate has run, NoMigrate opens it.
func TestNoMigrateNeedsTheSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, schema := postgrestest.MustHostPool(t)
	cfg := postgres.Config{Schema: schema, NoMigrate: true, PartitionsAhead: 1}

	_, err := postgres.New(ctx, pool, cfg)
	wantCode(t, err, coach.EINVALID, "New with NoMigrate on a missing schema")
	if msg := coach.ErrorMessage(err); !strings.Contains(msg, schema) || !strings.Contains(msg, "does not exist") {
		t.Errorf("message %q does not say that schema %s does not exist", msg, schema)
	}
	_, err = postgres.Open(ctx, postgres.Config{URL: postgrestest.TestURL(), Schema: schema, NoMigrate: true})
	wantCode(t, err, coach.EINVALID, "Open with NoMigrate on a missing schema")

	_, err = pool.Exec(ctx, "CREATE SCHEMA "+schema)
	must(t, err, "create empty schema")
	_, err = postgres.New(ctx, pool, cfg)
	wantCode(t, err, coach.EINVALID, "New with NoMigrate on an empty schema")
	if msg := coach.ErrorMessage(err); !strings.Contains(msg, schema) {
		t.Errorf("message %q does not name schema %s", msg, schema)
	}

	must(t, postgres.Migrate(ctx, pool, schema), "Migrate")
	must(t, postgres.Migrate(ctx, pool, schema), "Migrate again")
	db, err := postgres.New(ctx, pool, cfg)
	must(t, err, "New with NoMigrate on a migrated schema")
	defer db.Close()
	v, err := db.MigrationVersion(ctx)
	must(t, err, "MigrationVersion")
	if want := postgres.LatestMigration(t); v != want {
		t.Errorf("migration version %d, want %d", v, want)
	}
	wantCode(t, postgres.Migrate(ctx, pool, `bad"schema`), coach.EINVALID, "Migrate with a bad schema name")
}

func wantCode(t testing.TB, err error, want coach.Code, what string) {
	t.Helper()
	if got := coach.ErrorCode(err); got != want {
		t.Fatalf("%s: error code %q (%v), want %q", what, got, err, want)
	}
}

func must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
