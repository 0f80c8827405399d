package storagetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// apiFill returns fill n as an exchange's API reports it: an ExtID of the API's own (Coinbase's
// entry_id), the order id, the exchange's trade id and the liquidity side.
func apiFill(n int) coach.Trade {
	t := trade(fmt.Sprintf("entry-%064d", n), base.Add(time.Duration(n)*time.Minute))
	t.Broker, t.Symbol, t.FeeAsset = coach.BrokerCoinbase, "BTC-USD", "USD"
	t.OrderID = fmt.Sprintf("0000-%06d-order", n)
	t.ExchangeTradeID = fmt.Sprintf("1111-%06d-trade", n)
	t.Liquidity = coach.Maker
	return t
}

// fileFill returns fill n as the exchange's own export has it: its ExtID is the file's id (the
// Coinbase fills statement's trade id), and the file says nothing of the order or the liquidity.
func fileFill(n int) coach.Trade {
	t := apiFill(n)
	t.ExtID, t.OrderID, t.Liquidity = t.ExchangeTradeID, "", ""
	return t
}

// runTradeSources checks that one fill reaching the store from two sources (an exchange's file
// and its API), whose ExtIDs differ, is recognised by its exchange trade id: stored once, counted
// honestly, and kept deleted whichever source brings it back.
func runTradeSources(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("ExchangeFieldsRoundTrip", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		taker, bare := apiFill(2), trade("bare", base)
		taker.Liquidity = coach.Taker
		diff(t, "upsert", storage.UpsertResult{Inserted: 3}, f.upsert(u.ID, apiFill(1), taker, bare))
		got := f.listAll(u.ID, storage.TradeFilter{})
		diff(t, "stored trades", stored(u.ID, idsOf(got), bare, apiFill(1), taker), got)
		one, err := f.s.Trades().Get(f.ctx, u.ID, got[2].ID)
		must(t, err, "Get")
		diff(t, "Get", got[2], one)
	})

	t.Run("FileThenAPIStoresEachFillOnce", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		diff(t, "file import", storage.UpsertResult{Inserted: 2}, f.upsert(u.ID, fileFill(1), fileFill(2)))
		diff(t, "API import of the same fills and a new one", storage.UpsertResult{Inserted: 1, Unchanged: 2},
			f.upsert(u.ID, apiFill(1), apiFill(2), apiFill(3)))
		got := f.listAll(u.ID, storage.TradeFilter{})
		// The fills first stored from the file stay as the file had them.
		diff(t, "stored trades", stored(u.ID, idsOf(got), fileFill(1), fileFill(2), apiFill(3)), got)
		diff(t, "API re-import", storage.UpsertResult{Unchanged: 3}, f.upsert(u.ID, apiFill(1), apiFill(2), apiFill(3)))
		diff(t, "file re-import", storage.UpsertResult{Unchanged: 2}, f.upsert(u.ID, fileFill(1), fileFill(2)))
		if n, err := f.s.Trades().Count(f.ctx, u.ID); err != nil || n != 3 {
			t.Errorf("Count = %d, %v; want 3", n, err)
		}
	})

	t.Run("APIThenFileStoresEachFillOnce", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		diff(t, "API import", storage.UpsertResult{Inserted: 2}, f.upsert(u.ID, apiFill(1), apiFill(2)))
		diff(t, "file import of the same fills and an older one", storage.UpsertResult{Inserted: 1, Unchanged: 2},
			f.upsert(u.ID, fileFill(0), fileFill(1), fileFill(2)))
		got := f.listAll(u.ID, storage.TradeFilter{})
		diff(t, "stored trades", stored(u.ID, idsOf(got), fileFill(0), apiFill(1), apiFill(2)), got)
	})

	t.Run("TombstoneHoldsAcrossSources", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		f.upsert(u.ID, fileFill(1), fileFill(2))
		gone := f.listAll(u.ID, storage.TradeFilter{})[0]
		must(t, f.s.Trades().Delete(f.ctx, u.ID, gone.ID), "Delete the file's fill 1")
		diff(t, "API import after the delete", storage.UpsertResult{Unchanged: 1, Skipped: 1},
			f.upsert(u.ID, apiFill(1), apiFill(2)))
		diff(t, "file re-import", storage.UpsertResult{Unchanged: 1, Skipped: 1}, f.upsert(u.ID, fileFill(1), fileFill(2)))
		diff(t, "trades left", []string{fileFill(2).ExtID}, extIDs(f.listAll(u.ID, storage.TradeFilter{})))

		// The other way round: the API's fill deleted, then the file brings it.
		f.upsert(u.ID, apiFill(3))
		api3 := f.listAll(u.ID, storage.TradeFilter{})[1]
		diff(t, "file import before the delete", storage.UpsertResult{Unchanged: 1}, f.upsert(u.ID, fileFill(3)))
		must(t, f.s.Trades().Delete(f.ctx, u.ID, api3.ID), "Delete the API's fill 3")
		diff(t, "file import after the delete", storage.UpsertResult{Skipped: 1}, f.upsert(u.ID, fileFill(3)))
		diff(t, "API re-import after the delete", storage.UpsertResult{Skipped: 1}, f.upsert(u.ID, apiFill(3)))
		if n, err := f.s.Trades().Count(f.ctx, u.ID); err != nil || n != 1 {
			t.Errorf("Count = %d, %v; want 1", n, err)
		}
	})

	t.Run("RepeatsWithinOneBatchCountOnce", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		// The file's and the API's fill 1 in one batch are one fill.
		diff(t, "both sources in one batch", storage.UpsertResult{Inserted: 2},
			f.upsert(u.ID, fileFill(1), apiFill(1), apiFill(2), fileFill(2), fileFill(1)))
		diff(t, "stored trades", []string{fileFill(1).ExtID, apiFill(2).ExtID}, extIDs(f.listAll(u.ID, storage.TradeFilter{})))
		diff(t, "both again", storage.UpsertResult{Unchanged: 2},
			f.upsert(u.ID, apiFill(2), fileFill(1), apiFill(1), fileFill(2)))
		// A repeat counts for nothing, not even for its other key: b repeats a (the same trade
		// id), and c, which shares only b's ExtID, is a fill of its own.
		a, b := apiFill(2), fileFill(2)
		a.ExtID, b.ExtID = "entry-a", "file-b"
		c := b
		c.ExchangeTradeID = "1111-other-trade"
		diff(t, "a repeat's ExtID with another trade id", storage.UpsertResult{Inserted: 1, Unchanged: 1},
			f.upsert(u.ID, a, b, c))
	})

	t.Run("SidesAndPairsAreOtherFills", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		// Both sides of a self-trade share the trade id; Binance numbers trades per pair.
		buy, sell, eth := apiFill(1), apiFill(1), apiFill(1)
		sell.ExtID, sell.Side = "entry-sell", coach.Sell
		eth.ExtID, eth.Symbol, eth.Price = "entry-eth", "ETH-USD", decimal.RequireFromString("3000")
		diff(t, "upsert", storage.UpsertResult{Inserted: 3}, f.upsert(u.ID, buy, sell, eth))
		// The same trade id at another exchange (broker) is another fill.
		csv := fileFill(1)
		csv.Broker = coach.BrokerCSV
		diff(t, "the trade id under another broker", storage.UpsertResult{Inserted: 1}, f.upsert(u.ID, csv))
		// And another user's fill is not this user's.
		other := f.user()
		diff(t, "another user", storage.UpsertResult{Inserted: 1}, f.upsert(other.ID, fileFill(1)))
	})

	t.Run("EditKeepsTheFill", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		f.upsert(u.ID, apiFill(1))
		edit := f.listAll(u.ID, storage.TradeFilter{})[0]
		want := edit
		edit.Symbol, edit.Side, edit.FeeAsset = "ETH-USD", coach.Sell, "ETH"
		edit.OrderID, edit.ExchangeTradeID, edit.Liquidity = "changed", "changed", coach.Taker
		must(t, f.s.Trades().Update(f.ctx, u.ID, edit), "Update")
		want.Symbol, want.Side, want.FeeAsset = edit.Symbol, edit.Side, edit.FeeAsset
		got, err := f.s.Trades().Get(f.ctx, u.ID, edit.ID)
		must(t, err, "Get")
		diff(t, "edited trade: what the exchange said does not change", want, got)
		// The file's row of the fill still finds it, under the symbol and side it was stored with.
		diff(t, "file import after the edit", storage.UpsertResult{Unchanged: 1}, f.upsert(u.ID, fileFill(1)))
		diff(t, "a fill under the edited symbol and side is another", storage.UpsertResult{Inserted: 1}, f.upsert(u.ID, func() coach.Trade {
			x := fileFill(1)
			x.ExtID, x.Symbol, x.Side, x.FeeAsset = "file-eth", "ETH-USD", coach.Sell, "ETH"
			return x
		}()))
	})

	t.Run("RollbackLeavesNoExchangeKey", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		boom := errors.New("boom")
		err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if _, err := tx.Trades().Upsert(f.ctx, u.ID, []coach.Trade{apiFill(1)}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		diff(t, "file import after the rollback", storage.UpsertResult{Inserted: 1}, f.upsert(u.ID, fileFill(1)))
		gone := f.listAll(u.ID, storage.TradeFilter{})[0]
		err = f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if err := tx.Trades().Delete(f.ctx, u.ID, gone.ID); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		diff(t, "API import after a rolled-back delete", storage.UpsertResult{Unchanged: 1}, f.upsert(u.ID, apiFill(1)))
	})
}
