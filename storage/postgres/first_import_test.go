package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// TestFirstImportCopiesOnlyIntoAnEmptyAccount: a bulk import for a broker the user has no
// trades or tombstones of is stored whole (every trade Inserted); an import of another broker
// next to it, a re-import, an import after a delete of the only trade of a broker (a tombstone
// remains) and one with nothing new count exactly as the general path does; a missing user is
// ENOTFOUND.
func TestFirstImportCopiesOnlyIntoAnEmptyAccount(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	db.copyThreshold = 1
	ctx := context.Background()
	u := newUser(t, db)
	check := func(what string, got storage.UpsertResult, err error, want storage.UpsertResult) {
		t.Helper()
		must(t, err, what)
		if got != want {
			t.Errorf("%s: %+v, want %+v", what, got, want)
		}
	}
	res, err := db.Trades().Upsert(ctx, u.ID, fills(40, "binance", "b"))
	check("first import", res, err, storage.UpsertResult{Inserted: 40})
	res, err = db.Trades().Upsert(ctx, u.ID, append(fills(50, "binance", "b"), fills(5, "coinbase", "c")...))
	check("re-import with a new broker", res, err, storage.UpsertResult{Inserted: 15, Unchanged: 40})

	one, err := db.Trades().Upsert(ctx, u.ID, fills(1, "kraken", "k"))
	check("one kraken trade", one, err, storage.UpsertResult{Inserted: 1})
	stored, err := db.Trades().List(ctx, u.ID, storage.TradeFilter{})
	must(t, err, "list")
	for _, tr := range stored {
		if tr.Broker == "kraken" {
			must(t, db.Trades().Delete(ctx, u.ID, tr.ID), "delete")
		}
	}
	res, err = db.Trades().Upsert(ctx, u.ID, fills(3, "kraken", "k"))
	check("kraken after a delete", res, err, storage.UpsertResult{Inserted: 2, Skipped: 1})
	res, err = db.Trades().Upsert(ctx, u.ID, fills(3, "kraken", "k"))
	check("kraken again: nothing new", res, err, storage.UpsertResult{Unchanged: 2, Skipped: 1})

	n, err := db.Trades().Count(ctx, u.ID)
	must(t, err, "count")
	if n != 57 {
		t.Errorf("%d trades stored, want 57", n)
	}
	_, err = db.Trades().Upsert(ctx, coach.NewID(), fills(3, "binance", "b"))
	wantCode(t, err, coach.ENOTFOUND, "import for a missing user")
}

// TestFirstImportYieldsToAConcurrentImport: two bulk imports of overlapping trades into an empty
// account race; the second one's COPY meets the first one's trades once they commit, is undone
// and counted by the general path, so nothing is stored twice and the counts add up.
func TestFirstImportYieldsToAConcurrentImport(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	db.copyThreshold = 1
	ctx := context.Background()
	u := newUser(t, db)
	holding, release := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- db.InTx(ctx, func(tx storage.Tx) error {
			res, err := tx.Trades().Upsert(ctx, u.ID, fills(20, "binance", "b"))
			if err == nil && res != (storage.UpsertResult{Inserted: 20}) {
				t.Errorf("first import %+v, want 20 inserted", res)
			}
			close(holding)
			<-release // the second import starts meanwhile and waits on these trades' keys
			return err
		})
	}()
	<-holding
	go func() {
		time.Sleep(200 * time.Millisecond) // let the second COPY reach the first's keys
		close(release)
	}()
	res, err := db.Trades().Upsert(ctx, u.ID, fills(30, "binance", "b"))
	must(t, err, "second import")
	must(t, <-firstDone, "first import")
	if want := (storage.UpsertResult{Inserted: 10, Unchanged: 20}); res != want {
		t.Errorf("second import %+v, want %+v", res, want)
	}
	n, err := db.Trades().Count(ctx, u.ID)
	must(t, err, "count")
	if n != 30 {
		t.Errorf("%d trades stored, want 30", n)
	}
}
