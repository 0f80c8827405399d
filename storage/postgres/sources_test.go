package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// sourcedFills returns fills n0 … of broker as two sources report them: the API (ExtIDs of its
// own, order ids, trade ids, liquidity) and the exchange's file (the trade id as ExtID, nothing
// else).
func sourcedFills(n int, broker string) (api, file []coach.Trade) {
	api = fills(n, broker, "entry-")
	file = make([]coach.Trade, n)
	for i := range api {
		api[i].OrderID = fmt.Sprintf("order-%d", i/2)
		api[i].ExchangeTradeID = fmt.Sprintf("%d", 28457+i)
		api[i].Liquidity = []coach.Liquidity{coach.Maker, coach.Taker, ""}[i%3]
		file[i] = api[i]
		file[i].ExtID, file[i].OrderID, file[i].Liquidity = "trade-"+api[i].ExchangeTradeID, "", ""
	}
	return api, file
}

// TestUpsertRecognisesFillsAcrossSources runs the cross-source cases through both upsert paths
// (the conformance suite's batches are small: arrays only), with the exchange fields kept
// exactly.
func TestUpsertRecognisesFillsAcrossSources(t *testing.T) {
	t.Parallel()
	upsertPaths(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		u := newUser(t, db)
		api, file := sourcedFills(40, "binance")
		res, err := db.Trades().Upsert(ctx, u.ID, file[:30])
		must(t, err, "file import")
		if want := (storage.UpsertResult{Inserted: 30}); res != want {
			t.Fatalf("file import %+v, want %+v", res, want)
		}
		stored, err := db.Trades().List(ctx, u.ID, storage.TradeFilter{})
		must(t, err, "list")
		must(t, db.Trades().Delete(ctx, u.ID, stored[7].ID), "delete a file fill")
		// The API brings the 30 again (one deleted), 10 new, and a repeat of one of them.
		res, err = db.Trades().Upsert(ctx, u.ID, append(api, file[35]))
		must(t, err, "API import")
		if want := (storage.UpsertResult{Inserted: 10, Unchanged: 29, Skipped: 1}); res != want {
			t.Errorf("API import %+v, want %+v", res, want)
		}
		got, err := db.Trades().List(ctx, u.ID, storage.TradeFilter{})
		must(t, err, "list after")
		want := append(append(append([]coach.Trade{}, file[:7]...), file[8:30]...), api[30:]...)
		for i := range want {
			want[i].UserID = u.ID
			if i < len(got) {
				want[i].ID = got[i].ID
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stored trades (-want +got):\n%s", diff)
		}
	})
}

// TestUpsertConcurrentSourcesStoreOnce stores one fill from two sources in two transactions at
// once: the second waits on the exchange key's unique index, fails ERETRYABLE when the first
// commits, and counts the fill Unchanged when retried. The fill is stored once.
func TestUpsertConcurrentSourcesStoreOnce(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	u := newUser(t, db)
	api, file := sourcedFills(1, "coinbase")
	inserted, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.InTx(ctx, func(tx storage.Tx) error {
			if _, err := tx.Trades().Upsert(ctx, u.ID, api); err != nil {
				return err
			}
			close(inserted)
			<-release
			return nil
		})
	}()
	select {
	case <-inserted:
	case err := <-first:
		t.Fatalf("first import: %v", err)
	}
	second := make(chan error, 1)
	go func() {
		_, err := db.Trades().Upsert(ctx, u.ID, file)
		second <- err
	}()
	// Wait until the second import waits on the first one's row lock, then let the first commit.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var waiting int
		must(t, db.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE '%'||$1||'.trades%'`, db.Schema()).Scan(&waiting), "pg_stat_activity")
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			close(release)
			t.Fatal("the second import never waited on the first")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	must(t, <-first, "first import")
	wantCode(t, <-second, coach.ERETRYABLE, "the second source's import, racing the first")
	res, err := db.Trades().Upsert(ctx, u.ID, file)
	must(t, err, "retry")
	if want := (storage.UpsertResult{Unchanged: 1}); res != want {
		t.Errorf("retry %+v, want %+v", res, want)
	}
	if n, err := db.Trades().Count(ctx, u.ID); err != nil || n != 1 {
		t.Errorf("Count = %d, %v; want 1", n, err)
	}
}
