package broker_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
)

func TestImportWindowImportsTheWindowGiven(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "coinbase")
	scorer := &recordingScorer{}
	f.imp = mustImporter(t, broker.ImporterConfig{Store: f.store, Clock: f.clock, Scorer: scorer, Window: time.Hour})
	b := newPagedBroker("coinbase", "cb", []string{"fills"}, 12, 1)
	// Days 3 to 6 of the broker's 10: not the Importer's window (the last hour), and whatever the clock says.
	from, to := importNow.Add(-7*24*time.Hour), importNow.Add(-4*24*time.Hour)
	f.clock.Advance(30 * 24 * time.Hour)
	sum, err := f.imp.ImportWindow(context.Background(), f.user, conn, b, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.WindowStart.Equal(from) || !sum.WindowEnd.Equal(to) {
		t.Errorf("summary window [%v, %v), want [%v, %v)", sum.WindowStart, sum.WindowEnd, from, to)
	}
	var want int
	for _, tr := range b.all() {
		if !tr.TS.Before(from) && tr.TS.Before(to) {
			want++
		}
	}
	stored := f.trades(t)
	if want == 0 || len(stored) != want || sum.Inserted != want {
		t.Errorf("stored %d trades (inserted %d), want the %d of the window", len(stored), sum.Inserted, want)
	}
	for _, tr := range stored {
		if tr.TS.Before(from) || !tr.TS.Before(to) {
			t.Errorf("trade %s at %v is outside the window", tr.ExtID, tr.TS)
		}
	}
	// The Scorer is asked for the window the new fills touched (Summary.TouchedFrom/To), which
	// lies inside the window imported.
	if scorer.calls.Load() != 1 || !scorer.from.Equal(sum.TouchedFrom) || !scorer.to.Equal(sum.TouchedTo) ||
		scorer.from.Before(from) || scorer.to.After(to) || !scorer.from.Before(scorer.to) {
		t.Errorf("scorer: %d calls, [%v, %v); want one for the touched window [%v, %v) inside [%v, %v)",
			scorer.calls.Load(), scorer.from, scorer.to, sum.TouchedFrom, sum.TouchedTo, from, to)
	}
	ps := f.progress(t)
	if last := ps[len(ps)-1]; last.Phase != coach.ImportPhaseDone || !last.WindowStart.Equal(from) || !last.WindowEnd.Equal(to) {
		t.Errorf("last progress %+v, want done over the window", last)
	}
}

func TestImportWindowRejectsEmptyWindows(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	conn := f.connect(t, "conn1", "coinbase")
	b := newPagedBroker("coinbase", "cb", []string{"fills"}, 2, 1)
	for _, w := range [][2]time.Time{{}, {importNow, time.Time{}}, {time.Time{}, importNow}, {importNow, importNow}, {importNow, importNow.Add(-time.Hour)}} {
		if _, err := f.imp.ImportWindow(context.Background(), f.user, conn, b, w[0], w[1]); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("ImportWindow [%v, %v): %v, want EINVALID", w[0], w[1], err)
		}
	}
	if n := len(f.progress(t)); n != 0 {
		t.Errorf("%d progress events after refused windows, want none", n)
	}
}
