package rules_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/storage"
)

// day0 is a Monday, midnight UTC.
var day0 = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)

// at returns day0 plus a duration written like "26h30m".
func at(d string) time.Time {
	dur, err := time.ParseDuration(d)
	if err != nil {
		panic(err)
	}
	return day0.Add(dur)
}

// fill returns a trade of user u1; id doubles as ExtID.
func fill(id string, side coach.Side, ts time.Time, sym, qty, price string) coach.Trade {
	return coach.Trade{
		ID: id, UserID: "u1", Broker: "binance", ExtID: id, Symbol: coach.Symbol(sym), Side: side,
		Qty: decimal.RequireFromString(qty), Price: decimal.RequireFromString(price),
		Fee: decimal.NewNullDecimal(decimal.Zero), TS: ts,
	}
}

func buy(id string, ts time.Time, sym, qty, price string) coach.Trade {
	return fill(id, coach.Buy, ts, sym, qty, price)
}

func sell(id string, ts time.Time, sym, qty, price string) coach.Trade {
	return fill(id, coach.Sell, ts, sym, qty, price)
}

// bars returns candles of interval iv from start, one per close: each opens at the previous
// close, with its high and low the larger and smaller of open and close unless lows overrides
// the low of bar i (lows[i] > 0).
func bars(sym string, iv coach.Interval, start time.Time, closes []float64, lows map[int]float64) []coach.Candle {
	out := make([]coach.Candle, len(closes))
	open := closes[0]
	for i, c := range closes {
		lo, hi := min(open, c), max(open, c)
		if l, ok := lows[i]; ok {
			lo = l
		}
		out[i] = coach.Candle{Symbol: coach.Symbol(sym), Interval: iv, OpenTime: start.Add(time.Duration(i) * iv.Duration()),
			Open: open, High: hi, Low: lo, Close: c, Volume: 1}
		open = c
	}
	return out
}

// flat returns n closes of price p.
func flat(n int, p float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = p
	}
	return out
}

func rule(id string, p rules.Params) rules.Rule { return rules.Rule{ID: id, Active: true, Params: p} }

// row is a verdict in a form easy to write in a table.
type row struct {
	Trade, Rule string
	At          string // RFC 3339, UTC
	Outcome     string
	Reason      string
	Evidence    string
}

func rowsOf(vs []rules.Verdict) []row {
	out := make([]row, len(vs))
	for i, v := range vs {
		out[i] = row{Trade: v.TradeID, Rule: v.RuleID, At: v.At.Format(time.RFC3339), Outcome: v.Outcome.String(),
			Reason: v.Reason, Evidence: string(v.Evidence)}
	}
	return out
}

// mustEvaluate evaluates and fails the test on an error.
func mustEvaluate(tb testing.TB, trades []coach.Trade, candles rules.CandleSeries, rs []rules.Rule, loc *time.Location) *rules.Evaluation {
	tb.Helper()
	ev, err := rules.Evaluate(trades, candles, rs, loc)
	if err != nil {
		tb.Fatalf("Evaluate: %v", err)
	}
	return ev
}

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("time zone %s: %v", name, err))
	}
	return loc
}

// storageAll lists every trade of a test (they are few).
var storageAll = storage.TradeFilter{Limit: storage.MaxLimit}

func mustDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
