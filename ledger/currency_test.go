package ledger_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// mixedQuoteHistory is a trader with BTC-USDT, ETH-BTC, SOL-EUR and XYZ-ABC fills (h = hours
// after t0), FIFO:
//
//	BTC-USDT b1 buy 1 @ 60000 (h0)        s1 sell 1 @ 62000 (h2), fee 62 USDT
//	         realized 62000 − 60000 − 62 = 1938 USDT, fees 62
//	ETH-BTC  b2 buy 10 @ 0.05 (h0)        s2 sell 4 @ 0.055 (h3), fee 0.0002 BTC
//	         realized 0.22 − 0.2 − 0.0002 = 0.0198 BTC, fees 0.0002; open 6 ETH, cost 0.3 BTC
//	SOL-EUR  b3 buy 100 @ 100 (h0), fee 10 EUR    s3 sell 50 @ 90 (h4), fee 4.5 EUR
//	         realized 4500 − 5000 − (5 + 4.5) = −509.5 EUR, fees 9.5; open 50 SOL, cost 5000, fees 5
//	XYZ-ABC  b4 buy 1000 @ 2 (h0)         s4 sell 600 @ 3 (h5)
//	         realized 1800 − 1200 = 600 ABC; open 400 XYZ, cost 800
func mixedQuoteHistory() []coach.Trade {
	return []coach.Trade{
		fill("b1", buy, "BTC-USDT", "1", "60000", 0, ""),
		fill("b2", buy, "ETH-BTC", "10", "0.05", 0, ""),
		fill("b3", buy, "SOL-EUR", "100", "100", 0, "10 EUR"),
		fill("b4", buy, "XYZ-ABC", "1000", "2", 0, ""),
		fill("s1", sel, "BTC-USDT", "1", "62000", 2, "62 USDT"),
		fill("s2", sel, "ETH-BTC", "4", "0.055", 3, "0.0002 BTC"),
		fill("s3", sel, "SOL-EUR", "50", "90", 4, "4.5 EUR"),
		fill("s4", sel, "XYZ-ABC", "600", "3", 5, ""),
	}
}

// mixedQuoteCandles are one-hour bars closing at the hour given. The window ends at h6; the bar
// closing at h7 must never be used (no look-ahead).
func mixedQuoteCandles() coach.CandleSeries {
	return coach.SeriesOf([]coach.Candle{
		hourBar("USDT-USD", 2, 0.999),
		hourBar("USDT-USD", 6, 1.001),
		hourBar("EUR-USD", 2, 1.11),
		hourBar("EUR-USD", 4, 1.25),
		hourBar("EUR-USD", 6, 1.2),
		hourBar("EUR-USDT", 3, 1.28),
		hourBar("BTC-USDT", 3, 64000),
		hourBar("BTC-USDT", 6, 65000),
		hourBar("BTC-USDT", 7, 99999),
		hourBar("ETH-BTC", 6, 0.06),
		hourBar("SOL-EUR", 6, 110),
		hourBar("XYZ-ABC", 6, 2.5),
	})
}

// reportLine is what the worked examples check of each converted figure.
type reportLine struct {
	ID, Path, Rate, PnL, Fees, Value string
}

func realizedLines(rep *ledger.CurrencyReport) []reportLine {
	var out []reportLine
	for _, x := range rep.Realized {
		out = append(out, reportLine{x.TradeID, x.Rate.Path(), x.Rate.Value.String(), x.PnL.String(), x.Fees.String(), ""})
	}
	return out
}

func openLines(rep *ledger.CurrencyReport) []reportLine {
	var out []reportLine
	for _, x := range rep.Open {
		out = append(out, reportLine{string(x.Symbol), x.Rate.Path(), x.Rate.Value.String(), x.PnL.String(), x.Fees.String(), x.MarketValue.String()})
	}
	return out
}

type unconvertedLine struct {
	ID     string
	Symbol coach.Symbol
	PnL    string
	Reason ledger.Reason
}

func unconvertedLines(rep *ledger.CurrencyReport) []unconvertedLine {
	var out []unconvertedLine
	for _, x := range rep.Unconvertible {
		out = append(out, unconvertedLine{x.TradeID, x.Symbol, x.QuotePnL.String(), x.Reason})
	}
	return out
}

type totalsLine struct {
	RealizedPnL, RealizedFees, UnrealizedPnL, OpenFees, OpenValue, PnL string
	Realized, Open, Excluded                                           int
}

func totals(t ledger.CurrencyTotals) totalsLine {
	return totalsLine{t.RealizedPnL.String(), t.RealizedFees.String(), t.UnrealizedPnL.String(), t.OpenFees.String(), t.OpenValue.String(), t.PnL.String(), t.Realized, t.Open, t.Excluded}
}

