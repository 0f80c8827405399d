package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// TestUndeliveredSkipsClaimedRows checks that Undelivered inside InTx claims whole users (FOR
// UPDATE SKIP LOCKED on their streams): a second dispatcher's transaction gets the other users'
// events, none of the claimed user's, without waiting; and the claims end with the transaction.
func TestUndeliveredSkipsClaimedRows(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	u, v := newUser(t, db), newUser(t, db)
	for i := range 10 {
		_, err := db.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: json.RawMessage(`{"i":` + itoa(i) + `}`)})
		must(t, err, "append")
	}
	for i := range 6 {
		_, err := db.Events().Append(ctx, coach.Event{UserID: v.ID, Type: "t", V: 1, Payload: json.RawMessage(`{"i":` + itoa(i) + `}`)})
		must(t, err, "append")
	}
	claimed := make(chan []coach.Event)
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- db.InTx(ctx, func(tx storage.Tx) error {
			evs, err := tx.Events().Undelivered(ctx, 4)
			if err != nil {
				return err
			}
			claimed <- evs
			<-release
			return nil
		})
	}()
	first := <-claimed
	var second []coach.Event
	must(t, db.InTx(ctx, func(tx storage.Tx) error {
		var err error
		second, err = tx.Events().Undelivered(ctx, 100)
		return err
	}), "second dispatcher")
	close(release)
	must(t, <-done, "first dispatcher")

	if len(first) != 4 || len(second) != 6 {
		t.Fatalf("dispatchers got %d and %d events, want 4 (of u) and 6 (of v)", len(first), len(second))
	}
	for _, e := range first {
		if e.UserID != u.ID {
			t.Errorf("first dispatcher got an event of %s, want only u's oldest", e.UserID)
		}
	}
	for _, e := range second {
		if e.UserID != v.ID {
			t.Errorf("second dispatcher got an event of claimed user %s", e.UserID)
		}
	}
	// Outside InTx nothing is claimed; after the transactions, all sixteen are there again.
	all, err := db.Events().Undelivered(ctx, 100)
	must(t, err, "undelivered")
	if len(all) != 16 {
		t.Errorf("%d undelivered after the claims ended, want 16", len(all))
	}
	must(t, db.Events().MarkDelivered(ctx, []string{first[0].ID, first[1].ID, "not-an-id"}, time.Now()), "mark")
	all, err = db.Events().Undelivered(ctx, 100)
	must(t, err, "undelivered")
	if len(all) != 14 || all[0].ID != first[2].ID {
		t.Errorf("after marking two delivered: %d undelivered starting %s, want 14 starting %s", len(all), all[0].ID, first[2].ID)
	}
}

// TestInTxExpectedErrorsKeepTheTransactionUsable checks that an expected failure inside InTx (a
// taken email, a missing user, a duplicate id) does not abort the PostgreSQL transaction: the
// caller may handle the error and go on, and what it writes afterwards commits.
func TestInTxExpectedErrorsKeepTheTransactionUsable(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	u := newUser(t, db)
	fresh := coach.User{ID: coach.NewID(), Email: "fresh@example.com", CreatedAt: time.Now().UTC()}
	must(t, db.InTx(ctx, func(tx storage.Tx) error {
		dup := coach.User{ID: coach.NewID(), Email: u.Email, CreatedAt: time.Now()}
		wantCode(t, tx.Users().Create(ctx, dup), coach.ECONFLICT, "taken email")
		wantCode(t, tx.Users().Update(ctx, coach.User{ID: fresh.ID, Email: u.Email}), coach.ENOTFOUND, "update of no user")
		_, err := tx.Events().Append(ctx, coach.Event{UserID: coach.NewID(), Type: "t", V: 1, Payload: []byte(`{}`)})
		wantCode(t, err, coach.ENOTFOUND, "event of no user")
		_, err = tx.Trades().Upsert(ctx, coach.NewID(), fills(2, "demo", "z"))
		wantCode(t, err, coach.ENOTFOUND, "trades of no user")
		a := coach.Audit{ID: coach.NewID(), UserID: u.ID, Action: "login", CreatedAt: time.Now()}
		must(t, tx.Audit().Append(ctx, a), "audit")
		wantCode(t, tx.Audit().Append(ctx, a), coach.ECONFLICT, "the same audit id again")
		wantCode(t, tx.Trades().Delete(ctx, u.ID, coach.NewID()), coach.ENOTFOUND, "delete of no trade")
		return tx.Users().Create(ctx, fresh)
	}), "InTx")
	if _, err := db.Users().ByID(ctx, fresh.ID); err != nil {
		t.Errorf("the write after the handled errors did not commit: %v", err)
	}
}

// TestInTxRollsBackAndRepanics checks that an error or a panic in fn leaves no trace, that the
// error comes back unchanged and that the panic goes on.
func TestInTxRollsBackAndRepanics(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	u := newUser(t, db)
	sentinel := errors.New("fn failed")
	err := db.InTx(ctx, func(tx storage.Tx) error {
		if _, err := tx.Trades().Upsert(ctx, u.ID, fills(600, "demo", "r")); err != nil { // through COPY
			return err
		}
		if _, err := tx.Events().Append(ctx, coach.Event{UserID: u.ID, Type: "t", V: 1, Payload: []byte(`{}`)}); err != nil {
			return err
		}
		return sentinel
	})
	if err != sentinel {
		t.Errorf("InTx = %v, want fn's error unchanged", err)
	}
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want the panic of fn", p)
			}
		}()
		_ = db.InTx(ctx, func(tx storage.Tx) error {
			must(t, tx.Users().Delete(ctx, u.ID), "delete inside")
			panic("boom")
		})
	}()
	n, err := db.Trades().Count(ctx, u.ID)
	must(t, err, "count")
	evs, err := db.Events().Since(ctx, u.ID, "", 0)
	must(t, err, "since")
	if _, err := db.Users().ByID(ctx, u.ID); err != nil || n != 0 || len(evs) != 0 {
		t.Errorf("after rollbacks: user %v, %d trades, %d events; want the user, 0, 0", err, n, len(evs))
	}
	// The pool is intact: a connection was not leaked in a transaction.
	for range 10 {
		must(t, db.InTx(ctx, func(tx storage.Tx) error { _, err := tx.Users().ByID(ctx, u.ID); return err }), "InTx after")
	}
}
