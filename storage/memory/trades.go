package memory

import (
	"cmp"
	"context"
	"slices"
	"sort"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// trades is the storage.Trades of a Store or transaction.
type trades struct{ r repos }

// tradeKey is the natural key of a trade within a user: (broker, extId).
type tradeKey struct{ broker, extID string }

// tradeRec is a stored trade. batch is the number of the last Upsert that counted it, so a key
// repeated within one batch is counted once without a map per batch.
type tradeRec struct {
	t     coach.Trade
	batch uint64
}

// tradeBook is one user's trades: by id, by natural key, in trade order (storage.TradePos), and
// the tombstones of deleted ones (key → the last Upsert that counted it).
type tradeBook struct {
	byID  map[string]*tradeRec
	byKey map[tradeKey]*tradeRec
	order []*tradeRec // sorted by position; replaced, never changed in place, so undo can restore it
	tombs map[tradeKey]uint64
}

func newTradeBook() tradeBook {
	return tradeBook{byID: map[string]*tradeRec{}, byKey: map[tradeKey]*tradeRec{}, tombs: map[tradeKey]uint64{}}
}

func keyOf(t *coach.Trade) tradeKey { return tradeKey{t.Broker, t.ExtID} }

// comparePos orders trades by (TS, Broker, ExtID), the order of storage.TradePos.
func comparePos(a, b *tradeRec) int {
	if c := a.t.TS.Compare(b.t.TS); c != 0 {
		return c
	}
	if c := cmp.Compare(a.t.Broker, b.t.Broker); c != 0 {
		return c
	}
	return cmp.Compare(a.t.ExtID, b.t.ExtID)
}

// afterPos reports whether t sorts after p.
func afterPos(t *coach.Trade, p storage.TradePos) bool {
	return p.Less(storage.PosOf(*t))
}

// search returns the index of the first trade for which after is true (the order is sorted, so
// after is false then true).
func (tb *tradeBook) search(after func(*coach.Trade) bool) int {
	return sort.Search(len(tb.order), func(i int) bool { return after(&tb.order[i].t) })
}

// indexOf returns the index of rec in the order.
func (tb *tradeBook) indexOf(rec *tradeRec) int {
	i, found := slices.BinarySearchFunc(tb.order, rec, comparePos)
	if !found || tb.order[i] != rec {
		panic("memory: trade order out of sync with the trade index")
	}
	return i
}

// Upsert validates every trade before taking the lock, then inserts the new ones and merges
// them, sorted, into the user's order in one pass.
func (r trades) Upsert(ctx context.Context, userID string, in []coach.Trade) (storage.UpsertResult, error) {
	var res storage.UpsertResult
	if err := checkUserID(userID); err != nil {
		return res, err
	}
	for i := range in {
		t := in[i]
		if t.UserID != "" && t.UserID != userID {
			return res, coach.Errorf(coach.EINVALID, "trade %s: userId: belongs to another user", clipKey(t.ExtID))
		}
		t.UserID = userID
		if err := t.Validate(); err != nil {
			return res, err
		}
	}
	err := r.r.write(ctx, func(d *data, undo *undoLog) error {
		res = storage.UpsertResult{}
		b := d.bucketFor(userID, undo)
		tb := &b.trades
		batch := d.nextSeq()
		if len(tb.byID) == 0 && len(tb.tombs) == 0 {
			tb.byID = make(map[string]*tradeRec, len(in))
			tb.byKey = make(map[tradeKey]*tradeRec, len(in))
		}
		var added []*tradeRec
		oldOrder := tb.order
		undo.add(func() {
			for _, rec := range added {
				delete(d.owners, ownerKey{kindTrade, rec.t.ID})
				delete(tb.byID, rec.t.ID)
				delete(tb.byKey, keyOf(&rec.t))
			}
			tb.order = oldOrder
		})
		var slab []tradeRec // records are allocated in chunks, never more than the batch can still add
		for i := range in {
			k := tradeKey{in[i].Broker, in[i].ExtID}
			if len(tb.tombs) > 0 {
				if seen, ok := tb.tombs[k]; ok {
					if seen != batch {
						tb.tombs[k] = batch
						res.Skipped++
					}
					continue
				}
			}
			if old, ok := tb.byKey[k]; ok {
				if old.batch != batch { // a key first added by this batch was counted Inserted
					old.batch = batch
					res.Unchanged++
				}
				continue
			}
			if len(slab) == cap(slab) {
				slab = make([]tradeRec, 0, min(len(in)-i, 4096))
			}
			if added == nil {
				added = make([]*tradeRec, 0, len(in)-i)
			}
			slab = append(slab, tradeRec{t: in[i], batch: batch})
			rec := &slab[len(slab)-1]
			rec.t.UserID, rec.t.TS = userID, rec.t.TS.UTC()
			if rec.t.ID == "" {
				rec.t.ID = coach.NewID()
			} else if d.taken(kindTrade, rec.t.ID) {
				// Trade ids are unique store-wide, as the primary key is in Postgres: an id of
				// another user's trade is refused like one of the caller's own.
				return coach.Errorf(coach.ECONFLICT, "trade %s: id %s already used", clipKey(rec.t.ExtID), rec.t.ID)
			}
			d.owners[ownerKey{kindTrade, rec.t.ID}] = userID // undone with added, above
			tb.byID[rec.t.ID] = rec
			tb.byKey[k] = rec
			added = append(added, rec)
			res.Inserted++
		}
		if len(added) > 0 {
			tb.order = mergeOrder(oldOrder, added)
		}
		return nil
	})
	return res, err
}

// mergeOrder returns a new slice with the sorted old and the (unsorted) added trades in order.
func mergeOrder(old, added []*tradeRec) []*tradeRec {
	if !slices.IsSortedFunc(added, comparePos) {
		slices.SortFunc(added, comparePos)
	}
	if len(old) == 0 {
		return slices.Clip(added)
	}
	out := make([]*tradeRec, 0, len(old)+len(added))
	if comparePos(old[len(old)-1], added[0]) < 0 {
		return append(append(out, old...), added...)
	}
	i, j := 0, 0
	for i < len(old) && j < len(added) {
		if comparePos(old[i], added[j]) <= 0 {
			out = append(out, old[i])
			i++
		} else {
			out = append(out, added[j])
			j++
		}
	}
	out = append(out, old[i:]...)
	return append(out, added[j:]...)
}

func (r trades) Get(ctx context.Context, userID, id string) (coach.Trade, error) {
	var out coach.Trade
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || b.trades.byID[id] == nil {
			return notFound("trade", id)
		}
		out = b.trades.byID[id].t
		return nil
	})
	return out, err
}