// TestInCurrencyWorkedExample converts mixedQuoteHistory to USD and to EUR with
// mixedQuoteCandles, valuing the open lots at h6 at their symbols' own candles (ETH-BTC 0.06:
// 6 ETH are worth 0.36 BTC, unrealized 0.06 BTC; SOL-EUR 110: 50 SOL are worth 5500 EUR,
// unrealized 5500 − 5000 − 5 = 495 EUR; XYZ-ABC 2.5: 400 XYZ are worth 1000 ABC, unrealized 200).
// XYZ-ABC's ABC has no path to either currency: its realized and open P/L are unconvertible and
// left out of every total.
func TestInCurrencyWorkedExample(t *testing.T) {
	t.Parallel()
	res, err := ledger.New(ledger.FIFO).Apply(mixedQuoteHistory())
	if err != nil {
		t.Fatal(err)
	}
	end := at(6)
	unconvertible := []unconvertedLine{
		{"s4", "XYZ-ABC", "600", ledger.NoPath},
		{"", "XYZ-ABC", "200", ledger.NoPath},
	}
	for _, tc := range []struct {
		currency string
		realized []reportLine
		open     []reportLine
		totals   totalsLine
	}{
		{
			currency: "USD",
			realized: []reportLine{
				// h2: USDT-USD 0.999. 1938 × 0.999 = 1936.062; 62 × 0.999 = 61.938.
				{"s1", "USDT→USD", "0.999", "1936.062", "61.938", ""},
				// h3: no BTC-USD pair; through USDT: BTC-USDT 64000 × USDT-USD 0.999 (the h2 bar, 1h old)
				// = 63936. 0.0198 × 63936 = 1265.9328; 0.0002 × 63936 = 12.7872.
				{"s2", "BTC→USDT→USD", "63936", "1265.9328", "12.7872", ""},
				// h4: EUR-USD 1.25. −509.5 × 1.25 = −636.875; 9.5 × 1.25 = 11.875.
				{"s3", "EUR→USD", "1.25", "-636.875", "11.875", ""},
			},
			open: []reportLine{
				// h6: BTC-USDT 65000 (not the h7 bar's 99999) × USDT-USD 1.001 = 65065.
				// 0.06 × 65065 = 3903.9; 0.36 × 65065 = 23423.4.
				{"ETH-BTC", "BTC→USDT→USD", "65065", "3903.9", "0", "23423.4"},
				// h6: EUR-USD 1.2. 495 × 1.2 = 594; 5 × 1.2 = 6; 5500 × 1.2 = 6600.
				{"SOL-EUR", "EUR→USD", "1.2", "594", "6", "6600"},
			},
			// realized 1936.062 + 1265.9328 − 636.875 = 2565.1198; fees 61.938 + 12.7872 + 11.875 = 86.6002;
			// unrealized 3903.9 + 594 = 4497.9; value 23423.4 + 6600 = 30023.4; P/L 2565.1198 + 4497.9 = 7063.0198.
			totals: totalsLine{"2565.1198", "86.6002", "4497.9", "6", "30023.4", "7063.0198", 3, 2, 2},
		},
		{
			currency: "EUR",
			realized: []reportLine{
				// h2: no USDT-EUR bar, and EUR-USDT's first closes at h3; through USD: USDT-USD 0.999 ÷
				// EUR-USD 1.11 = 0.9. 1938 × 0.9 = 1744.2; 62 × 0.9 = 55.8.
				{"s1", "USDT→USD→EUR", "0.9", "1744.2", "55.8", ""},
				// h3: through USDT: BTC-USDT 64000 ÷ EUR-USDT 1.28 = 50000. 0.0198 × 50000 = 990; 0.0002 × 50000 = 10.
				{"s2", "BTC→USDT→EUR", "50000", "990", "10", ""},
				// SOL-EUR is in EUR already: rate 1.
				{"s3", "EUR", "1", "-509.5", "9.5", ""},
			},
			open: []reportLine{
				// h6: BTC-USDT 65000 ÷ EUR-USDT 1.28 (the h3 bar, 3h old) = 50781.25.
				// 0.06 × 50781.25 = 3046.875; 0.36 × 50781.25 = 18281.25.
				{"ETH-BTC", "BTC→USDT→EUR", "50781.25", "3046.875", "0", "18281.25"},
				{"SOL-EUR", "EUR", "1", "495", "5", "5500"},
			},
			// realized 1744.2 + 990 − 509.5 = 2224.7; fees 55.8 + 10 + 9.5 = 75.3;
			// unrealized 3046.875 + 495 = 3541.875; value 18281.25 + 5500 = 23781.25; P/L 2224.7 + 3541.875 = 5766.575.
			totals: totalsLine{"2224.7", "75.3", "3541.875", "5", "23781.25", "5766.575", 3, 2, 2},
		},
	} {
		t.Run(tc.currency, func(t *testing.T) {
			c := mustConverter(t, ledger.ConverterConfig{Currency: tc.currency, Candles: mixedQuoteCandles()})
			rep := res.InCurrency(c, end, nil)
			if diff := cmp.Diff(tc.realized, realizedLines(rep)); diff != "" {
				t.Errorf("realized (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.open, openLines(rep)); diff != "" {
				t.Errorf("open (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(unconvertible, unconvertedLines(rep)); diff != "" {
				t.Errorf("unconvertible (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.totals, totals(rep.Totals)); diff != "" {
				t.Errorf("totals (-want +got):\n%s", diff)
			}
			for _, u := range rep.Unconvertible {
				if u.Detail == "" {
					t.Errorf("%s %s: unconvertible without a detail", u.TradeID, u.Symbol)
				}
			}
		})
	}
}

// TestInCurrencyMarks checks the open positions' marks: a given price wins over the candle, and a
// symbol with neither is unconvertible (no_mark), not valued at zero.
func TestInCurrencyMarks(t *testing.T) {
	t.Parallel()
	res, err := ledger.New(ledger.FIFO).Apply(mixedQuoteHistory())
	if err != nil {
		t.Fatal(err)
	}
	candles := mixedQuoteCandles()
	delete(candles, "SOL-EUR")
	c := mustConverter(t, ledger.ConverterConfig{Currency: "USD", Candles: candles})
	// ETH-BTC at a given 0.05: value 0.3 BTC, unrealized 0; × 65065 = 19519.5 USD.
	rep := res.InCurrency(c, at(6), map[coach.Symbol]decimal.Decimal{"ETH-BTC": d("0.05")})
	want := []reportLine{{"ETH-BTC", "BTC→USDT→USD", "65065", "0", "0", "19519.5"}}
	if diff := cmp.Diff(want, openLines(rep)); diff != "" {
		t.Errorf("open (-want +got):\n%s", diff)
	}
	if len(rep.Open[0].Mark.Legs) != 0 || !rep.Open[0].Mark.Value.Equal(d("0.05")) {
		t.Errorf("given mark: %+v, want 0.05 without a candle", rep.Open[0].Mark)
	}
	wantU := []unconvertedLine{
		{"s4", "XYZ-ABC", "600", ledger.NoPath},
		{"", "SOL-EUR", "0", ledger.NoMark},
		{"", "XYZ-ABC", "200", ledger.NoPath},
	}
	if diff := cmp.Diff(wantU, unconvertedLines(rep)); diff != "" {
		t.Errorf("unconvertible (-want +got):\n%s", diff)
	}
	if rep.Totals.Open != 1 || rep.Totals.Excluded != 3 {
		t.Errorf("totals: open %d excluded %d, want 1 and 3", rep.Totals.Open, rep.Totals.Excluded)
	}
	// Without an end, open lots are not valued at all.
	none := res.InCurrency(c, time.Time{}, nil)
	if len(none.Open) != 0 || len(none.Unconvertible) != 1 || none.Totals.Realized != 3 || !none.Totals.OpenValue.IsZero() {
		t.Errorf("no end: open %v, unconvertible %v, totals %+v; want the closing fills only", none.Open, none.Unconvertible, none.Totals)
	}
}

// TestCurrencyReportJSON checks the JSON form payloads carry: the evidence of a conversion names
// the candle, and an unconvertible figure its reason.
func TestCurrencyReportJSON(t *testing.T) {
	t.Parallel()
	res, err := ledger.New(ledger.FIFO).Apply(mixedQuoteHistory())
	if err != nil {
		t.Fatal(err)
	}
	c := mustConverter(t, ledger.ConverterConfig{Currency: "USD", Candles: mixedQuoteCandles()})
	b, err := json.Marshal(res.InCurrency(c, at(6), nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"currency":"USD"`,
		`{"tradeId":"s1","symbol":"BTC-USDT","closedAt":"2026-03-02T12:00:00Z","quotePnl":"1938","quoteFees":"62","pnl":"1936.062","fees":"61.938","conversion":{"asset":"USDT","currency":"USD","at":"2026-03-02T12:00:00Z","legs":[{"from":"USDT","to":"USD","symbol":"USDT-USD","close":"0.999","interval":"1h","openTime":"2026-03-02T11:00:00Z","closeTime":"2026-03-02T12:00:00Z"}],"rate":"0.999"}}`,
		`{"tradeId":"s4","symbol":"XYZ-ABC","at":"2026-03-02T15:00:00Z","quotePnl":"600","quoteFees":"0","reason":"no_path","detail":"no candles join ABC to USD, directly or through USDT, USDC, EUR, BTC, ETH"}`,
		`"totals":{"realizedPnl":"2565.1198","realizedFees":"86.6002","unrealizedPnl":"4497.9","openFees":"6","openValue":"30023.4","pnl":"7063.0198","realized":3,"open":2,"excluded":2,"feesUnknown":false}`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s\ngot %s", want, b)
		}
	}
}
