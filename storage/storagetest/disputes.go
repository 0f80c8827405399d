package storagetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// tagged stores trades a, b, c for userID (trade order b, c, a), tags a with FOMO and PANIC and b
// with PANIC, and returns the trades and tags.
func (f *fixture) tagged(userID string) (a, b, c coach.Trade, aFomo, aPanic, bPanic coach.BiasTag) {
	f.t.Helper()
	f.upsert(userID, trade("a", base.Add(2*time.Minute)), trade("b", base), trade("c", base.Add(time.Minute)))
	a, b, c = f.storedTrade(userID, "a"), f.storedTrade(userID, "b"), f.storedTrade(userID, "c")
	aFomo, aPanic, bPanic = tag(userID, a.ID, coach.LabelFOMO, 0.8), tag(userID, a.ID, coach.LabelPanic, 0.6), tag(userID, b.ID, coach.LabelPanic, 0.7)
	must(f.t, f.s.Tags().Replace(f.ctx, userID, []string{a.ID, b.ID, c.ID}, []coach.BiasTag{aFomo, aPanic, bPanic}), "Replace tags")
	return a, b, c, aFomo, aPanic, bPanic
}

// dispute returns a valid dispute of tag g with the suite's times and the revision the store
// records (g's), not yet stored.
func dispute(g coach.BiasTag, reason string, exclude bool) coach.TagDispute {
	return coach.TagDispute{ID: coach.NewID(), UserID: g.UserID, TradeID: g.TradeID, Label: g.Label, TagID: g.ID,
		TagRevision: max(g.Revision, 1), Reason: reason, Note: "this was my plan", ExcludeFromAttribution: exclude,
		CreatedAt: base, UpdatedAt: base}
}

// put stores d and returns it as stored.
func (f *fixture) put(d coach.TagDispute) coach.TagDispute {
	f.t.Helper()
	got, err := f.s.Disputes().Put(f.ctx, d)
	must(f.t, err, "Put dispute")
	return got
}

