package storagetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// runPaged checks the keyset reads an export pages through: Trades.Tombstones,
// Tags.RevisionsByTrades and AuditLog.Since.
func runPaged(t *testing.T, newStore func(*testing.T) storage.Store) {
	t.Run("TombstonesInKeyOrder", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		before := time.Now().Add(-time.Minute)
		var all []coach.Trade
		for i, ext := range []string{"t5", "t1", "t3", "t2", "t4"} {
			all = append(all, trade(ext, base.Add(time.Duration(i)*time.Minute)))
		}
		f.upsert(u.ID, all...)
		f.upsert(other.ID, trade("t9", base))
		for _, ext := range []string{"t4", "t1", "t5"} {
			must(t, f.s.Trades().Delete(f.ctx, u.ID, f.storedTrade(u.ID, ext).ID), "Delete "+ext)
		}
		must(t, f.s.Trades().Delete(f.ctx, other.ID, f.storedTrade(other.ID, "t9").ID), "Delete other's")

		var got []string
		var after *storage.Tombstone
		for {
			page, err := f.s.Trades().Tombstones(f.ctx, u.ID, after, 2)
			must(t, err, "Tombstones")
			for _, z := range page {
				got = append(got, z.Broker+"/"+z.ExtID)
				if z.DeletedAt.Before(before) || z.DeletedAt.Location() != time.UTC {
					t.Errorf("tombstone %s: DeletedAt %v, want the store's clock in UTC", z.ExtID, z.DeletedAt)
				}
			}
			if len(page) < 2 {
				break
			}
			after = &page[len(page)-1]
		}
		diff(t, "Tombstones paged by 2", []string{"binance/t1", "binance/t4", "binance/t5"}, got)
		none, err := f.s.Trades().Tombstones(f.ctx, coach.NewID(), nil, 0)
		must(t, err, "Tombstones of nobody")
		diff(t, "Tombstones of nobody", []storage.Tombstone(nil), none)
	})

	t.Run("RevisionsByTrades", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		f.upsert(u.ID, trade("a", base), trade("b", base.Add(time.Minute)), trade("c", base.Add(2*time.Minute)))
		f.upsert(other.ID, trade("a", base))
		a, b, c := f.storedTrade(u.ID, "a"), f.storedTrade(u.ID, "b"), f.storedTrade(u.ID, "c")
		fomo, panic1 := tag(u.ID, a.ID, coach.LabelFOMO, 0.6), tag(u.ID, b.ID, coach.LabelPanic, 0.7)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID, b.ID}, []coach.BiasTag{fomo, panic1}), "Replace")
		// fomo gets a second revision; panic1 is withdrawn (its revision stays).
		fomo2 := fomo
		fomo2.Revision, fomo2.Confidence, fomo2.Features = 2, 0.8, json.RawMessage(`{"definitionVersion":"2026.2","rsi14":81}`)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{a.ID, b.ID}, []coach.BiasTag{fomo2}), "Replace revises")
		cTag := tag(u.ID, c.ID, coach.LabelFOMO, 0.5)
		must(t, f.s.Tags().Replace(f.ctx, u.ID, []string{c.ID}, []coach.BiasTag{cTag}), "Replace c")
		otherA := f.storedTrade(other.ID, "a")
		must(t, f.s.Tags().Replace(f.ctx, other.ID, []string{otherA.ID}, []coach.BiasTag{tag(other.ID, otherA.ID, coach.LabelFOMO, 0.9)}), "Replace other's")

		got, err := f.s.Tags().RevisionsByTrades(f.ctx, u.ID, []string{b.ID, a.ID, "nope", otherA.ID})
		must(t, err, "RevisionsByTrades")
		want := []coach.BiasTag{fomo, fomo2, panic1}
		if b.ID < a.ID {
			want = []coach.BiasTag{panic1, fomo, fomo2}
		}
		diff(t, "RevisionsByTrades (trade id, tag id, revision)", want, got)
		got, err = f.s.Tags().RevisionsByTrades(f.ctx, other.ID, []string{a.ID, b.ID})
		must(t, err, "RevisionsByTrades of another user's trades")
		diff(t, "another user's trades", []coach.BiasTag(nil), got)
	})

	t.Run("AuditSincePagesTheWholeLog", func(t *testing.T) {
		f := setup(t, newStore)
		u, other := f.user(), f.user()
		var want []coach.Audit
		// Five rows at the same instant (ordered by id) and some later ones, appended out of order.
		for i := range 9 {
			at := base
			if i >= 5 {
				at = base.Add(time.Duration(9-i) * time.Hour)
			}
			a := coach.Audit{ID: fmt.Sprintf("a%02d%s", i, coach.NewID()[:8]), UserID: u.ID, Action: coach.AuditLogin,
				Meta: json.RawMessage(`{"n":1}`), CreatedAt: microTime(at)}
			must(t, f.s.Audit().Append(f.ctx, a), "Append")
			want = append(want, a)
		}
		must(t, f.s.Audit().Append(f.ctx, coach.Audit{ID: coach.NewID(), UserID: other.ID, Action: coach.AuditLogin, CreatedAt: base}), "Append other's")
		// Expected order: (CreatedAt, ID).
		want = []coach.Audit{want[0], want[1], want[2], want[3], want[4], want[8], want[7], want[6], want[5]}
		var got []coach.Audit
		var after *storage.AuditPos
		for {
			page, err := f.s.Audit().Since(f.ctx, u.ID, after, 2)
			must(t, err, "Since")
			got = append(got, page...)
			if len(page) < 2 {
				break
			}
			p := storage.PosOfAudit(page[len(page)-1])
			after = &p
		}
		diff(t, "Since paged by 2", want, got)
		all, err := f.s.Audit().Since(f.ctx, u.ID, nil, 0)
		must(t, err, "Since from the start")
		diff(t, "Since from the start", want, all)
	})
}
