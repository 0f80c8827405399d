package sim_test

import (
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
)

func TestRunWithoutTrades(t *testing.T) {
	t.Parallel()
	res := mustRun(t, sim.Input{Candles: closes(100, 101), Scenario: sim.Scenario{Kind: sim.KindNoRevenge}, Params: window(2)})
	if len(res.PnL) != 0 || len(res.Equity) != 0 || len(res.Changes) != 0 || res.Data.Trades != 0 || res.Data.Candles != 0 {
		t.Errorf("result %+v, want nothing", res)
	}
	if res.PnL == nil || res.Changes == nil || res.Data.Marks == nil {
		t.Errorf("result %+v: want empty lists, not null, in JSON", res)
	}
}

// TestRunKeepsQuoteAssetsApart: P/L and curves come per quote asset, in the order of their
// names, and are never added together.
func TestRunKeepsQuoteAssetsApart(t *testing.T) {
	t.Parallel()
	ethBTC := coach.Symbol("ETH-BTC")
	ts := trades(buy("b1", "1", "100", hm(0, 30)), sell("s1", "1", "110", hm(1, 30)),
		fill{id: "e1", side: coach.Buy, qty: "2", px: "0.05", at: hm(0, 40), sym: ethBTC},
		fill{id: "e2", side: coach.Sell, qty: "2", px: "0.06", at: hm(1, 40), sym: ethBTC})
	res := mustRun(t, sim.Input{Trades: ts, Candles: append(closes(100, 110, 120), flat(ethBTC, 3, 0.06)...),
		Scenario: sim.Scenario{Kind: sim.KindNoRevenge}, Params: window(3)})
	if len(res.PnL) != 2 || res.PnL[0].Quote != "BTC" || res.PnL[1].Quote != "USDT" {
		t.Fatalf("pnl %+v: want BTC then USDT", res.PnL)
	}
	if !res.PnL[0].Actual.Realized.Equal(d("0.02")) || !res.PnL[1].Actual.Realized.Equal(d("10")) {
		t.Errorf("realized BTC %s, USDT %s; want 0.02 and 10", res.PnL[0].Actual.Realized, res.PnL[1].Actual.Realized)
	}
	if len(res.Equity) != 2 || res.Equity[0].Quote != "BTC" || res.Equity[1].Quote != "USDT" {
		t.Errorf("equity curves %+v: want BTC then USDT", res.Equity)
	}
	if got := res.Equity[1].Points; len(got) != 3 || !got[2].At.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("USDT curve %+v: want 3 points, the last at the window end", got)
	}
}