func (r trades) List(ctx context.Context, userID string, f storage.TradeFilter) ([]coach.Trade, error) {
	limit := storage.Clamp(f.Limit)
	var out []coach.Trade
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		tb := &b.trades
		i := 0
		if !f.From.IsZero() {
			i = tb.search(func(t *coach.Trade) bool { return !t.TS.Before(f.From) })
		}
		if f.After != nil {
			i = max(i, tb.search(func(t *coach.Trade) bool { return afterPos(t, *f.After) }))
		}
		for ; i < len(tb.order) && len(out) < limit; i++ {
			t := &tb.order[i].t
			if !f.To.IsZero() && !t.TS.Before(f.To) {
				break
			}
			if f.Symbol != "" && t.Symbol != f.Symbol {
				continue
			}
			out = append(out, *t)
		}
		return nil
	})
	return out, err
}

// Update matches the trade by (userID, t.ID) alone: t.UserID, Broker, ExtID and ConnectionID
// are not editable and are ignored.
func (r trades) Update(ctx context.Context, userID string, t coach.Trade) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.trades.byID[t.ID] == nil {
			return notFound("trade", t.ID)
		}
		tb := &b.trades
		rec := tb.byID[t.ID]
		next := rec.t
		next.Symbol, next.Side, next.Qty, next.Price = t.Symbol, t.Side, t.Qty, t.Price
		next.Fee, next.FeeAsset, next.TS = t.Fee, t.FeeAsset, t.TS.UTC()
		if err := next.Validate(); err != nil {
			return err
		}
		old, oldOrder := rec.t, tb.order
		i := tb.indexOf(rec)
		order := slices.Delete(slices.Clone(oldOrder), i, i+1)
		rec.t = next
		j, _ := slices.BinarySearchFunc(order, rec, comparePos)
		tb.order = slices.Insert(order, j, rec)
		undo.add(func() { rec.t, tb.order = old, oldOrder })
		return nil
	})
}

func (r trades) Delete(ctx context.Context, userID, id string) error {
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		if !ok || b.trades.byID[id] == nil {
			return notFound("trade", id)
		}
		tb := &b.trades
		rec := tb.byID[id]
		k := keyOf(&rec.t)
		oldOrder := tb.order
		i := tb.indexOf(rec)
		tb.order = slices.Delete(slices.Clone(oldOrder), i, i+1)
		delete(tb.byID, id)
		delete(tb.byKey, k)
		d.dropOwner(kindTrade, id, undo)
		tb.tombs[k] = 0
		undo.add(func() {
			tb.order = oldOrder
			tb.byID[id] = rec
			tb.byKey[k] = rec
			delete(tb.tombs, k)
		})
		b.dropTags(d, id, undo)
		return nil
	})
}

func (r trades) Count(ctx context.Context, userID string) (int, error) {
	n := 0
	err := r.r.read(ctx, func(d *data) error {
		if b, ok := d.users[userID]; ok {
			n = len(b.trades.byID)
		}
		return nil
	})
	return n, err
}
