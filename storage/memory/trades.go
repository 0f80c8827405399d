package memory

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// trades is the storage.Trades of a Store or transaction.
type trades struct{ r repos }

// tradeKey is the natural key of a trade within a user: (broker, extId).
type tradeKey struct{ broker, extID string }

// exchKey is the other key of a trade within a user: (broker, coach.Trade.ExchangeKey), for
// trades that have one.
type exchKey struct{ broker, key string }

// tradeRec is a stored trade. exch is its ExchangeKey when first stored ("" for none): an Update
// of the symbol or side does not change which fill it is. batch is the number of the last Upsert
// that counted it through a trade with exactly its keys, so a key repeated within one batch is
// counted once without a map per batch.
type tradeRec struct {
	t     coach.Trade
	exch  string
	batch uint64
}

// tradeBook is one user's trades: by id, by natural key, by exchange key, in trade order
// (storage.TradePos), and the tombstones of deleted ones on both keys (key → the last Upsert that
// counted it).
type tradeBook struct {
	byID      map[string]*tradeRec
	byKey     map[tradeKey]*tradeRec
	byExch    map[exchKey]*tradeRec
	order     []*tradeRec // sorted by position; replaced, never changed in place, so undo can restore it
	tombs     map[tradeKey]uint64
	exchTombs map[exchKey]uint64
	tombAt    map[tradeKey]time.Time // when each tombstone of tombs was made
}

