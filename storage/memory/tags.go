package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// tags is the storage.Tags of a Store or transaction.
type tags struct{ r repos }

func cloneTag(g coach.BiasTag) coach.BiasTag {
	g.Features = cloneRaw(g.Features)
	g.CreatedAt = g.CreatedAt.UTC()
	return g
}

func cloneTags(gs []coach.BiasTag) []coach.BiasTag {
	out := make([]coach.BiasTag, len(gs))
	for i, g := range gs {
		out[i] = cloneTag(g)
	}
	return out
}

// dropTags removes the tags of trade tradeID.
func (b *bucket) dropTags(d *data, tradeID string, undo *undoLog) {
	old, ok := b.tags[tradeID]
	if !ok {
		return
	}
	delete(b.tags, tradeID)
	for _, g := range old {
		d.dropOwner(kindTag, g.ID, undo)
	}
	undo.add(func() { b.tags[tradeID] = old })
}

func (r tags) Replace(ctx context.Context, userID string, tradeIDs []string, in []coach.BiasTag) error {
	if err := checkUserID(userID); err != nil {
		return err
	}
	want := make(map[string]bool, len(tradeIDs))
	for _, id := range tradeIDs {
		want[id] = true
	}
	byTrade := make(map[string][]coach.BiasTag)
	for _, g := range in {
		if err := g.Validate(); err != nil {
			return err
		}
		if g.UserID != userID {
			return coach.Errorf(coach.EINVALID, "tag %s: userId: belongs to another user", g.ID)
		}
		if !want[g.TradeID] {
			return coach.Errorf(coach.EINVALID, "tag %s: trade %s is not among the trades being tagged", g.ID, g.TradeID)
		}
		byTrade[g.TradeID] = append(byTrade[g.TradeID], cloneTag(g))
	}
	ids := make(map[string]bool, len(in))
	for tid, gs := range byTrade {
		slices.SortFunc(gs, func(a, b coach.BiasTag) int { return cmp.Compare(a.Label, b.Label) })
		for i, g := range gs {
			if i > 0 && gs[i-1].Label == g.Label {
				return coach.Errorf(coach.ECONFLICT, "trade %s has two %s tags", tid, g.Label)
			}
			if ids[g.ID] {
				return coach.Errorf(coach.ECONFLICT, "tag id %s used twice", g.ID)
			}
			ids[g.ID] = true
		}
	}
	return r.r.write(ctx, func(d *data, undo *undoLog) error {
		b, ok := d.users[userID]
		for id := range want {
			if !ok || b.trades.byID[id] == nil {
				return notFound("trade", id)
			}
		}
		if !ok {
			return nil // no trade ids at all
		}
		for id := range want {
			b.dropTags(d, id, undo)
		}
		for id := range ids {
			if d.taken(kindTag, id) {
				return coach.Errorf(coach.ECONFLICT, "tag %s already exists", id)
			}
			d.setOwner(kindTag, id, userID, undo)
		}
		for tid, gs := range byTrade {
			b.tags[tid] = gs
			undo.add(func() { delete(b.tags, tid) })
		}
		return nil
	})
}

func (r tags) ByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.BiasTag, error) {
	ids := slices.Clone(tradeIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []coach.BiasTag
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok {
			return nil
		}
		for _, id := range ids {
			out = append(out, cloneTags(b.tags[id])...)
		}
		return nil
	})
	return out, err
}

func (r tags) List(ctx context.Context, userID string, f storage.TagFilter) ([]coach.BiasTag, error) {
	var out []coach.BiasTag
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || len(b.tags) == 0 {
			return nil
		}
		tb := &b.trades
		i := 0
		if !f.From.IsZero() {
			i = tb.search(func(t *coach.Trade) bool { return !t.TS.Before(f.From) })
		}
		for ; i < len(tb.order); i++ {
			t := &tb.order[i].t
			if !f.To.IsZero() && !t.TS.Before(f.To) {
				break
			}
			for _, g := range b.tags[t.ID] {
				if f.Label == "" || g.Label == f.Label {
					out = append(out, cloneTag(g))
				}
			}
		}
		return nil
	})
	return out, err
}
