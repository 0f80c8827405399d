package memory

import (
	"bytes"
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

// dropTags removes the tags of trade tradeID and all their revisions (the trade is gone).
func (b *bucket) dropTags(d *data, tradeID string, undo *undoLog) {
	if old, ok := b.tags[tradeID]; ok {
		delete(b.tags, tradeID)
		for _, g := range old {
			d.dropOwner(kindTag, g.ID, undo)
		}
		undo.add(func() { b.tags[tradeID] = old })
	}
	if revs, ok := b.tagRevs[tradeID]; ok {
		delete(b.tagRevs, tradeID)
		for id := range revs {
			d.dropOwner(kindTag, id, undo)
		}
		undo.add(func() { b.tagRevs[tradeID] = revs })
	}
}

// retire adds g to the earlier revisions of its tag.
func (b *bucket) retire(g coach.BiasTag, undo *undoLog) {
	revs, ok := b.tagRevs[g.TradeID]
	if !ok {
		revs = make(map[string][]coach.BiasTag)
		b.tagRevs[g.TradeID] = revs
		undo.add(func() { delete(b.tagRevs, g.TradeID) })
	}
	old := revs[g.ID]
	revs[g.ID] = append(slices.Clip(old), g)
	undo.add(func() {
		if old == nil {
			delete(revs, g.ID)
		} else {
			revs[g.ID] = old
		}
	})
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
		g = cloneTag(g)
		g.Revision = max(g.Revision, 1)
		byTrade[g.TradeID] = append(byTrade[g.TradeID], g)
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
		// Check every tag against what is stored before changing anything.
		for tid, gs := range byTrade {
			for _, g := range gs {
				if err := b.checkRevision(d, tid, g); err != nil {
					return err
				}
			}
		}
		for tid := range want {
			cur := b.tags[tid]
			kept := make(map[string]bool, len(byTrade[tid]))
			for _, g := range byTrade[tid] {
				kept[g.ID] = true
			}
			for _, c := range cur {
				if !kept[c.ID] {
					b.retire(c, undo) // withdrawn: it keeps its id
					continue
				}
				if i := slices.IndexFunc(byTrade[tid], func(g coach.BiasTag) bool { return g.ID == c.ID }); byTrade[tid][i].Revision > c.Revision {
					b.retire(c, undo)
				} else {
					byTrade[tid][i] = c // the stored revision, as stored
				}
			}
			delete(b.tags, tid)
			if gs := byTrade[tid]; len(gs) > 0 {
				b.tags[tid] = gs
			}
			undo.add(func() {
				if cur == nil {
					delete(b.tags, tid)
				} else {
					b.tags[tid] = cur
				}
			})
		}
		for id := range ids {
			if !d.taken(kindTag, id) {
				d.setOwner(kindTag, id, userID, undo)
			}
		}
		return nil
	})
}

// checkRevision reports whether g, one of the tags Replace gives trade tid, follows what is
// stored (see storage.Tags.Replace).
func (b *bucket) checkRevision(d *data, tid string, g coach.BiasTag) error {
	i := slices.IndexFunc(b.tags[tid], func(c coach.BiasTag) bool { return c.ID == g.ID })
	if i < 0 {
		switch {
		case d.taken(kindTag, g.ID):
			return coach.Errorf(coach.ECONFLICT, "tag %s already exists (another trade's or label's, or withdrawn)", clipKey(g.ID))
		case g.Revision != 1:
			return coach.Errorf(coach.ECONFLICT, "tag %s: revision %d of a tag not stored; a new tag is revision 1", clipKey(g.ID), g.Revision)
		}
		return nil
	}
	c := b.tags[tid][i]
	switch {
	case c.Label != g.Label:
		return coach.Errorf(coach.ECONFLICT, "tag %s is the trade's %s tag, not its %s tag", clipKey(g.ID), c.Label, g.Label)
	case g.Revision == c.Revision && (g.Confidence != c.Confidence || !bytes.Equal(g.Features, c.Features)):
		return coach.Errorf(coach.ECONFLICT, "tag %s: revision %d is stored with other content; a stored revision never changes", clipKey(g.ID), c.Revision)
	case g.Revision != c.Revision && g.Revision != c.Revision+1:
		return coach.Errorf(coach.ECONFLICT, "tag %s is at revision %d, not %d: another writer revised it", clipKey(g.ID), c.Revision, g.Revision-1)
	}
	return nil
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

func (r tags) Revisions(ctx context.Context, userID, tagID string) ([]coach.BiasTag, error) {
	var out []coach.BiasTag
	err := r.r.read(ctx, func(d *data) error {
		b, ok := d.users[userID]
		if !ok || d.owners[ownerKey{kindTag, tagID}] != userID {
			return notFound("tag", tagID)
		}
		// The memory store looks the tag up by scanning the user's tags.
		for tid, revs := range b.tagRevs {
			if old, ok := revs[tagID]; ok {
				out = cloneTags(old)
				if i := slices.IndexFunc(b.tags[tid], func(g coach.BiasTag) bool { return g.ID == tagID }); i >= 0 {
					out = append(out, cloneTag(b.tags[tid][i]))
				}
				return nil
			}
		}
		for _, gs := range b.tags {
			if i := slices.IndexFunc(gs, func(g coach.BiasTag) bool { return g.ID == tagID }); i >= 0 {
				out = []coach.BiasTag{cloneTag(gs[i])}
				return nil
			}
		}
		return notFound("tag", tagID)
	})
	return out, err
}