func newTradeBook() tradeBook {
	return tradeBook{byID: map[string]*tradeRec{}, byKey: map[tradeKey]*tradeRec{}, byExch: map[exchKey]*tradeRec{},
		tombs: map[tradeKey]uint64{}, exchTombs: map[exchKey]uint64{}, tombAt: map[tradeKey]time.Time{}}
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
//
// A trade of the batch is a repeat when it shares its (broker, extId) or its (broker, exchange
// key) with an earlier trade of the batch that was not one; repeats are neither stored nor
// counted. The keys of each counted trade are marked with the batch's number where they are held
// (a tombstone, or a record with exactly the trade's keys); a key that has no such place (a fill
// first stored from another source) goes into a map made for the batch only then.
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
				if rec.exch != "" {
					delete(tb.byExch, exchKey{rec.t.Broker, rec.exch})
				}
			}
			tb.order = oldOrder
		})
		var m batchMarks
		var slab []tradeRec // records are allocated in chunks, never more than the batch can still add
		for i := range in {
			t := &in[i]
			k, x := keyOf(t), exchKey{t.Broker, t.ExchangeKey()}
			outcome := tb.find(k, x)
			if m.repeat(batch, k, x, outcome) {
				continue
			}
			switch {
			case outcome.tombK || outcome.tombX:
				res.Skipped++
				m.mark(tb, batch, k, x, outcome)
				continue
			case outcome.recK != nil || outcome.recX != nil:
				res.Unchanged++
				m.mark(tb, batch, k, x, outcome)
				continue
			}
			if len(slab) == cap(slab) {
				slab = make([]tradeRec, 0, min(len(in)-i, 4096))
			}
			if added == nil {
				added = make([]*tradeRec, 0, len(in)-i)
			}
			slab = append(slab, tradeRec{t: *t, exch: x.key, batch: batch})
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
			if x.key != "" {
				tb.byExch[x] = rec
			}
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

// found is what a user's trade book holds under a trade's two keys.
type found struct {
	tombK, tombX   bool      // a tombstone on the natural key, on the exchange key
	tombKB, tombXB uint64    // the last batch that counted those tombstones
	recK, recX     *tradeRec // the stored trade with the natural key, with the exchange key
}

// find looks k and x (x.key may be "") up.
func (tb *tradeBook) find(k tradeKey, x exchKey) found {
	var f found
	if len(tb.tombs) > 0 {
		f.tombKB, f.tombK = tb.tombs[k]
	}
	f.recK = tb.byKey[k]
	if x.key != "" {
		if len(tb.exchTombs) > 0 {
			f.tombXB, f.tombX = tb.exchTombs[x]
		}
		f.recX = tb.byExch[x]
	}
	return f
}

// batchMarks are the keys of the trades an Upsert counted that could not be marked in the trade
// book; nil until one is needed.
type batchMarks struct {
	keys  map[tradeKey]struct{}
	exchs map[exchKey]struct{}
}

// repeat reports whether k or x (x.key may be "") belongs to a trade counted earlier in batch,
// where f is what the book holds under them.
func (m *batchMarks) repeat(batch uint64, k tradeKey, x exchKey, f found) bool {
	switch {
	case f.tombK && f.tombKB == batch, f.tombX && f.tombXB == batch,
		f.recK != nil && f.recK.batch == batch, f.recX != nil && f.recX.batch == batch:
		return true
	}
	if _, ok := m.keys[k]; ok {
		return true
	}
	if x.key == "" {
		return false
	}
	_, ok := m.exchs[x]
	return ok
}

// mark records that the trade with keys k and x was counted in batch, where f is what the book
// held under them. A tombstone takes the mark of its own key; a record takes it only when its
// keys are exactly k and x (else it would also mark a key the trade does not have); any key left
// unmarked goes into m.
func (m *batchMarks) mark(tb *tradeBook, batch uint64, k tradeKey, x exchKey, f found) {
	if !f.tombK && !f.tombX && f.recK != nil && f.recK.exch == x.key {
		f.recK.batch = batch // the common case: a re-import from the source that stored the trade
		return
	}
	markedK, markedX := false, x.key == ""
	if f.tombK {
		tb.tombs[k], markedK = batch, true
	}
	if f.tombX {
		tb.exchTombs[x], markedX = batch, true
	}
	if rec := f.recK; rec != nil && rec.exch == x.key {
		rec.batch, markedK, markedX = batch, true, true
	}
	if rec := f.recX; rec != nil && rec.t.ExtID == k.extID {
		rec.batch, markedK, markedX = batch, true, true
	}
	if !markedK {
		if m.keys == nil {
			m.keys = map[tradeKey]struct{}{}
		}
		m.keys[k] = struct{}{}
	}
	if !markedX {
		if m.exchs == nil {
			m.exchs = map[exchKey]struct{}{}
		}
		m.exchs[x] = struct{}{}
	}
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
		end := len(tb.order)
		if !f.To.IsZero() {
			end = tb.search(func(t *coach.Trade) bool { return !t.TS.Before(f.To) })
		}
		if f.Symbol == "" {
			// Every trade of [i, end) up to the limit: sized once, not grown trade by trade.
			n := min(limit, max(end-i, 0))
			if n == 0 {
				return nil
			}
			out = make([]coach.Trade, n)
			for k := range out {
				out[k] = tb.order[i+k].t
			}
			return nil
		}
		for ; i < end && len(out) < limit; i++ {
			if t := &tb.order[i].t; t.Symbol == f.Symbol {
				out = append(out, *t)
			}
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
		k, x := keyOf(&rec.t), exchKey{rec.t.Broker, rec.exch}
		oldOrder := tb.order
		i := tb.indexOf(rec)
		tb.order = slices.Delete(slices.Clone(oldOrder), i, i+1)
		delete(tb.byID, id)
		delete(tb.byKey, k)
		d.dropOwner(kindTrade, id, undo)
		tb.tombs[k] = 0
		tb.tombAt[k] = r.r.now()
		if x.key != "" {
			delete(tb.byExch, x)
			tb.exchTombs[x] = 0
		}
		undo.add(func() {
			tb.order = oldOrder
			tb.byID[id] = rec
			tb.byKey[k] = rec
			delete(tb.tombs, k)
			delete(tb.tombAt, k)
			if x.key != "" {
				tb.byExch[x] = rec
				delete(tb.exchTombs, x)
			}
		})
		b.dropTags(d, id, undo)
		b.answers.dropTrade(d, id, undo)
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
