package postgres

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/canceltest"
	"github.com/tradecoach/coach/storage"
)

// TestContextEndedIsCanceled checks that a call whose context is already cancelled, or past its
// deadline, is ECANCELED with the context's error reachable by errors.Is, on every path: the
// pool, a transaction of its own, InTx and a call inside InTx.
func TestContextEndedIsCanceled(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	u := newUser(t, db)
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Users.ByID", func(ctx context.Context) error { _, err := db.Users().ByID(ctx, u.ID); return err }},
		{"Users.Update", func(ctx context.Context) error { return db.Users().Update(ctx, u) }},
		{"Trades.Upsert", func(ctx context.Context) error {
			_, err := db.Trades().Upsert(ctx, u.ID, fills(3, "demo", "c"))
			return err
		}},
		{"Events.Append", func(ctx context.Context) error {
			_, err := db.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: []byte(`{}`)})
			return err
		}},
		{"InTx", func(ctx context.Context) error {
			return db.InTx(ctx, func(tx storage.Tx) error { return nil })
		}},
		{"MigrationVersion", func(ctx context.Context) error { _, err := db.MigrationVersion(ctx); return err }},
	}
	ends := canceltest.Ends()
	for _, c := range calls {
		for _, e := range ends {
			t.Run(c.name+"/"+e.Name, func(t *testing.T) {
				ctx, cancel := e.Context()
				defer cancel()
				err := c.call(ctx)
				canceltest.Want(t, err, e.Target)
			})
		}
	}
	// The context ends inside InTx, between two statements: the second one is ECANCELED too.
	ctx, cancel := context.WithCancel(context.Background())
	err := db.InTx(ctx, func(tx storage.Tx) error {
		if _, err := tx.Users().ByID(ctx, u.ID); err != nil {
			return err
		}
		cancel()
		_, err := tx.Users().ByID(ctx, u.ID)
		return err
	})
	if coach.ErrorCode(err) != coach.ECANCELED || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled inside InTx: %v (code %q), want canceled", err, coach.ErrorCode(err))
	}
}

