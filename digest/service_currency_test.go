package digest_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/ledger"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
)

// mixedQuoteStore returns a memory store with a user of the given reporting currency ("" for the
// default, USD) who trades in three quote assets and one with no path to any currency, in ISO
// week 2026-W11 (UTC):
//
//	BTC-USDT b1 buy 1 @ 60000 (Mon 10:00), s1 sell 1 @ 61000 fee 10 USDT (Tue 10:00): 990 USDT
//	ETH-BTC  b2 buy 10 @ 0.05 (Mon 11:00), s2 sell 10 @ 0.06 (Wed 11:00):             0.1 BTC
//	SOL-EUR  b3 buy 100 @ 100 (Mon 12:00), s3 sell 100 @ 110 (Thu 12:00):          1000 EUR
//	FOO-XYZ  b4 buy 10 @ 1 (Mon 13:00), s4 sell 10 @ 2 (Fri 13:00):                  10 XYZ
//
// and hourly candles from Sunday to the next Monday of USDT-USD at 0.999, BTC-USD at 62000,
// EUR-USD at 1.25 and BTC-USDT at 61000, in the store's candle cache, which the service reads
// through storage.CandleSource. Nothing joins XYZ to anything.
func mixedQuoteStore(t *testing.T, currency string) (*memory.Store, string) {
	t.Helper()
	ctx := context.Background()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	user := coach.NewID()
	if err := st.Users().Create(ctx, coach.User{ID: user, Email: user + "@example.com", ReportingCurrency: currency,
		CreatedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	trade := func(ext, ts, sym string, side coach.Side, qty, px, fee string) coach.Trade {
		s := coach.MustParseSymbol(sym)
		tr := coach.Trade{Broker: "demo", ExtID: ext, Symbol: s, Side: side, Qty: dec(qty), Price: dec(px),
			TS: at(ts), Fee: decimal.NewNullDecimal(dec(fee))}
		if fee != "0" {
			tr.FeeAsset = s.Quote()
		}
		return tr
	}
	trades := []coach.Trade{
		trade("b1", "2026-03-09T10:00:00Z", "BTC-USDT", coach.Buy, "1", "60000", "0"),
		trade("s1", "2026-03-10T10:00:00Z", "BTC-USDT", coach.Sell, "1", "61000", "10"),
		trade("b2", "2026-03-09T11:00:00Z", "ETH-BTC", coach.Buy, "10", "0.05", "0"),
		trade("s2", "2026-03-11T11:00:00Z", "ETH-BTC", coach.Sell, "10", "0.06", "0"),
		trade("b3", "2026-03-09T12:00:00Z", "SOL-EUR", coach.Buy, "100", "100", "0"),
		trade("s3", "2026-03-12T12:00:00Z", "SOL-EUR", coach.Sell, "100", "110", "0"),
		trade("b4", "2026-03-09T13:00:00Z", "FOO-XYZ", coach.Buy, "10", "1", "0"),
		trade("s4", "2026-03-13T13:00:00Z", "FOO-XYZ", coach.Sell, "10", "2", "0"),
	}
	if _, err := st.Trades().Upsert(ctx, user, trades); err != nil {
		t.Fatal(err)
	}
	var candles []coach.Candle
	for open := at("2026-03-08T00:00:00Z"); open.Before(at("2026-03-16T00:00:00Z")); open = open.Add(time.Hour) {
		for sym, close := range map[coach.Symbol]float64{"USDT-USD": 0.999, "BTC-USD": 62000, "EUR-USD": 1.25, "BTC-USDT": 61000} {
			candles = append(candles, coach.Candle{Symbol: sym, Interval: coach.Hour1, OpenTime: open,
				Open: close, High: close, Low: close, Close: close, Volume: 1})
		}
	}
	if err := st.Candles().Put(ctx, candles); err != nil {
		t.Fatal(err)
	}
	return st, user
}

// closeFigure is a converted close as the test compares it: its fill, figures, path and reason.
type closeFigure struct {
	ExtID, PnL, Fees, Path string
	Reason                 ledger.Reason
}

// TestServiceWeeklyInReportingCurrency checks that Weekly converts a mixed-quote week into the
// user's reporting currency through the candles its source has, in USD (the default) and in EUR,
// and lists the close in XYZ, which nothing joins to either, as unconvertible (no_path) instead of
// a number. By hand:
//
//	USD: s1 990 × 0.999 = 989.01 (USDT→USD); s2 0.1 × 62000 = 6200 (BTC→USD);
//	     s3 1000 × 1.25 = 1250 (EUR→USD); realized 8439.01; fee 10 × 0.999 = 9.99
//	EUR: s1 990 × 0.999 ÷ 1.25 = 791.208 (USDT→USD→EUR: no USDT-EUR pair, and USDC has none);
//	     s2 0.1 × 62000 ÷ 1.25 = 4960 (BTC→USD→EUR: the USDT bridge comes first, but USDT does
//	     not reach EUR); s3 1000 (EUR itself); realized 6751.208; fee 10 × 0.999 ÷ 1.25 = 7.992
func TestServiceWeeklyInReportingCurrency(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		currency       string
		realized, fees string
		closes         []closeFigure
	}{
		{"", "8439.01", "9.99", []closeFigure{
			{"s1", "989.01", "9.99", "USDT→USD", ""},
			{"s2", "6200", "0", "BTC→USD", ""},
			{"s3", "1250", "0", "EUR→USD", ""},
			{"s4", "10", "0", "", ledger.NoPath},
		}},
		{"EUR", "6751.208", "7.992", []closeFigure{
			{"s1", "791.208", "7.992", "USDT→USD→EUR", ""},
			{"s2", "4960", "0", "BTC→USD→EUR", ""},
			{"s3", "1000", "0", "EUR", ""},
			{"s4", "10", "0", "", ledger.NoPath},
		}},
	} {
		name := tc.currency
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, user := mixedQuoteStore(t, tc.currency)
			svc := mustNew(t, digest.ServiceConfig{Store: st, Candles: storage.CandleSource(st.Candles()),
				Clock: coach.NewManualClock(time.Date(2026, 3, 16, 6, 0, 0, 0, time.UTC))})
			d, err := svc.Weekly(ctx, user, digest.Week{Year: 2026, Week: 11})
			if err != nil {
				t.Fatal(err)
			}
			p := decodePayload(t, d)
			c := p.InCurrency
			if c == nil {
				t.Fatal("the stored digest has no inCurrency")
			}
			want := tc.currency
			if want == "" {
				want = coach.DefaultReportingCurrency
			}
			if c.Currency != want || c.Realized.String() != tc.realized || c.Fees.String() != tc.fees || c.Excluded != 1 {
				t.Errorf("currency %s, realized %s, fees %s, excluded %d; want %s, %s, %s, 1",
					c.Currency, c.Realized, c.Fees, c.Excluded, want, tc.realized, tc.fees)
			}
			ext := tradeExtIDs(t, st, user)
			var got []closeFigure
			for _, x := range c.Closes.Realized {
				got = append(got, closeFigure{ext[x.TradeID], x.PnL.String(), x.Fees.String(), x.Rate.Path(), x.Rate.Reason})
			}
			for _, x := range c.Closes.Unconvertible {
				// Left out with its figures in XYZ, never as a number in the currency.
				got = append(got, closeFigure{ext[x.TradeID], x.QuotePnL.String(), x.QuoteFees.String(), "", x.Reason})
			}
			if diff := cmp.Diff(tc.closes, got); diff != "" {
				t.Errorf("closes (-want +got):\n%s", diff)
			}
		})
	}
}

// decodePayload reads a stored digest's payload.
func decodePayload(t *testing.T, d coach.Digest) digest.Payload {
	t.Helper()
	var p digest.Payload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// tradeExtIDs maps the user's stored trade ids to their ExtIDs.
func tradeExtIDs(t *testing.T, st storage.Store, user string) map[string]string {
	t.Helper()
	trades, err := st.Trades().List(context.Background(), user, storage.TradeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(trades))
	for _, tr := range trades {
		out[tr.ID] = tr.ExtID
	}
	return out
}
