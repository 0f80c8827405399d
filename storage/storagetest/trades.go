package storagetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// stored returns trades as the store keeps them for userID, with the ids the store gave them.
func stored(userID string, ids map[string]string, ts ...coach.Trade) []coach.Trade {
	out := make([]coach.Trade, len(ts))
	for i, t := range ts {
		t.UserID, t.ID = userID, ids[t.ExtID]
		out[i] = t
	}
	return out
}

// idsOf maps the extIds of trades to their ids.
func idsOf(ts []coach.Trade) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.ExtID] = t.ID
	}
	return m
}

func runTrades(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("UpsertCountsAndStores", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b, c := trade("a", base), trade("b", base.Add(time.Second)), trade("c", base.Add(2*time.Second))
		c.Side, c.Fee, c.FeeAsset, c.Symbol = coach.Sell, decimal.NullDecimal{}, "", "ETH-USDT"
		diff(t, "first import", storage.UpsertResult{Inserted: 3}, f.upsert(u.ID, a, b, c))
		got := f.listAll(u.ID, storage.TradeFilter{})
		for _, tr := range got {
			if !coach.ValidID(tr.ID) {
				t.Errorf("trade %s: id %q not set by the store", tr.ExtID, tr.ID)
			}
		}
		diff(t, "stored trades", stored(u.ID, idsOf(got), a, b, c), got)
		one, err := f.s.Trades().Get(f.ctx, u.ID, got[2].ID)
		must(t, err, "Get")
		diff(t, "Get", got[2], one)
		if n, err := f.s.Trades().Count(f.ctx, u.ID); err != nil || n != 3 {
			t.Errorf("Count = %d, %v; want 3", n, err)
		}
	})

	t.Run("ReimportIsIdempotent", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		batch := []coach.Trade{trade("a", base), trade("b", base.Add(time.Second))}
		f.upsert(u.ID, batch...)
		before := f.listAll(u.ID, storage.TradeFilter{})
		diff(t, "re-import", storage.UpsertResult{Unchanged: 2}, f.upsert(u.ID, batch...))
		diff(t, "re-import with one new", storage.UpsertResult{Inserted: 1, Unchanged: 2},
			f.upsert(u.ID, append(batch, trade("c", base.Add(-time.Hour)))...))
		after := f.listAll(u.ID, storage.TradeFilter{})
		diff(t, "trades after re-import", append([]coach.Trade{stored(u.ID, idsOf(after), trade("c", base.Add(-time.Hour)))[0]}, before...), after)
	})

	t.Run("UserEditSurvivesReimport", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		orig := trade("a", base)
		f.upsert(u.ID, orig, trade("b", base.Add(time.Minute)))
		edit := f.storedTrade(u.ID, "a")
		edit.Price = decimal.RequireFromString("42000")
		edit.Qty = decimal.RequireFromString("0.02")
		edit.TS = microTime(base.Add(2 * time.Minute))
		must(t, f.s.Trades().Update(f.ctx, u.ID, edit), "Update")
		diff(t, "re-import", storage.UpsertResult{Unchanged: 2}, f.upsert(u.ID, orig, trade("b", base.Add(time.Minute))))
		got, err := f.s.Trades().Get(f.ctx, u.ID, edit.ID)
		must(t, err, "Get")
		diff(t, "edited trade after re-import", edit, got)
		// The edit moved the trade after b in the trade order.
		list := f.listAll(u.ID, storage.TradeFilter{})
		diff(t, "order after the edit", []string{"b", "a"}, extIDs(list))
	})

	t.Run("DuplicateKeysWithinOneBatch", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		first, second := trade("a", base), trade("a", base.Add(time.Hour))
		second.Price = decimal.RequireFromString("1")
		diff(t, "batch with a repeated new key", storage.UpsertResult{Inserted: 2},
			f.upsert(u.ID, first, trade("b", base), second))
		got := f.storedTrade(u.ID, "a")
		diff(t, "the repeated key keeps its first occurrence", stored(u.ID, idsOf([]coach.Trade{got}), first)[0], got)
		diff(t, "batch repeating a stored key", storage.UpsertResult{Inserted: 1, Unchanged: 1},
			f.upsert(u.ID, first, first, trade("c", base), first))
		if n, _ := f.s.Trades().Count(f.ctx, u.ID); n != 3 {
			t.Errorf("Count = %d, want 3", n)
		}
	})

	t.Run("SameExtIDOnAnotherBrokerIsAnotherTrade", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b := trade("1001", base), trade("1001", base)
		b.Broker = coach.BrokerCoinbase
		diff(t, "upsert", storage.UpsertResult{Inserted: 2}, f.upsert(u.ID, a, b))
	})

	t.Run("InvalidTradeStoresNothing", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		bad := trade("bad", base)
		bad.Qty = decimal.Zero
		_, err := f.s.Trades().Upsert(f.ctx, u.ID, []coach.Trade{trade("good1", base), bad, trade("good2", base)})
		wantCode(t, err, coach.EINVALID, "Upsert with an invalid trade")
		if n, _ := f.s.Trades().Count(f.ctx, u.ID); n != 0 {
			t.Errorf("Count after a rejected batch = %d, want 0", n)
		}
	})

	t.Run("WrongUserIDIsInvalid", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		tr := trade("a", base)
		tr.UserID = other.ID
		_, err := f.s.Trades().Upsert(f.ctx, u.ID, []coach.Trade{trade("b", base), tr})
		wantCode(t, err, coach.EINVALID, "Upsert with another user's UserID")
		for _, id := range []string{u.ID, other.ID} {
			if n, _ := f.s.Trades().Count(f.ctx, id); n != 0 {
				t.Errorf("Count after a rejected batch = %d, want 0", n)
			}
		}
		own := trade("c", base)
		own.UserID = u.ID
		diff(t, "Upsert with the user's own UserID", storage.UpsertResult{Inserted: 1}, f.upsert(u.ID, own))
	})

	t.Run("TombstonePreventsRevival", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b := trade("a", base), trade("b", base.Add(time.Second))
		f.upsert(u.ID, a, b)
		gone := f.storedTrade(u.ID, "a")
		must(t, f.s.Trades().Delete(f.ctx, u.ID, gone.ID), "Delete")
		_, err := f.s.Trades().Get(f.ctx, u.ID, gone.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get deleted")
		wantCode(t, f.s.Trades().Delete(f.ctx, u.ID, gone.ID), coach.ENOTFOUND, "Delete again")
		diff(t, "re-import after delete", storage.UpsertResult{Unchanged: 1, Skipped: 1}, f.upsert(u.ID, a, b, a))
		diff(t, "trades after re-import", []string{"b"}, extIDs(f.listAll(u.ID, storage.TradeFilter{})))
		if n, _ := f.s.Trades().Count(f.ctx, u.ID); n != 1 {
			t.Errorf("Count = %d, want 1", n)
		}
	})

	t.Run("ListPagesThroughEqualTimestampsInOrder", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		rng := rand.New(rand.NewPCG(1, 2))
		var batch []coach.Trade
		for i := range 1234 {
			tr := trade(fmt.Sprintf("x%06d-%04d", rng.IntN(1_000_000), i), base.Add(time.Duration(i%4)*time.Second))
			if i%3 == 0 {
				tr.Broker = coach.BrokerCoinbase
			}
			batch = append(batch, tr)
		}
		rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
		res := f.upsert(u.ID, batch...)
		f.upsert(other.ID, batch[:100]...)
		want := dedupe(batch)
		if res.Inserted != len(want) {
			t.Fatalf("Inserted %d, want %d", res.Inserted, len(want))
		}
		slices.SortFunc(want, func(a, b coach.Trade) int {
			if storage.PosOf(a).Less(storage.PosOf(b)) {
				return -1
			}
			return 1
		})
		var got []coach.Trade
		filter := storage.TradeFilter{Limit: 97}
		for pages := 0; ; pages++ {
			if pages > len(want) {
				t.Fatal("paging does not end")
			}
			page, err := f.s.Trades().List(f.ctx, u.ID, filter)
			must(t, err, "List")
			if len(page) > filter.Limit {
				t.Fatalf("page of %d trades, limit %d", len(page), filter.Limit)
			}
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			p := storage.PosOf(page[len(page)-1])
			filter.After = &p
		}
		diff(t, "paged listing (extIds)", extIDs(want), extIDs(got))
		diff(t, "paged listing", stored(u.ID, idsOf(got), want...), got)

		// Listing again gives the same order: it does not depend on ids or insertion.
		diff(t, "second listing", extIDs(got), extIDs(f.listAll(u.ID, storage.TradeFilter{Limit: 500})))

		// A time range is half-open, and After works inside it.
		from, to := base.Add(time.Second), base.Add(3*time.Second)
		var inRange []coach.Trade
		for _, tr := range want {
			if !tr.TS.Before(from) && tr.TS.Before(to) {
				inRange = append(inRange, tr)
			}
		}
		diff(t, "range listing", extIDs(inRange), extIDs(f.listAll(u.ID, storage.TradeFilter{From: from, To: to, Limit: 50})))

		// Limit 0 is the default limit.
		page, err := f.s.Trades().List(f.ctx, u.ID, storage.TradeFilter{})
		must(t, err, "List without a limit")
		if len(page) != storage.DefaultLimit {
			t.Errorf("List without a limit returned %d trades, want %d", len(page), storage.DefaultLimit)
		}
	})

	t.Run("ListBySymbol", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		var batch []coach.Trade
		for i := range 30 {
			tr := trade(fmt.Sprintf("s%02d", i), base.Add(time.Duration(i)*time.Minute))
			if i%3 == 0 {
				tr.Symbol = "ETH-USDT"
			}
			batch = append(batch, tr)
		}
		f.upsert(u.ID, batch...)
		var want []string
		for _, tr := range batch {
			if tr.Symbol == "ETH-USDT" {
				want = append(want, tr.ExtID)
			}
		}
		diff(t, "ETH-USDT trades", want, extIDs(f.listAll(u.ID, storage.TradeFilter{Symbol: "ETH-USDT", Limit: 4})))
		diff(t, "unknown symbol", []string(nil), extIDs(f.listAll(u.ID, storage.TradeFilter{Symbol: "SOL-USDT"})))
	})

	t.Run("UpdateValidatesAndKeepsKey", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		f.upsert(u.ID, trade("a", base))
		tr := f.storedTrade(u.ID, "a")
		bad := tr
		bad.Price = decimal.RequireFromString("-1")
		wantCode(t, f.s.Trades().Update(f.ctx, u.ID, bad), coach.EINVALID, "Update with a negative price")
		unknown := tr
		unknown.ID = coach.NewID()
		wantCode(t, f.s.Trades().Update(f.ctx, u.ID, unknown), coach.ENOTFOUND, "Update unknown")
		next := tr
		next.Symbol, next.Side, next.FeeAsset = "ETH-BTC", coach.Sell, "ETH"
		must(t, f.s.Trades().Update(f.ctx, u.ID, next), "Update")
		got, err := f.s.Trades().Get(f.ctx, u.ID, tr.ID)
		must(t, err, "Get")
		diff(t, "updated trade", next, got)
	})

	t.Run("DeleteRemovesTags", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		f.upsert(u.ID, trade("a", base), trade("b", base))
		a, b := f.storedTrade(u.ID, "a"), f.storedTrade(u.ID, "b")
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID, b.ID}, []coach.BiasTag{
			tag(u.ID, a.ID, coach.LabelFOMO, 0.7), tag(u.ID, a.ID, coach.LabelPanic, 0.6), tag(u.ID, b.ID, coach.LabelFOMO, 0.5),
		}), "Replace")
		must(t, f.s.Trades().Delete(f.ctx, u.ID, a.ID), "Delete")
		got, err := f.s.Tags().ByTrades(f.ctx, u.ID, []string{a.ID, b.ID})
		must(t, err, "ByTrades")
		if len(got) != 1 || got[0].TradeID != b.ID {
			t.Errorf("tags after deleting trade a: %+v, want only b's", got)
		}
		all, err := f.s.Tags().List(f.ctx, u.ID, storage.TagFilter{})
		must(t, err, "List")
		if len(all) != 1 {
			t.Errorf("List after deleting trade a: %d tags, want 1", len(all))
		}
	})

	t.Run("IDOfAnotherUsersTradeIsRefused", func(t *testing.T) {
		// Trade ids are unique across the store: a batch that gives a trade the id of another
		// user's trade is refused with ECONFLICT and stores nothing, whoever holds the id.
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		f.upsert(u.ID, trade("a", base))
		owned := f.storedTrade(u.ID, "a")
		mine, stolen := trade("mine", base), trade("x", base.Add(time.Second))
		stolen.ID = owned.ID
		_, err := f.s.Trades().Upsert(f.ctx, other.ID, []coach.Trade{mine, stolen})
		wantCode(t, err, coach.ECONFLICT, "Upsert with another user's trade id")
		if n, err := f.s.Trades().Count(f.ctx, other.ID); err != nil || n != 0 {
			t.Errorf("Count of the refused user = %d, %v; want 0", n, err)
		}
		got, err := f.s.Trades().Get(f.ctx, u.ID, owned.ID)
		must(t, err, "Get as the owner")
		diff(t, "owner's trade after the refused batch", owned, got)
		// A fresh id of the caller's choosing is accepted.
		free := trade("y", base)
		free.ID = coach.NewID()
		diff(t, "Upsert with a fresh id", storage.UpsertResult{Inserted: 1}, f.upsert(other.ID, free))
		if tr := f.storedTrade(other.ID, "y"); tr.ID != free.ID {
			t.Errorf("caller's id not kept: %s, want %s", tr.ID, free.ID)
		}
	})

	t.Run("OtherUsersTradeIsNotFound", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		f.upsert(u.ID, trade("a", base))
		f.upsert(other.ID, trade("a", base), trade("b", base))
		tr := f.storedTrade(u.ID, "a")
		_, err := f.s.Trades().Get(f.ctx, other.ID, tr.ID)
		wantCode(t, err, coach.ENOTFOUND, "Get as another user")
		edit := tr
		edit.Price = decimal.RequireFromString("1")
		wantCode(t, f.s.Trades().Update(f.ctx, other.ID, edit), coach.ENOTFOUND, "Update as another user")
		wantCode(t, f.s.Trades().Delete(f.ctx, other.ID, tr.ID), coach.ENOTFOUND, "Delete as another user")
		got, err := f.s.Trades().Get(f.ctx, u.ID, tr.ID)
		must(t, err, "Get as the owner")
		diff(t, "trade after another user's attempts", tr, got)
		for _, o := range f.listAll(other.ID, storage.TradeFilter{}) {
			if o.ID == tr.ID || o.UserID != other.ID {
				t.Errorf("another user's listing shows %+v", o)
			}
		}
		for id, want := range map[string]int{u.ID: 1, other.ID: 2, coach.NewID(): 0} {
			if n, err := f.s.Trades().Count(f.ctx, id); err != nil || n != want {
				t.Errorf("Count(%s) = %d, %v; want %d", id, n, err, want)
			}
		}
	})
}

func extIDs(ts []coach.Trade) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ExtID)
	}
	return out
}

// dedupe keeps the first trade of each (broker, extId).
func dedupe(ts []coach.Trade) []coach.Trade {
	seen := map[[2]string]bool{}
	var out []coach.Trade
	for _, t := range ts {
		k := [2]string{t.Broker, t.ExtID}
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}