func runDisputes(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("PutGetRoundTrip", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		_, _, _, aFomo, _, _ := f.tagged(u.ID)
		d := dispute(aFomo, coach.DisputePlan, true)
		d.Note = "planned entry:\r\nbreakout retest, 1% risk — «ok» 😀"
		got := f.put(d)
		diff(t, "Put's answer", d, got)
		stored, err := f.s.Disputes().Get(f.ctx, u.ID, aFomo.TradeID, coach.LabelFOMO)
		must(t, err, "Get")
		diff(t, "stored dispute", d, stored)
		_, err = f.s.Disputes().Get(f.ctx, u.ID, aFomo.TradeID, coach.LabelPanic)
		wantCode(t, err, coach.ENOTFOUND, "Get of an undisputed label")
	})

	t.Run("PutAgainReplacesKeepingIDAndCreatedAt", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		_, _, _, _, aPanic, _ := f.tagged(u.ID)
		first := f.put(dispute(aPanic, coach.DisputePlan, false))
		again := dispute(aPanic, coach.DisputeData, true)
		again.Note = "the price was wrong"
		again.CreatedAt, again.UpdatedAt = base.Add(time.Hour), base.Add(time.Hour)
		got := f.put(again)
		want := first
		want.Reason, want.Note, want.ExcludeFromAttribution, want.UpdatedAt = coach.DisputeData, "the price was wrong", true, base.Add(time.Hour)
		diff(t, "replaced dispute", want, got)
		list, err := f.s.Disputes().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List")
		diff(t, "disputes after two Puts of one label", []coach.TagDispute{want}, list)

		// An UpdatedAt before the stored CreatedAt is taken as CreatedAt.
		early := dispute(aPanic, coach.DisputeOther, false)
		early.CreatedAt, early.UpdatedAt = base.Add(-time.Hour), base.Add(-time.Hour)
		got = f.put(early)
		if !got.UpdatedAt.Equal(first.CreatedAt) || !got.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("after an early update: createdAt %v updatedAt %v, want both %v", got.CreatedAt, got.UpdatedAt, first.CreatedAt)
		}
	})

	t.Run("ZeroTimesAreTheStoresClock", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		_, _, _, aFomo, _, _ := f.tagged(u.ID)
		d := dispute(aFomo, coach.DisputePlan, false)
		d.CreatedAt, d.UpdatedAt = time.Time{}, time.Time{}
		got := f.put(d)
		if got.CreatedAt.IsZero() || !got.UpdatedAt.Equal(got.CreatedAt) {
			t.Errorf("stamped times: createdAt %v updatedAt %v, want a set createdAt and the same updatedAt", got.CreatedAt, got.UpdatedAt)
		}
		stored, err := f.s.Disputes().Get(f.ctx, u.ID, aFomo.TradeID, aFomo.Label)
		must(t, err, "Get")
		diff(t, "stored dispute", got, stored)
	})

	t.Run("PutNeedsTheTag", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, _, c, aFomo, _, _ := f.tagged(u.ID)
		wrongTag := dispute(aFomo, coach.DisputePlan, false)
		wrongTag.TagID = coach.NewID()
		wantCode(t, errOf(f.s.Disputes().Put(f.ctx, wrongTag)), coach.ENOTFOUND, "Put naming an unknown tag id")
		untagged := dispute(aFomo, coach.DisputePlan, false)
		untagged.Label = coach.LabelRevenge
		wantCode(t, errOf(f.s.Disputes().Put(f.ctx, untagged)), coach.ENOTFOUND, "Put of a label the trade does not carry")
		otherTrade := dispute(aFomo, coach.DisputePlan, false)
		otherTrade.TradeID = c.ID
		wantCode(t, errOf(f.s.Disputes().Put(f.ctx, otherTrade)), coach.ENOTFOUND, "Put of a tag on another trade")
		unknownTrade := dispute(aFomo, coach.DisputePlan, false)
		unknownTrade.TradeID = coach.NewID()
		wantCode(t, errOf(f.s.Disputes().Put(f.ctx, unknownTrade)), coach.ENOTFOUND, "Put on an unknown trade")
		for name, mutate := range map[string]func(*coach.TagDispute){
			"reason":        func(d *coach.TagDispute) { d.Reason = "nope" },
			"note too long": func(d *coach.TagDispute) { d.Note = strings.Repeat("n", coach.MaxDisputeNote+1) },
			"note with NUL": func(d *coach.TagDispute) { d.Note = "a\x00b" },
			"label":         func(d *coach.TagDispute) { d.Label = "fomo" },
			"no id":         func(d *coach.TagDispute) { d.ID = "" },
		} {
			d := dispute(aFomo, coach.DisputePlan, false)
			mutate(&d)
			wantCode(t, errOf(f.s.Disputes().Put(f.ctx, d)), coach.EINVALID, "Put with a bad "+name)
		}
		got, err := f.s.Disputes().ByTrades(f.ctx, u.ID, []string{a.ID, c.ID})
		must(t, err, "ByTrades")
		diff(t, "disputes after rejected Puts", []coach.TagDispute(nil), got)
	})

	t.Run("IDOfAnotherDisputeIsConflict", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		_, _, _, aFomo, aPanic, _ := f.tagged(u.ID)
		_, _, _, oFomo, _, _ := f.tagged(other.ID)
		first := f.put(dispute(aFomo, coach.DisputePlan, false))
		same := dispute(aPanic, coach.DisputePlan, false)
		same.ID = first.ID
		wantCode(t, errOf(f.s.Disputes().Put(f.ctx, same)), coach.ECONFLICT, "Put of a new dispute with a taken id")
		foreign := dispute(oFomo, coach.DisputePlan, false)
		foreign.ID = first.ID
		wantCode(t, errOf(f.s.Disputes().Put(f.ctx, foreign)), coach.ECONFLICT, "Put of another user's dispute with a taken id")
		untagged := dispute(aFomo, coach.DisputePlan, false)
		untagged.ID, untagged.Label = first.ID, coach.LabelRevenge
		wantCode(t, errOf(f.s.Disputes().Put(f.ctx, untagged)), coach.ENOTFOUND, "Put with a taken id and no tag (the tag is checked first)")
		_, err := f.s.Disputes().Get(f.ctx, u.ID, aPanic.TradeID, aPanic.Label)
		wantCode(t, err, coach.ENOTFOUND, "the refused dispute")
	})

	t.Run("NewRevisionOfTheLabelKeepsTheDispute", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b, _, aFomo, aPanic, bPanic := f.tagged(u.ID)
		d := f.put(dispute(aPanic, coach.DisputePlan, true))
		if d.TagRevision != 1 {
			t.Errorf("dispute of revision 1: tagRevision %d", d.TagRevision)
		}
		tagged := func() []coach.TagWithDispute {
			got, err := f.s.Disputes().Tagged(f.ctx, u.ID, []string{b.ID, a.ID, coach.NewID()})
			must(t, err, "Tagged")
			return got
		}
		// A re-score under another definition: revision 2 of the same tag.
		aPanic2 := aPanic
		aPanic2.Revision, aPanic2.Confidence = 2, 0.9
		aPanic2.Features = []byte(`{"definitionVersion":"2026.2","rsi14":80}`)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{aFomo, aPanic2}), "re-score to revision 2")
		diff(t, "tags with disputes after revision 2", sortTagged([]coach.TagWithDispute{{BiasTag: aFomo}, {BiasTag: aPanic2, Dispute: &d}, {BiasTag: bPanic}}), tagged())
		// Disputing again records the revision disputed now.
		got := f.put(dispute(aPanic2, coach.DisputePlan, true))
		if got.ID != d.ID || got.TagID != aPanic.ID || got.TagRevision != 2 {
			t.Errorf("dispute of revision 2: id %s tag %s revision %d, want id %s tag %s revision 2", got.ID, got.TagID, got.TagRevision, d.ID, aPanic.ID)
		}

		// A re-score that withdraws the label: the dispute stays, shown with no tag and counted
		// nowhere.
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{aFomo}), "re-score without PANIC")
		diff(t, "tags after PANIC was withdrawn", sortTagged([]coach.TagWithDispute{{BiasTag: aFomo}, {BiasTag: bPanic}}), tagged())
		byTrades, err := f.s.Disputes().ByTrades(f.ctx, u.ID, []string{a.ID})
		must(t, err, "ByTrades")
		diff(t, "the dormant dispute", []coach.TagDispute{got}, byTrades)
		counts, err := f.s.Disputes().LabelCounts(f.ctx, u.ID)
		must(t, err, "LabelCounts")
		diff(t, "counts with a dormant dispute", []coach.LabelDisputes{
			{Label: coach.LabelFOMO, Tags: 1, ByReason: map[string]int{}},
			{Label: coach.LabelPanic, Tags: 1, ByReason: map[string]int{}},
		}, counts)
		wantCode(t, errOf(f.s.Disputes().Put(f.ctx, dispute(aPanic2, coach.DisputeData, false))), coach.ENOTFOUND, "Put naming the withdrawn tag")

		// The label comes back as a new tag: so does the dispute, which still names what was disputed.
		aPanic3 := tag(u.ID, a.ID, coach.LabelPanic, 0.7)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID}, []coach.BiasTag{aFomo, aPanic3}), "re-score with PANIC")
		diff(t, "tags after PANIC came back", sortTagged([]coach.TagWithDispute{{BiasTag: aFomo}, {BiasTag: aPanic3, Dispute: &got}, {BiasTag: bPanic}}), tagged())
		again := f.put(dispute(aPanic3, coach.DisputePlan, true))
		if again.ID != d.ID || again.TagID != aPanic3.ID || again.TagRevision != 1 {
			t.Errorf("dispute of the new tag: id %s tag %s revision %d, want id %s tag %s revision 1", again.ID, again.TagID, again.TagRevision, d.ID, aPanic3.ID)
		}
	})

	t.Run("DeleteWithdraws", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		_, _, _, aFomo, aPanic, _ := f.tagged(u.ID)
		keep := f.put(dispute(aFomo, coach.DisputePlan, false))
		f.put(dispute(aPanic, coach.DisputePlan, false))
		must(t, f.s.Disputes().Delete(f.ctx, u.ID, aPanic.TradeID, aPanic.Label), "Delete")
		wantCode(t, f.s.Disputes().Delete(f.ctx, u.ID, aPanic.TradeID, aPanic.Label), coach.ENOTFOUND, "Delete again")
		_, err := f.s.Disputes().Get(f.ctx, u.ID, aPanic.TradeID, aPanic.Label)
		wantCode(t, err, coach.ENOTFOUND, "Get after Delete")
		list, err := f.s.Disputes().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List")
		diff(t, "disputes after Delete", []coach.TagDispute{keep}, list)
		// Withdrawn, the label can be disputed again, as a new dispute.
		again := f.put(dispute(aPanic, coach.DisputeOther, false))
		if again.ID == "" {
			t.Error("the new dispute has no id")
		}
	})

	t.Run("TaggedJoinsEachTagWithItsDispute", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b, c, aFomo, aPanic, bPanic := f.tagged(u.ID)
		dp := f.put(dispute(aPanic, coach.DisputePlan, true))
		db := f.put(dispute(bPanic, coach.DisputeData, false))
		got, err := f.s.Disputes().Tagged(f.ctx, u.ID, []string{c.ID, a.ID, b.ID, a.ID})
		must(t, err, "Tagged")
		diff(t, "tags with disputes", sortTagged([]coach.TagWithDispute{{BiasTag: aFomo}, {BiasTag: aPanic, Dispute: &dp}, {BiasTag: bPanic, Dispute: &db}}), got)
		plain, err := f.s.Tags().ByTrades(f.ctx, u.ID, []string{a.ID, b.ID, c.ID})
		must(t, err, "Tags.ByTrades")
		var tags []coach.BiasTag
		for _, g := range got {
			tags = append(tags, g.BiasTag)
		}
		diff(t, "Tagged's tags, as Tags.ByTrades gives them", plain, tags)
		none, err := f.s.Disputes().Tagged(f.ctx, u.ID, nil)
		must(t, err, "Tagged of no trades")
		diff(t, "Tagged of no trades", []coach.TagWithDispute(nil), none)
	})

	t.Run("ListPagesInCreationOrder", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		var trades []coach.Trade
		for i := range 7 {
			trades = append(trades, trade(fmt.Sprintf("p%d", i), base.Add(time.Duration(i)*time.Minute)))
		}
		f.upsert(u.ID, trades...)
		var want []coach.TagDispute
		for i := range trades {
			tr := f.storedTrade(u.ID, trades[i].ExtID)
			g := tag(u.ID, tr.ID, coach.LabelFOMO, 0.5)
			must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{tr.ID}, []coach.BiasTag{g}), "Replace")
			d := dispute(g, coach.DisputePlan, false)
			// Three share one CreatedAt: the id breaks the tie.
			d.CreatedAt = base.Add(time.Duration(min(i, 3)) * time.Second)
			d.UpdatedAt = d.CreatedAt.Add(time.Hour)
			want = append(want, f.put(d))
		}
		want = sortDisputes(want)
		var got []coach.TagDispute
		p := storage.AnswerPage{Limit: 3}
		for range len(want) + 1 {
			page, err := f.s.Disputes().List(f.ctx, u.ID, p)
			must(t, err, "List")
			got = append(got, page...)
			if len(page) < p.Limit {
				break
			}
			after := storage.DisputePos(page[len(page)-1])
			p.After = &after
		}
		diff(t, "every dispute, paged by 3", want, got)
		all, err := storage.ListAllDisputes(f.ctx, f.s.Disputes(), u.ID)
		must(t, err, "ListAllDisputes")
		diff(t, "ListAllDisputes", want, all)
	})

	t.Run("LabelCountsPerUserAndPooled", func(t *testing.T) {
		f := setup(t, newStore)
		u, other, quiet := f.user(), f.user(), f.user()
		_, _, _, _, aPanic, bPanic := f.tagged(u.ID)
		_, _, _, oFomo, oPanic, _ := f.tagged(other.ID)
		f.put(dispute(aPanic, coach.DisputePlan, true))
		f.put(dispute(bPanic, coach.DisputeData, false))
		f.put(dispute(oFomo, coach.DisputePlan, false))
		f.put(dispute(oPanic, coach.DisputePlan, true))
		counts := func(userID string) []coach.LabelDisputes {
			got, err := f.s.Disputes().LabelCounts(f.ctx, userID)
			must(t, err, "LabelCounts")
			return got
		}
		diff(t, "the user's counts", []coach.LabelDisputes{
			{Label: coach.LabelFOMO, Tags: 1, ByReason: map[string]int{}},
			{Label: coach.LabelPanic, Tags: 2, Disputed: 2, Excluded: 1, ByReason: map[string]int{coach.DisputePlan: 1, coach.DisputeData: 1}},
		}, counts(u.ID))
		diff(t, "the other user's counts", []coach.LabelDisputes{
			{Label: coach.LabelFOMO, Tags: 1, Disputed: 1, ByReason: map[string]int{coach.DisputePlan: 1}},
			{Label: coach.LabelPanic, Tags: 2, Disputed: 1, Excluded: 1, ByReason: map[string]int{coach.DisputePlan: 1}},
		}, counts(other.ID))
		diff(t, "a user without tags", []coach.LabelDisputes{}, counts(quiet.ID))
		pooled, err := f.s.Disputes().PooledLabelCounts(f.ctx)
		must(t, err, "PooledLabelCounts")
		diff(t, "pooled counts", []coach.LabelDisputes{
			{Label: coach.LabelFOMO, Tags: 2, Disputed: 1, ByReason: map[string]int{coach.DisputePlan: 1}},
			{Label: coach.LabelPanic, Tags: 4, Disputed: 3, Excluded: 2, ByReason: map[string]int{coach.DisputePlan: 2, coach.DisputeData: 1}},
		}, pooled)
	})

	t.Run("TradeDeleteTakesDisputesAndNotes", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, b, _, aFomo, aPanic, bPanic := f.tagged(u.ID)
		f.put(dispute(aFomo, coach.DisputePlan, false))
		f.put(dispute(aPanic, coach.DisputePlan, true))
		keep := f.put(dispute(bPanic, coach.DisputePlan, false))
		f.note(u.ID, a.ID, "gone with the trade", base)
		keepNote := f.note(u.ID, b.ID, "stays", base)
		must(t, f.s.Trades().Delete(f.ctx, u.ID, a.ID), "Delete trade")
		list, err := f.s.Disputes().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List disputes")
		diff(t, "disputes after the trade's delete", []coach.TagDispute{keep}, list)
		notes, err := f.s.Notes().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List notes")
		diff(t, "notes after the trade's delete", []coach.TradeNote{keepNote}, notes)
		// The tombstone keeps the trade deleted, and with it its answers.
		res := f.upsert(u.ID, trade("a", base.Add(2*time.Minute)))
		if res.Skipped != 1 {
			t.Fatalf("re-import of the deleted trade: %+v, want it skipped", res)
		}
		wantCode(t, errOf(f.s.Disputes().Put(f.ctx, dispute(aFomo, coach.DisputePlan, false))), coach.ENOTFOUND, "Put on the deleted trade")
		wantCode(t, errOf(f.s.Notes().Add(f.ctx, coach.TradeNote{ID: coach.NewID(), UserID: u.ID, TradeID: a.ID, Text: "x"})), coach.ENOTFOUND, "Add on the deleted trade")
	})

	t.Run("UserDeleteErasesAnswers", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		a, _, _, aFomo, _, _ := f.tagged(u.ID)
		_, _, _, oFomo, _, _ := f.tagged(other.ID)
		gone := f.put(dispute(aFomo, coach.DisputePlan, true))
		goneNote := f.note(u.ID, a.ID, "erased with the user", base)
		must(t, f.s.Users().Delete(f.ctx, u.ID), "Delete user")
		pooled, err := f.s.Disputes().PooledLabelCounts(f.ctx)
		must(t, err, "PooledLabelCounts")
		for _, c := range pooled {
			if c.Disputed != 0 {
				t.Errorf("pooled counts after the user's delete: %+v, want no dispute", c)
			}
		}
		// Their ids are free again, as their rows are gone.
		reuse := dispute(oFomo, coach.DisputePlan, false)
		reuse.ID = gone.ID
		f.put(reuse)
		otrade := f.storedTrade(other.ID, "a")
		if _, err := f.s.Notes().Add(f.ctx, coach.TradeNote{ID: goneNote.ID, UserID: other.ID, TradeID: otrade.ID, Text: "reused id"}); err != nil {
			t.Errorf("Add with the id of an erased note: %v", err)
		}
	})

	t.Run("Tenancy/OtherUsersDisputesAreNotFound", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		a, _, _, _, _, _ := f.tagged(u.ID)
		oa, _, _, oFomo, _, _ := f.tagged(other.ID)
		theirs := f.put(dispute(oFomo, coach.DisputePlan, true))
		// u disputes other's tag: as if it did not exist.
		steal := dispute(oFomo, coach.DisputeOther, false)
		steal.UserID = u.ID
		wantCode(t, errOf(f.s.Disputes().Put(f.ctx, steal)), coach.ENOTFOUND, "Put on another user's tag")
		_, err := f.s.Disputes().Get(f.ctx, u.ID, oa.ID, oFomo.Label)
		wantCode(t, err, coach.ENOTFOUND, "Get of another user's dispute")
		wantCode(t, f.s.Disputes().Delete(f.ctx, u.ID, oa.ID, oFomo.Label), coach.ENOTFOUND, "Delete of another user's dispute")
		byTrades, err := f.s.Disputes().ByTrades(f.ctx, u.ID, []string{oa.ID, a.ID})
		must(t, err, "ByTrades")
		diff(t, "ByTrades naming another user's trade", []coach.TagDispute(nil), byTrades)
		tagged, err := f.s.Disputes().Tagged(f.ctx, u.ID, []string{oa.ID})
		must(t, err, "Tagged")
		diff(t, "Tagged of another user's trade", []coach.TagWithDispute(nil), tagged)
		list, err := f.s.Disputes().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List")
		diff(t, "the user's own disputes", []coach.TagDispute(nil), list)
		counts, err := f.s.Disputes().LabelCounts(f.ctx, u.ID)
		must(t, err, "LabelCounts")
		for _, c := range counts {
			if c.Disputed != 0 {
				t.Errorf("the user's counts include another user's dispute: %+v", c)
			}
		}
		stored, err := f.s.Disputes().Get(f.ctx, other.ID, oa.ID, oFomo.Label)
		must(t, err, "Get as the owner")
		diff(t, "the owner's dispute, untouched", theirs, stored)
	})

	t.Run("RollbackLeavesNoDispute", func(t *testing.T) {
		f := setup(t, newStore)
		u := f.user()
		a, _, _, aFomo, _, _ := f.tagged(u.ID)
		boom := errors.New("boom")
		err := f.s.InTx(f.ctx, func(tx storage.Tx) error {
			if _, err := tx.Disputes().Put(f.ctx, dispute(aFomo, coach.DisputePlan, true)); err != nil {
				return err
			}
			if _, err := tx.Notes().Add(f.ctx, coach.TradeNote{ID: coach.NewID(), UserID: u.ID, TradeID: a.ID, Text: "x", CreatedAt: base}); err != nil {
				return err
			}
			got, err := tx.Disputes().Tagged(f.ctx, u.ID, []string{a.ID})
			if err != nil {
				return err
			}
			if len(got) != 2 || got[0].Dispute == nil {
				t.Errorf("inside the transaction: %+v, want the FOMO tag with its dispute", got)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx: %v, want fn's error", err)
		}
		list, err := f.s.Disputes().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List disputes")
		diff(t, "disputes after rollback", []coach.TagDispute(nil), list)
		notes, err := f.s.Notes().List(f.ctx, u.ID, storage.AnswerPage{})
		must(t, err, "List notes")
		diff(t, "notes after rollback", []coach.TradeNote(nil), notes)
	})
}

// errOf returns the error of a call that also returns a value.
func errOf[T any](_ T, err error) error { return err }

// sortTagged orders tags with disputes as Tagged does: by trade id, then label.
func sortTagged(ts []coach.TagWithDispute) []coach.TagWithDispute {
	out := append([]coach.TagWithDispute(nil), ts...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].TradeID < out[i].TradeID || out[j].TradeID == out[i].TradeID && out[j].Label < out[i].Label {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// sortDisputes orders disputes as List does: by (CreatedAt, ID).
func sortDisputes(ds []coach.TagDispute) []coach.TagDispute {
	out := append([]coach.TagDispute(nil), ds...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if storage.DisputePos(out[j]).Less(storage.DisputePos(out[i])) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
