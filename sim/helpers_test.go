package sim_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/sim"
)

// t0 is the start of every hand-made fixture.
var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

const btc = coach.Symbol("BTC-USDT")

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func dp(s string) *decimal.Decimal {
	x := d(s)
	return &x
}

// fill is a trade of user u1 on the demo broker, named by its ExtID, at hour h (minute m)
// after t0; fee "" is a zero fee, "-" a null one, otherwise "amount ASSET".
type fill struct {
	id   string
	side coach.Side
	qty  string
	px   string
	at   time.Duration
	fee  string
	sym  coach.Symbol
}

func buy(id, qty, px string, at time.Duration, fee ...string) fill {
	return fill{id: id, side: coach.Buy, qty: qty, px: px, at: at, fee: first(fee)}
}

func sell(id, qty, px string, at time.Duration, fee ...string) fill {
	return fill{id: id, side: coach.Sell, qty: qty, px: px, at: at, fee: first(fee)}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func trades(fs ...fill) []coach.Trade {
	out := make([]coach.Trade, len(fs))
	for i, f := range fs {
		sym := f.sym
		if sym == "" {
			sym = btc
		}
		t := coach.Trade{UserID: "u1", Broker: "demo", ExtID: f.id, Symbol: sym, Side: f.side,
			Qty: d(f.qty), Price: d(f.px), TS: t0.Add(f.at), Fee: decimal.NewNullDecimal(decimal.Zero)}
		switch f.fee {
		case "":
		case "-":
			t.Fee = decimal.NullDecimal{}
		default:
			var amt, asset string
			for j := range f.fee {
				if f.fee[j] == ' ' {
					amt, asset = f.fee[:j], f.fee[j+1:]
				}
			}
			t.Fee, t.FeeAsset = decimal.NewNullDecimal(d(amt)), asset
		}
		out[i] = t
	}
	return out
}

// tag labels the trade with ExtID id.
func tag(id, label string) coach.BiasTag {
	return coach.BiasTag{TradeID: id, Label: label, Confidence: 0.9, Features: json.RawMessage(`{}`)}
}

// bar is one hourly candle.
type bar struct{ o, h, l, c float64 }

// hourly returns hourly candles of sym from t0, one per bar.
func hourly(sym coach.Symbol, bars ...bar) []coach.Candle {
	out := make([]coach.Candle, len(bars))
	for i, b := range bars {
		out[i] = coach.Candle{Symbol: sym, Interval: coach.Hour1, OpenTime: t0.Add(time.Duration(i) * time.Hour),
			Open: b.o, High: b.h, Low: b.l, Close: b.c, Volume: 10}
	}
	return out
}

// flat returns n hourly candles of sym from t0 with every price at p.
func flat(sym coach.Symbol, n int, p float64) []coach.Candle {
	bs := make([]bar, n)
	for i := range bs {
		bs[i] = bar{p, p, p, p}
	}
	return hourly(sym, bs...)
}

// window is [t0, t0+h hours).
func window(h int) sim.Params {
	return sim.Params{From: t0, To: t0.Add(time.Duration(h) * time.Hour)}
}

func mustRun(t testing.TB, in sim.Input) sim.Result {
	t.Helper()
	res, err := sim.Run(in)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// onlyPnL returns the single PnL entry of res.
func onlyPnL(t testing.TB, res sim.Result) sim.PnL {
	t.Helper()
	if len(res.PnL) != 1 {
		t.Fatalf("want one quote asset, got %d: %+v", len(res.PnL), res.PnL)
	}
	return res.PnL[0]
}

// figures builds Figures from text.
func figures(realized, unrealized string) sim.Figures {
	r, u := d(realized), d(unrealized)
	return sim.Figures{Realized: r, Unrealized: u, Total: r.Add(u)}
}
