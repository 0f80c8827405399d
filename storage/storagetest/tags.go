package storagetest

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

func runTags(t *testing.T, newStore func(*testing.T) storage.Store) {
	// threeTrades stores trades at base+2m, base, base+1m and returns them in that order.
	threeTrades := func(f *fixture, userID string) (a, b, c coach.Trade) {
		f.upsert(userID, trade("a", base.Add(2*time.Minute)), trade("b", base), trade("c", base.Add(time.Minute)))
		return f.storedTrade(userID, "a"), f.storedTrade(userID, "b"), f.storedTrade(userID, "c")
	}

	t.Run("ReplaceReplacesNotDuplicates", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b, c := threeTrades(f, u.ID)
		first := []coach.BiasTag{tag(u.ID, a.ID, coach.LabelFOMO, 0.9), tag(u.ID, a.ID, coach.LabelRevenge, 0.4), tag(u.ID, b.ID, coach.LabelPanic, 0.7)}
		cTag := tag(u.ID, c.ID, coach.LabelDiscipline, 1)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID, b.ID}, first), "Replace")
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{c.ID}, []coach.BiasTag{cTag}), "Replace c")
		second := []coach.BiasTag{tag(u.ID, a.ID, coach.LabelFOMO, 0.95)}
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID, b.ID}, second), "Replace again")
		got, err := f.s.Tags().ByTrades(f.ctx, u.ID, []string{a.ID, b.ID, c.ID})
		must(t, err, "ByTrades")
		diff(t, "tags after the second Replace", sortTags([]coach.BiasTag{second[0], cTag}), got)
	})

	t.Run("ByTradesOrderAndUnknownIDs", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b, c := threeTrades(f, u.ID)
		tags := []coach.BiasTag{
			tag(u.ID, c.ID, coach.LabelPanic, 0.5), tag(u.ID, a.ID, coach.LabelRevenge, 0.4),
			tag(u.ID, a.ID, coach.LabelFOMO, 0.9), tag(u.ID, b.ID, coach.LabelOvertrading, 0.3),
		}
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID, b.ID, c.ID}, tags), "Replace")
		got, err := f.s.Tags().ByTrades(f.ctx, u.ID, []string{c.ID, coach.NewID(), a.ID})
		must(t, err, "ByTrades")
		diff(t, "ByTrades", sortTags([]coach.BiasTag{tags[0], tags[1], tags[2]}), got)
	})

	t.Run("DuplicateLabelIsConflict", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, _, _ := threeTrades(f, u.ID)
		keep := tag(u.ID, a.ID, coach.LabelPanic, 0.5)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{keep}), "Replace")
		err := f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{tag(u.ID, a.ID, coach.LabelFOMO, 0.9), tag(u.ID, a.ID, coach.LabelFOMO, 0.8)})
		wantCode(t, err, coach.ECONFLICT, "Replace with two FOMO tags on one trade")
		got, err := f.s.Tags().ByTrades(f.ctx, u.ID, []string{a.ID})
		must(t, err, "ByTrades")
		diff(t, "tags after the rejected Replace", []coach.BiasTag{keep}, got)
	})

	t.Run("OtherUsersTradeIsNotFound", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		a, _, _ := threeTrades(f, u.ID)
		oa, _, _ := threeTrades(f, other.ID)
		keep := tag(other.ID, oa.ID, coach.LabelPanic, 0.5)
		must(t, f.s.Tags().Replace(f.ctx, other.ID, []string{oa.ID}, []coach.BiasTag{keep}), "Replace as the owner")
		err := f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID, oa.ID}, []coach.BiasTag{tag(u.ID, a.ID, coach.LabelFOMO, 0.9), tag(u.ID, oa.ID, coach.LabelFOMO, 0.9)})
		wantCode(t, err, coach.ENOTFOUND, "Replace naming another user's trade")
		err = f.s.Tags().Replace(f.ctx, u.ID, []string{coach.NewID()}, nil)
		wantCode(t, err, coach.ENOTFOUND, "Replace naming an unknown trade")
		got, err := f.s.Tags().ByTrades(f.ctx, other.ID, []string{oa.ID})
		must(t, err, "ByTrades as the owner")
		diff(t, "owner's tags", []coach.BiasTag{keep}, got)
		got, err = f.s.Tags().ByTrades(f.ctx, u.ID, []string{a.ID, oa.ID})
		must(t, err, "ByTrades as another user")
		diff(t, "tags after the rejected Replace", []coach.BiasTag(nil), got)
		list, err := f.s.Tags().List(f.ctx, u.ID, storage.TagFilter{})
		must(t, err, "List as another user")
		diff(t, "another user's tag list", []coach.BiasTag(nil), list)
	})

	t.Run("ReplaceRejectsInvalid", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		a, b, _ := threeTrades(f, u.ID)
		bad := tag(u.ID, a.ID, coach.LabelFOMO, 1.5)
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{bad}), coach.EINVALID, "confidence 1.5")
		foreign := tag(other.ID, a.ID, coach.LabelFOMO, 0.5)
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{foreign}), coach.EINVALID, "tag of another user")
		outside := tag(u.ID, b.ID, coach.LabelFOMO, 0.5)
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{outside}), coach.EINVALID, "tag of a trade not in tradeIDs")
		got, err := f.s.Tags().List(f.ctx, u.ID, storage.TagFilter{})
		must(t, err, "List")
		diff(t, "tags after rejected Replaces", []coach.BiasTag(nil), got)
	})

	t.Run("ListByTradeOrderLabelAndTime", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b, c := threeTrades(f, u.ID) // trade order: b, c, a
		ta1, ta2 := tag(u.ID, a.ID, coach.LabelRevenge, 0.4), tag(u.ID, a.ID, coach.LabelFOMO, 0.9)
		tb1 := tag(u.ID, b.ID, coach.LabelFOMO, 0.6)
		tc1 := tag(u.ID, c.ID, coach.LabelPanic, 0.7)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID, b.ID, c.ID}, []coach.BiasTag{ta1, tc1, ta2, tb1}), "Replace")
		list := func(filter storage.TagFilter) []coach.BiasTag {
			got, err := f.s.Tags().List(f.ctx, u.ID, filter)
			must(t, err, "List")
			return got
		}
		diff(t, "all tags", []coach.BiasTag{tb1, tc1, ta2, ta1}, list(storage.TagFilter{}))
		diff(t, "FOMO tags", []coach.BiasTag{tb1, ta2}, list(storage.TagFilter{Label: coach.LabelFOMO}))
		diff(t, "tags of trades in [base+1m, base+2m)", []coach.BiasTag{tc1}, list(storage.TagFilter{From: base.Add(time.Minute), To: base.Add(2 * time.Minute)}))
		diff(t, "FOMO tags from base+1m", []coach.BiasTag{ta2}, list(storage.TagFilter{From: base.Add(time.Minute), Label: coach.LabelFOMO}))
	})

	runTagRevisions(t, newStore, threeTrades)
}

// sortTags orders tags as ByTrades does: by trade id, then label.
func sortTags(ts []coach.BiasTag) []coach.BiasTag {
	out := append([]coach.BiasTag(nil), ts...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].TradeID < out[i].TradeID || out[j].TradeID == out[i].TradeID && out[j].Label < out[i].Label {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
