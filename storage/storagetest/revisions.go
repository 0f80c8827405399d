package storagetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// runTagRevisions checks the revision contract of storage.Tags: a stored revision never changes,
// a new one keeps the tag's id, and every revision, of a withdrawn tag too, stays listable.
func runTagRevisions(t *testing.T, newStore func(*testing.T) storage.Store, threeTrades func(*fixture, string) (a, b, c coach.Trade)) {
	// revise returns g's next revision with other evidence, stored later.
	revise := func(g coach.BiasTag, confidence float64, features string) coach.BiasTag {
		g.Revision++
		g.Confidence, g.Features, g.CreatedAt = confidence, json.RawMessage(features), g.CreatedAt.Add(time.Hour)
		return g
	}
	revisions := func(f *fixture, userID, tagID string) []coach.BiasTag {
		f.t.Helper()
		got, err := f.s.Tags().Revisions(f.ctx, userID, tagID)
		must(f.t, err, "Revisions")
		return got
	}

	t.Run("Revisions/NewRevisionKeepsTheOld", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b, _ := threeTrades(f, u.ID)
		r1 := tag(u.ID, a.ID, coach.LabelFOMO, 0.9)
		other := tag(u.ID, b.ID, coach.LabelPanic, 0.6)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID, b.ID}, []coach.BiasTag{r1, other}), "Replace")
		r2 := revise(r1, 0.7, `{"v":"2026.2","rsi14":71}`)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{r2}), "Replace with revision 2")
		got, err := f.s.Tags().ByTrades(f.ctx, u.ID, []string{a.ID, b.ID})
		must(t, err, "ByTrades")
		diff(t, "current tags", sortTags([]coach.BiasTag{r2, other}), got)
		list, err := f.s.Tags().List(f.ctx, u.ID, storage.TagFilter{Label: coach.LabelFOMO})
		must(t, err, "List")
		diff(t, "listed FOMO tags", []coach.BiasTag{r2}, list)
		diff(t, "revisions", []coach.BiasTag{r1, r2}, revisions(f, u.ID, r1.ID))
		diff(t, "revisions of an unrevised tag", []coach.BiasTag{other}, revisions(f, u.ID, other.ID))
		r3 := revise(r2, 0.75, `{"v":"2026.3"}`)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{r3}), "Replace with revision 3")
		diff(t, "three revisions", []coach.BiasTag{r1, r2, r3}, revisions(f, u.ID, r1.ID))
	})

	t.Run("Revisions/SameRevisionWritesNothing", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, _, _ := threeTrades(f, u.ID)
		r1 := tag(u.ID, a.ID, coach.LabelFOMO, 0.9)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{r1}), "Replace")
		again := r1
		again.CreatedAt = base.Add(24 * time.Hour) // not compared; the stored one stays
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{again}), "Replace with the stored revision")
		diff(t, "revisions", []coach.BiasTag{r1}, revisions(f, u.ID, r1.ID))
		zero := r1
		zero.Revision = 0 // read as 1
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{zero}), "Replace with revision 0")
		diff(t, "revisions after revision 0", []coach.BiasTag{r1}, revisions(f, u.ID, r1.ID))
	})

	t.Run("Revisions/StoredRevisionNeverChanges", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b, _ := threeTrades(f, u.ID)
		r1 := tag(u.ID, a.ID, coach.LabelFOMO, 0.9)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{r1}), "Replace")
		changed := r1
		changed.Features = json.RawMessage(`{"v":"2026.1","rsi14":99}`)
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{changed}), coach.ECONFLICT, "revision 1 with other features")
		changed = r1
		changed.Confidence = 0.1
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{changed}), coach.ECONFLICT, "revision 1 with another confidence")
		skip := revise(revise(r1, 0.5, `{"x":1}`), 0.5, `{"x":2}`)
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{skip}), coach.ECONFLICT, "revision 3 after 1")
		fresh := tag(u.ID, b.ID, coach.LabelFOMO, 0.5)
		fresh.Revision = 2
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{b.ID}, []coach.BiasTag{fresh}), coach.ECONFLICT, "revision 2 of a tag not stored")
		moved := revise(r1, 0.5, `{"x":1}`)
		moved.TradeID = b.ID
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{b.ID}, []coach.BiasTag{moved}), coach.ECONFLICT, "a tag's id on another trade")
		relabelled := revise(r1, 0.5, `{"x":1}`)
		relabelled.Label = coach.LabelPanic
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{relabelled}), coach.ECONFLICT, "a tag's id with another label")
		diff(t, "revisions after the rejected Replaces", []coach.BiasTag{r1}, revisions(f, u.ID, r1.ID))
		got, err := f.s.Tags().ByTrades(f.ctx, u.ID, []string{a.ID, b.ID})
		must(t, err, "ByTrades")
		diff(t, "current tags after the rejected Replaces", []coach.BiasTag{r1}, got)
	})

	t.Run("Revisions/WithdrawnTagStaysListable", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, _, _ := threeTrades(f, u.ID)
		r1 := tag(u.ID, a.ID, coach.LabelFOMO, 0.9)
		r2 := revise(r1, 0.8, `{"v":"2026.2"}`)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{r1}), "Replace")
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{r2}), "Replace with revision 2")
		// Another id for the same label withdraws the tag; so does leaving the label out.
		successor := tag(u.ID, a.ID, coach.LabelFOMO, 0.4)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{successor}), "Replace with another id")
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, nil), "Replace with no tags")
		got, err := f.s.Tags().ByTrades(f.ctx, u.ID, []string{a.ID})
		must(t, err, "ByTrades")
		diff(t, "current tags", []coach.BiasTag(nil), got)
		list, err := f.s.Tags().List(f.ctx, u.ID, storage.TagFilter{})
		must(t, err, "List")
		diff(t, "listed tags", []coach.BiasTag(nil), list)
		diff(t, "revisions of the first tag", []coach.BiasTag{r1, r2}, revisions(f, u.ID, r1.ID))
		diff(t, "revisions of its successor", []coach.BiasTag{successor}, revisions(f, u.ID, successor.ID))
		back := revise(r2, 0.9, `{"v":"2026.3"}`)
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{back}), coach.ECONFLICT, "a withdrawn tag's id")
		again := r1
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{again}), coach.ECONFLICT, "a withdrawn tag's id as revision 1")
	})

	t.Run("Revisions/OtherUsersTagIsNotFound", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		a, _, _ := threeTrades(f, u.ID)
		oa, _, _ := threeTrades(f, other.ID)
		g := tag(u.ID, a.ID, coach.LabelFOMO, 0.9)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{g}), "Replace")
		_, err := f.s.Tags().Revisions(f.ctx, other.ID, g.ID)
		wantCode(t, err, coach.ENOTFOUND, "Revisions of another user's tag")
		_, err = f.s.Tags().Revisions(f.ctx, u.ID, coach.NewID())
		wantCode(t, err, coach.ENOTFOUND, "Revisions of an unknown tag")
		// Another user's tag id cannot be taken over, revised or not.
		stolen := g
		stolen.UserID, stolen.TradeID, stolen.Revision = other.ID, oa.ID, 2
		wantCode(t, f.s.Tags().Replace(f.ctx, other.ID, []string{oa.ID}, []coach.BiasTag{stolen}), coach.ECONFLICT, "revising another user's tag")
		stolen.Revision = 1
		wantCode(t, f.s.Tags().Replace(f.ctx, other.ID, []string{oa.ID}, []coach.BiasTag{stolen}), coach.ECONFLICT, "taking another user's tag id")
		diff(t, "owner's revisions", []coach.BiasTag{g}, revisions(f, u.ID, g.ID))
	})

	t.Run("Revisions/GoWithTheTrade", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b, _ := threeTrades(f, u.ID)
		r1 := tag(u.ID, a.ID, coach.LabelFOMO, 0.9)
		gone := tag(u.ID, a.ID, coach.LabelPanic, 0.5)
		kept := tag(u.ID, b.ID, coach.LabelFOMO, 0.6)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID, b.ID}, []coach.BiasTag{r1, gone, kept}), "Replace")
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{revise(r1, 0.8, `{"v":"2"}`)}), "Replace with revision 2")
		must(t, f.s.Trades().Delete(f.ctx, u.ID, a.ID), "delete trade a")
		for _, id := range []string{r1.ID, gone.ID} {
			_, err := f.s.Tags().Revisions(f.ctx, u.ID, id)
			wantCode(t, err, coach.ENOTFOUND, "Revisions of a deleted trade's tag")
		}
		diff(t, "the other trade's tag", []coach.BiasTag{kept}, revisions(f, u.ID, kept.ID))
	})

	t.Run("Revisions/RollBackWithTheTransaction", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b, _ := threeTrades(f, u.ID)
		r1 := tag(u.ID, a.ID, coach.LabelFOMO, 0.9)
		w := tag(u.ID, b.ID, coach.LabelPanic, 0.5)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID, b.ID}, []coach.BiasTag{r1, w}), "Replace")
		rollback := errors.New("roll back")
		err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
			must(t, tx.Tags().Replace(f.ctx, u.ID, []string{a.ID, b.ID}, []coach.BiasTag{revise(r1, 0.1, `{"v":"x"}`)}), "Replace in the transaction")
			got, err := tx.Tags().Revisions(f.ctx, u.ID, r1.ID)
			must(t, err, "Revisions in the transaction")
			if len(got) != 2 {
				t.Errorf("inside the transaction: %d revisions, want 2", len(got))
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("InTx = %v, want the rollback error", err)
		}
		diff(t, "revisions after the rollback", []coach.BiasTag{r1}, revisions(f, u.ID, r1.ID))
		got, err := f.s.Tags().ByTrades(f.ctx, u.ID, []string{a.ID, b.ID})
		must(t, err, "ByTrades")
		diff(t, "tags after the rollback", sortTags([]coach.BiasTag{r1, w}), got)
	})

	t.Run("FeaturesKeptByteForByte", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, _, _ := threeTrades(f, u.ID)
		g := tag(u.ID, a.ID, coach.LabelFOMO, 0.9)
		// Keys out of order, a trailing zero, no spaces: jsonb would rewrite every one of them.
		g.Features = json.RawMessage(`{"v":"2026.1","z":1,"a":[2.50,1e-7],"m":{"y":true,"b":null}}`)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{g}), "Replace")
		got, err := f.s.Tags().ByTrades(f.ctx, u.ID, []string{a.ID})
		must(t, err, "ByTrades")
		if len(got) != 1 || !bytes.Equal(got[0].Features, g.Features) {
			t.Fatalf("features came back as %s, want %s byte for byte", got[0].Features, g.Features)
		}
		list, err := f.s.Tags().List(f.ctx, u.ID, storage.TagFilter{})
		must(t, err, "List")
		revs := revisions(f, u.ID, g.ID)
		if !bytes.Equal(list[0].Features, g.Features) || !bytes.Equal(revs[0].Features, g.Features) {
			t.Errorf("List or Revisions rewrote the features: %s, %s", list[0].Features, revs[0].Features)
		}
		// Keeping the revision compares the bytes: the same document written otherwise is another one.
		spaced := g
		spaced.Features = json.RawMessage(`{"v": "2026.1", "z": 1, "a": [2.50, 1e-7], "m": {"y": true, "b": null}}`)
		wantCode(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{spaced}), coach.ECONFLICT, "revision 1 re-spaced")
	})
}
