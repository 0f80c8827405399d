package core_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// The dashboard's series, worked by hand from a small file of fills (no fees):
//
//	Mar 2  buy  1 BTC at 100, in two fills of one order (0.4 + 0.6)
//	Mar 3  sell 1 BTC at 110        → realized +10, equity 10
//	Mar 4  buy  1 BTC at 100, sell 1 at 90 → realized −10, equity 0
//
// and FOMO on both fills of the Mar 2 order counts once.
func TestDashboardSeries(t *testing.T) {
	h := newHost(t)
	u := h.user()
	file := "ts,symbol,side,qty,price,fee,feeAsset,extId,orderId\n" +
		"2026-03-02T10:00:00Z,BTC-USD,BUY,0.4,100,0,USD,a1,o1\n" +
		"2026-03-02T10:00:00Z,BTC-USD,BUY,0.6,100,0,USD,a2,o1\n" +
		"2026-03-03T10:00:00Z,BTC-USD,SELL,1,110,0,USD,a3,o2\n" +
		"2026-03-04T09:00:00Z,BTC-USD,BUY,1,100,0,USD,a4,o3\n" +
		"2026-03-04T15:00:00Z,BTC-USD,SELL,1,90,0,USD,a5,o4\n"
	if code := h.call(u, "POST", "/brokers/csv", file, nil); code != http.StatusOK {
		t.Fatalf("upload: %d", code)
	}
	// The upload asked for its window to be scored: let that run before planting the tags, or
	// the scoring would replace them.
	h.scored()
	ctx := context.Background()
	trades, err := h.in.Store.Trades().List(ctx, u, storage.TradeFilter{Limit: 10})
	if err != nil || len(trades) != 5 {
		t.Fatalf("%d trades, %v", len(trades), err)
	}
	var ids []string
	var tags []coach.BiasTag
	for _, tr := range trades[:2] { // the two fills of order o1
		ids = append(ids, tr.ID)
		tags = append(tags, coach.BiasTag{ID: coach.NewID(), UserID: u, TradeID: tr.ID, Label: coach.LabelFOMO, Confidence: 0.8,
			Features: json.RawMessage(`{"v":"test"}`), CreatedAt: time.Now().UTC(), Revision: 1})
	}
	if err := h.in.Store.Tags().Replace(ctx, u, ids, tags); err != nil {
		t.Fatal(err)
	}

	var d struct {
		PnL []struct {
			Period string `json:"period"`
			Quote  string `json:"quote"`
			PnL    string `json:"pnl"`
			Equity string `json:"equity"`
		} `json:"pnl"`
		Labels []struct {
			Period string         `json:"period"`
			Counts map[string]int `json:"counts"`
		} `json:"labels"`
	}
	if code := h.call(u, "GET", "/dashboard?from=2026-03-01T00:00:00Z&to=2026-03-05T00:00:00Z&bucket=day", nil, &d); code != 200 {
		t.Fatalf("dashboard: %d", code)
	}
	// Europe/Berlin days (the test users' zone).
	want := []struct{ period, pnl, equity string }{{"2026-03-03", "10", "10"}, {"2026-03-04", "-10", "0"}}
	if len(d.PnL) != len(want) {
		t.Fatalf("pnl %+v", d.PnL)
	}
	for i, w := range want {
		if d.PnL[i].Period != w.period || d.PnL[i].Quote != "USD" || d.PnL[i].PnL != w.pnl || d.PnL[i].Equity != w.equity {
			t.Errorf("pnl[%d] = %+v, want %+v", i, d.PnL[i], w)
		}
	}
	if len(d.Labels) != 1 || d.Labels[0].Period != "2026-03-02" || d.Labels[0].Counts[coach.LabelFOMO] != 1 {
		t.Fatalf("labels %+v: want FOMO once on 2026-03-02", d.Labels)
	}
	for _, bad := range []string{"bucket=hour", "from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z", "from=yesterday"} {
		if code := h.call(u, "GET", "/dashboard?"+bad, nil, nil); code != 400 {
			t.Errorf("%s: %d, want 400", bad, code)
		}
	}
}
