package bias_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
)

// tiedFixture is the fixture with extra fills sharing timestamps with existing ones (partial
// fills, a buy and a sell in the same instant, another symbol at the same time), so that order
// among equal timestamps matters.
func tiedFixture() *fixture {
	fx := newFixture()
	n := len(fx.trades)
	for i := 0; i < n; i += 7 {
		tr := fx.trades[i]
		for j, side := range []coach.Side{tr.Side, coach.Buy, coach.Sell} {
			c := tr
			c.ID, c.ExtID = fmt.Sprintf("%s-%d", tr.ID, j), fmt.Sprintf("%s-%d", tr.ExtID, j)
			c.Side = side
			c.Qty = tr.Qty.Div(decimal.NewFromInt(4))
			if j == 2 && i%2 == 0 {
				c.Symbol = btc
				c.Price = decimal.NewFromFloat(fx.closeAt(btc, tr.TS)).Round(2)
				c.FeeAsset = "USDT"
			}
			fx.trades = append(fx.trades, c)
		}
	}
	return fx
}

// shuffle returns a permutation of trades drawn from seed.
func shuffle(trades []coach.Trade, seed uint64) []coach.Trade {
	r := &rng{s: seed}
	out := slices.Clone(trades)
	for i := len(out) - 1; i > 0; i-- {
		j := int(r.next() % uint64(i+1))
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func TestPermutationsGiveTheSameResult(t *testing.T) {
	t.Parallel()
	fx := tiedFixture()
	cfg := bias.DefaultConfig()
	cfg.Rules = bias.VerdictMap(map[string]bool{fx.trades[3].ID: true, fx.trades[9].ID: true})
	want := mustScore(t, fx.trades, fx.candles, cfg)
	for seed := range uint64(5) {
		got := mustScore(t, shuffle(fx.trades, seed), fx.candles, cfg)
		if diff := cmp.Diff(want, got, cmpNaN); diff != "" {
			t.Fatalf("permutation %d changed the result (-sorted +shuffled):\n%s", seed, diff)
		}
	}
}

func TestALaterTradeNeverChangesAnEarlierLabel(t *testing.T) {
	t.Parallel()
	fx := tiedFixture()
	cfg := bias.DefaultConfig()
	all := mustScore(t, fx.trades, fx.candles, cfg)
	sorted := slices.Clone(fx.trades)
	slices.SortStableFunc(sorted, func(a, b coach.Trade) int { return a.TS.Compare(b.TS) })
	for _, k := range []int{5, 17, 40, 41, 66, 90, len(sorted) - 1} {
		cut := sorted[k].TS
		var prefix []coach.Trade
		for _, tr := range sorted {
			if tr.TS.Before(cut) {
				prefix = append(prefix, tr)
			}
		}
		got := mustScore(t, prefix, fx.candles, cfg)
		keep := func(res bias.Result) ([]coach.BiasTag, []bias.Skip) {
			var tags []coach.BiasTag
			var skips []bias.Skip
			in := map[string]bool{}
			for _, tr := range prefix {
				in[tr.ID] = true
			}
			for _, g := range res.Tags {
				if in[g.TradeID] {
					tags = append(tags, g)
				}
			}
			for _, s := range res.Skipped {
				if in[s.TradeID] {
					skips = append(skips, s)
				}
			}
			return tags, skips
		}
		wantTags, wantSkips := keep(all)
		gotTags, gotSkips := keep(got)
		if diff := cmp.Diff(wantTags, gotTags); diff != "" {
			t.Errorf("trades before %s: tags differ once later trades are added (-all +prefix):\n%s", cut, diff)
		}
		if diff := cmp.Diff(wantSkips, gotSkips); diff != "" {
			t.Errorf("trades before %s: skips differ once later trades are added:\n%s", cut, diff)
		}
	}
}

// scaled multiplies every price of the candles and trades (and fees, in the quote asset) by k.
func scaled(fx *fixture, k float64) ([]coach.Trade, bias.CandleSeries) {
	cs := bias.CandleSeries{}
	for s, bars := range fx.candles {
		out := slices.Clone(bars)
		for i := range out {
			b := &out[i]
			b.Open, b.High, b.Low, b.Close = b.Open*k, b.High*k, b.Low*k, b.Close*k
		}
		cs[s] = out
	}
	dk := decimal.NewFromFloat(k)
	trades := slices.Clone(fx.trades)
	for i := range trades {
		trades[i].Price = trades[i].Price.Mul(dk)
		trades[i].Fee = decimal.NewNullDecimal(trades[i].Fee.Decimal.Mul(dk))
	}
	return trades, cs
}

type label struct{ Trade, Label string }

func labels(res bias.Result) []label {
	var out []label
	for _, g := range res.Tags {
		out = append(out, label{g.TradeID, g.Label})
	}
	return out
}

func TestScalingPricesChangesNoLabel(t *testing.T) {
	t.Parallel()
	fx := tiedFixture()
	cfg := bias.DefaultConfig()
	want := mustScore(t, fx.trades, fx.candles, cfg)
	for _, k := range []float64{2, 0.125, 3, 1000, 1e-4} {
		trades, candles := scaled(fx, k)
		got := mustScore(t, trades, candles, cfg)
		if diff := cmp.Diff(labels(want), labels(got)); diff != "" {
			t.Errorf("prices ×%v changed labels (-original +scaled):\n%s", k, diff)
		}
		if diff := cmp.Diff(want.Skipped, got.Skipped); diff != "" {
			t.Errorf("prices ×%v changed skips:\n%s", k, diff)
		}
		if k == 2 || k == 0.125 { // exact in binary: confidences agree to the bit
			for i := range want.Tags {
				if want.Tags[i].Confidence != got.Tags[i].Confidence {
					t.Errorf("prices ×%v: confidence of %s %s changed %v → %v", k, want.Tags[i].TradeID,
						want.Tags[i].Label, want.Tags[i].Confidence, got.Tags[i].Confidence)
				}
			}
		}
	}
}

func TestScoreIsDeterministic(t *testing.T) {
	t.Parallel()
	fx := tiedFixture()
	cfg := bias.DefaultConfig()
	var first []byte
	for range 3 {
		res := mustScore(t, fx.trades, fx.candles, cfg)
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b
		} else if !bytes.Equal(first, b) {
			t.Fatal("two runs gave different bytes")
		}
	}
	// And a Market scores the same from several goroutines.
	m, err := bias.Prepare(fx.candles, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []byte)
	for range 4 {
		go func() {
			res, _ := m.Score(fx.trades)
			b, _ := json.Marshal(res)
			done <- b
		}()
	}
	for range 4 {
		if b := <-done; !bytes.Equal(first, b) {
			t.Fatal("a concurrent run gave different bytes")
		}
	}
}