// TestBlockedStatementCancelledIsCanceled cancels the context of a statement the server is
// running (waiting for a row lock): pgx interrupts the read, and the store still says ECANCELED
// with context.Canceled reachable. Nothing is written.
func TestBlockedStatementCancelledIsCanceled(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	u := newUser(t, db)
	locked, release := make(chan struct{}), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- db.InTx(ctx, func(tx storage.Tx) error {
			v := u
			v.TimeZone = "Europe/Paris"
			if err := tx.Users().Update(ctx, v); err != nil { // holds u's row lock until commit
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-holder:
		t.Fatalf("lock holder: %v", err)
	}
	blocked, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		v := u
		v.TimeZone = "Asia/Tokyo"
		done <- db.Users().Update(blocked, v)
	}()
	waitForLockWait(t, db)
	cancel()
	err := <-done
	close(release)
	must(t, <-holder, "lock holder")
	if coach.ErrorCode(err) != coach.ECANCELED || !errors.Is(err, context.Canceled) {
		t.Errorf("interrupted update: %v (code %q), want canceled wrapping context.Canceled", err, coach.ErrorCode(err))
	}
	got, err := db.Users().ByID(ctx, u.ID)
	must(t, err, "ByID")
	if got.TimeZone != "Europe/Paris" {
		t.Errorf("time zone %q, want the lock holder's Europe/Paris", got.TimeZone)
	}
}

// waitForLockWait waits until a backend of db's schema waits for a lock, so that a cancel hits a
// running statement. (Polling the server's state, not a timed assertion: were the cancel to come
// first, the outcome would be the same.)
func waitForLockWait(t *testing.T, db *DB) {
	t.Helper()
	for range 500 {
		var n int
		err := db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = $1 AND wait_event_type = 'Lock'`, db.cfg.ApplicationName).Scan(&n)
		must(t, err, "pg_stat_activity")
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no statement of this schema ever waited for the lock")
}

// TestSerializationFailureIsRetryable runs two of the store's own transactions at SERIALIZABLE
// (the session default, set through the connection URL) that update the same user row: the one
// whose snapshot predates the other's commit fails with serialization_failure, which the store
// reports as ERETRYABLE, saying it can be retried, with the *pgconn.PgError reachable. The
// other transaction's change is kept, and nothing of the failed one.
func TestSerializationFailureIsRetryable(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDBWith(t, func(c *Config) {
		c.URL += "&default_transaction_isolation=serializable"
	})
	ctx := context.Background()
	var level string
	must(t, db.Pool().QueryRow(ctx, `SHOW default_transaction_isolation`).Scan(&level), "isolation")
	if level != "serializable" {
		t.Fatalf("default_transaction_isolation = %q, want serializable", level)
	}
	u := newUser(t, db)
	err := db.InTx(ctx, func(tx storage.Tx) error {
		if _, err := tx.Users().ByID(ctx, u.ID); err != nil { // takes the snapshot
			return err
		}
		other := u
		other.TimeZone = "Europe/Paris"
		must(t, db.Users().Update(ctx, other), "concurrent update") // commits on another connection
		mine := u
		mine.TimeZone = "Asia/Tokyo"
		return tx.Users().Update(ctx, mine)
	})
	if code := coach.ErrorCode(err); code != coach.ERETRYABLE {
		t.Fatalf("conflicting serializable transactions: code %q (%v), want retryable", code, err)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "40001" {
		t.Errorf("errors.As(*pgconn.PgError) = %v, want SQLSTATE 40001", pe)
	}
	msg := coach.ErrorMessage(err)
	if !strings.Contains(msg, "retried") || pe != nil && strings.Contains(msg, pe.Message) {
		t.Errorf("message %q: want it to say the operation can be retried, without the driver's text", msg)
	}
	got, err := db.Users().ByID(ctx, u.ID)
	must(t, err, "ByID")
	if got.TimeZone != "Europe/Paris" {
		t.Errorf("time zone %q, want the committed Europe/Paris", got.TimeZone)
	}
}

// TestDeadlockIsRetryable makes two of the store's transactions lock two users in opposite
// orders: the server breaks the deadlock by failing one of them (deadlock_detected), which the
// store reports as ERETRYABLE with the *pgconn.PgError reachable; the other commits.
func TestDeadlockIsRetryable(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	a, b := newUser(t, db), newUser(t, db)
	var first sync.WaitGroup // both transactions hold their first lock
	first.Add(2)
	lockBoth := func(x, y coach.User) error {
		return db.InTx(ctx, func(tx storage.Tx) error {
			x.TimeZone = "Europe/Paris"
			err := tx.Users().Update(ctx, x)
			first.Done()
			if err != nil {
				return err
			}
			first.Wait()
			y.TimeZone = "Europe/Paris"
			return tx.Users().Update(ctx, y)
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- lockBoth(a, b) }()
	go func() { errs <- lockBoth(b, a) }()
	e1, e2 := <-errs, <-errs
	if (e1 == nil) == (e2 == nil) {
		t.Fatalf("want exactly one transaction to fail, got %v and %v", e1, e2)
	}
	err := errors.Join(e1, e2)
	if code := coach.ErrorCode(err); code != coach.ERETRYABLE {
		t.Fatalf("deadlock: code %q (%v), want retryable", code, err)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "40P01" {
		t.Errorf("errors.As(*pgconn.PgError) = %v, want SQLSTATE 40P01", pe)
	}
	if msg := coach.ErrorMessage(err); !strings.Contains(msg, "retried") {
		t.Errorf("message %q does not say the operation can be retried", msg)
	}
}

// TestUniqueViolationIsConflict checks that a real unique violation is still ECONFLICT, not
// ERETRYABLE, with the *pgconn.PgError kept as its cause and kept out of its message.
func TestUniqueViolationIsConflict(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	u := newUser(t, db)
	_, err := db.Pool().Exec(context.Background(), `INSERT INTO users (id, email, created_at) VALUES ($1, $2, now())`, coach.NewID(), u.Email)
	err = formatError(err)
	if code := coach.ErrorCode(err); code != coach.ECONFLICT {
		t.Fatalf("taken email: code %q (%v), want conflict", code, err)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		t.Errorf("errors.As(*pgconn.PgError) = %v, want SQLSTATE 23505", pe)
	}
	if msg := coach.ErrorMessage(err); strings.Contains(msg, u.Email) || strings.Contains(msg, "duplicate key") {
		t.Errorf("message %q quotes the driver", msg)
	}
}

// TestUnreachableDatabaseIsUnavailable opens a store on a port where nothing listens: EUNAVAILABLE,
// saying only "database unavailable", with the dial error reachable by errors.As.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err, "listen")
	addr := l.Addr().String()
	must(t, l.Close(), "close listener") // nothing listens there any more
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = Open(ctx, Config{URL: "postgres://postgres@" + addr + "/test?sslmode=disable&connect_timeout=10"})
	if code := coach.ErrorCode(err); code != coach.EUNAVAILABLE {
		t.Fatalf("Open: code %q (%v), want unavailable", code, err)
	}
	if msg := coach.ErrorMessage(err); msg != "database unavailable" {
		t.Errorf("message %q, want %q", msg, "database unavailable")
	}
	var connectErr *pgconn.ConnectError
	if !errors.As(err, &connectErr) {
		t.Errorf("errors.As(*pgconn.ConnectError) fails on %v", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) || opErr.Op != "dial" {
		t.Errorf("errors.As(*net.OpError) = %v, want the dial error", opErr)
	}
}
