package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// writeEverything writes through tx to several repositories for user u, who has connection
// "conn".
func writeEverything(f *fixture, tx storage.Tx, u coach.User, conn string, newUser coach.User) error {
	if err := tx.Users().Create(f.ctx, newUser); err != nil {
		return err
	}
	if _, err := tx.Trades().Upsert(f.ctx, u.ID, []coach.Trade{trade("tx-1", base), trade("tx-2", base)}); err != nil {
		return err
	}
	if err := tx.Rules().Create(f.ctx, rule(u.ID, base)); err != nil {
		return err
	}
	if _, err := tx.Events().Append(f.ctx, event(u.ID, 1)); err != nil {
		return err
	}
	if err := tx.Checkpoints().Put(f.ctx, u.ID, conn, "BTCUSDT", "42"); err != nil {
		return err
	}
	return tx.Candles().Put(f.ctx, []coach.Candle{{Symbol: "BTC-USDT", Interval: coach.Hour1, OpenTime: base.Truncate(time.Hour), Open: 1, High: 1, Low: 1, Close: 1}})
}

// nothingWritten fails the test if anything writeEverything writes is visible.
func nothingWritten(f *fixture, u coach.User, conn string, newUser coach.User) {
	t := f.t
	t.Helper()
	_, err := f.s.Users().ByID(f.ctx, newUser.ID)
	wantCode(t, err, coach.ENOTFOUND, "user created in the rolled-back transaction")
	if n, err := f.s.Trades().Count(f.ctx, u.ID); err != nil || n != 0 {
		t.Errorf("trades after rollback: %d, %v; want 0", n, err)
	}
	rules, err := f.s.Rules().List(f.ctx, u.ID)
	must(t, err, "Rules.List")
	diff(t, "rules after rollback", []coach.Rule(nil), rules)
	_, err = f.s.Events().Oldest(f.ctx, u.ID)
	wantCode(t, err, coach.ENOTFOUND, "events after rollback")
	und, err := f.s.Events().Undelivered(f.ctx, 0)
	must(t, err, "Undelivered")
	diff(t, "undelivered events after rollback", []coach.Event(nil), und)
	_, err = f.s.Checkpoints().Get(f.ctx, u.ID, conn, "BTCUSDT")
	wantCode(t, err, coach.ENOTFOUND, "checkpoint after rollback")
	cs, err := f.s.Candles().Range(f.ctx, "BTC-USDT", coach.Hour1, base.Add(-time.Hour), base.Add(time.Hour))
	must(t, err, "Candles.Range")
	diff(t, "candles after rollback", []coach.Candle(nil), cs)
	// The rolled-back trades left no tombstone or key behind: importing them now inserts them.
	diff(t, "import after rollback", storage.UpsertResult{Inserted: 2}, f.upsert(u.ID, trade("tx-1", base), trade("tx-2", base)))
}

func runInTx(t *testing.T, newStore func(*testing.T) storage.Store) {
	newUser := func() coach.User {
		return coach.User{ID: coach.NewID(), Email: coach.NewID() + "@example.com", CreatedAt: base}
	}

	t.Run("ErrorRollsBackEverything", func(t *testing.T) {
		f := setup(t, newStore)
		u, nu := f.user(), newUser()
		conn := f.connection(u.ID)
		boom := errors.New("boom")
		err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if err := writeEverything(f, tx, u, conn, nu); err != nil {
				return err
			}
			// Inside the transaction its own writes are visible.
			if n, err := tx.Trades().Count(f.ctx, u.ID); err != nil || n != 2 {
				t.Errorf("Count inside the transaction = %d, %v; want 2", n, err)
			}
			if _, err := tx.Users().ByID(f.ctx, nu.ID); err != nil {
				t.Errorf("ByID inside the transaction: %v", err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want fn's error", err)
		}
		nothingWritten(f, u, conn, nu)
	})

	t.Run("FailedCallInsideLeavesTheRestOfTheTransaction", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if _, err := tx.Trades().Upsert(f.ctx, u.ID, []coach.Trade{trade("a", base)}); err != nil {
				return err
			}
			_, err := tx.Digests().Put(f.ctx, coach.Digest{UserID: u.ID})
			wantCode(t, err, coach.EINVALID, "Put of an invalid digest inside the transaction")
			return nil
		})
		// Adapters differ in whether a failed statement spoils the transaction (PostgreSQL
		// aborts it); either the commit fails and nothing is stored, or it succeeds with the trade.
		n, cerr := f.s.Trades().Count(f.ctx, u.ID)
		must(t, cerr, "Count")
		if err == nil && n != 1 || err != nil && n != 0 {
			t.Errorf("InTx = %v and %d trades stored", err, n)
		}
	})

	t.Run("PanicRollsBackAndRepanics", func(t *testing.T) {
		f := setup(t, newStore)
		u, nu := f.user(), newUser()
		conn := f.connection(u.ID)
		type sentinel struct{ msg string }
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			_ = f.s.InTx(f.ctx, func(tx storage.Tx) error {
				if err := writeEverything(f, tx, u, conn, nu); err != nil {
					t.Errorf("writeEverything: %v", err)
				}
				panic(sentinel{"in the middle"})
			})
		}()
		if recovered != (sentinel{"in the middle"}) {
			t.Fatalf("recovered %v, want the panic of fn", recovered)
		}
		nothingWritten(f, u, conn, nu)
	})

	t.Run("CommitIsVisible", func(t *testing.T) {
		f := setup(t, newStore)
		u, nu := f.user(), newUser()
		conn := f.connection(u.ID)
		var appended []coach.Event
		err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if err := writeEverything(f, tx, u, conn, nu); err != nil {
				return err
			}
			evs, err := tx.Events().Append(f.ctx, event(u.ID, 2))
			appended = evs
			return err
		})
		must(t, err, "InTx")
		_, err = f.s.Users().ByID(f.ctx, nu.ID)
		must(t, err, "ByID of the user created in the transaction")
		if n, err := f.s.Trades().Count(f.ctx, u.ID); err != nil || n != 2 {
			t.Errorf("Count = %d, %v; want 2", n, err)
		}
		rules, err := f.s.Rules().List(f.ctx, u.ID)
		must(t, err, "Rules.List")
		if len(rules) != 1 {
			t.Errorf("%d rules, want 1", len(rules))
		}
		evs, err := f.s.Events().Since(f.ctx, u.ID, "", 0)
		must(t, err, "Since")
		if len(evs) != 2 || evs[1].ID != appended[0].ID {
			t.Errorf("events after commit: %+v, want 2 ending with %s", evs, appended[0].ID)
		}
		v, err := f.s.Checkpoints().Get(f.ctx, u.ID, conn, "BTCUSDT")
		if err != nil || v != "42" {
			t.Errorf("checkpoint = %q, %v; want 42", v, err)
		}
	})
}
