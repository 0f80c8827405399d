package privacy_test

import (
	"encoding/json"
	"testing"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// BenchmarkErase100k erases a user with 100,000 trades, each with a bias tag, plus everything
// else populate gives a user, on PostgreSQL, Redis and S3 (gofakes3); a second user of the same
// size stays. Only Erase is timed, not the writing of the user.
func BenchmarkErase100k(b *testing.B) {
	const trades = 100_000
	o := newOutside(b)
	o.populate(b, 1000) // another user, so that the deletes are by user and not of everything
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		p := o.populate(b, trades)
		tagAll(b, o.rig, p.user.ID)
		b.StartTimer()
		res, err := o.eraser.Erase(o.ctx, p.user.ID)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if res.Counts["trades"] != trades-1 || res.Counts["tags"] < trades-2 {
			b.Fatalf("counts %v", res.Counts)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(trades)*float64(b.N)/b.Elapsed().Seconds(), "trades/s")
}

// tagAll gives every trade of the user a PANIC tag, page by page.
func tagAll(b *testing.B, r *rig, userID string) { tagAllT(b, r, userID) }

func tagAllT(b testing.TB, r *rig, userID string) {
	b.Helper()
	f := storage.TradeFilter{Limit: storage.MaxLimit}
	for {
		page, err := r.store.Trades().List(r.ctx, userID, f)
		must(b, err, "list trades")
		ids := make([]string, len(page))
		tags := make([]coach.BiasTag, len(page))
		for i, tr := range page {
			ids[i] = tr.ID
			tags[i] = coach.BiasTag{ID: coach.NewID(), UserID: userID, TradeID: tr.ID, Label: coach.LabelPanic, Confidence: 0.5,
				Features: json.RawMessage(`{"definitionVersion":"2026.1"}`), CreatedAt: erasedT0, Revision: 1}
		}
		must(b, r.store.Tags().Replace(r.ctx, userID, ids, tags), "tag")
		if len(page) < storage.MaxLimit {
			return
		}
		pos := storage.PosOf(page[len(page)-1])
		f.After = &pos
	}
}
