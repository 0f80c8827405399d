package digest_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/ledger"
)

// hourCandle is a one-hour bar of sym at close that closes at the RFC 3339 time closeAt.
func hourCandle(t testing.TB, sym coach.Symbol, closeAt string, close float64) coach.Candle {
	t.Helper()
	at, err := time.Parse(time.RFC3339, closeAt)
	if err != nil {
		t.Fatal(err)
	}
	return coach.Candle{Symbol: sym, Interval: coach.Hour1, OpenTime: at.Add(-time.Hour), Open: close, High: close, Low: close, Close: close, Volume: 1}
}

// TestBuildInCurrency is a week in three quote assets converted to USD:
//
//	BTC-USDT e1 buy 1 @ 60000 (FOMO), x1 sell 1 @ 62000 fee 62 USDT: realized 1938 USDT
//	SOL-EUR  e2 buy 100 @ 100 fee 10 EUR, x2 sell 50 @ 90 fee 4.5 EUR (PANIC): realized
//	         4500 − 5000 − (5 + 4.5) = −509.5 EUR
//	XYZ-ABC  e3 buy 1000 @ 2, x3 sell 600 @ 3: realized 600 ABC, and ABC has no path to USD
//
// Candles: USDT-USD 0.999 closing Mon 12:00; EUR-USD 1.2 closing Tue 10:00 and 1.25 closing Tue
// 12:00. So x1 is 1938 × 0.999 = 1936.062 USD (all of it FOMO's: its lot was opened by the FOMO
// buy), x2 is −509.5 × 1.25 = −636.875 USD (PANIC's), realized 1936.062 − 636.875 = 1299.187 USD;
// fees 62 × 0.999 = 61.938 + 10 × 1.2 = 12 + 4.5 × 1.25 = 5.625, in all 79.563 USD; x3 is listed
// unconvertible and left out (excluded 1).
func TestBuildInCurrency(t *testing.T) {
	t.Parallel()
	trades := []coach.Trade{
		fill(t, "e1", "2026-03-02T10:00:00Z", "BTC-USDT", coach.Buy, "1", "60000", "0"),
		fill(t, "x1", "2026-03-02T12:00:00Z", "BTC-USDT", coach.Sell, "1", "62000", "62"),
		fill(t, "e2", "2026-03-03T10:00:00Z", "SOL-EUR", coach.Buy, "100", "100", "10"),
		fill(t, "x2", "2026-03-03T12:00:00Z", "SOL-EUR", coach.Sell, "50", "90", "4.5"),
		fill(t, "e3", "2026-03-04T10:00:00Z", "XYZ-ABC", coach.Buy, "1000", "2", "0"),
		fill(t, "x3", "2026-03-04T12:00:00Z", "XYZ-ABC", coach.Sell, "600", "3", "0"),
	}
	conv, err := ledger.NewConverter(ledger.ConverterConfig{Currency: "USD", Candles: coach.SeriesOf([]coach.Candle{
		hourCandle(t, "USDT-USD", "2026-03-02T12:00:00Z", 0.999),
		hourCandle(t, "EUR-USD", "2026-03-03T10:00:00Z", 1.2),
		hourCandle(t, "EUR-USD", "2026-03-03T12:00:00Z", 1.25),
	})})
	if err != nil {
		t.Fatal(err)
	}
	in := digest.Input{
		User:      coach.User{ID: testUser},
		Week:      digest.Week{Year: 2026, Week: 10},
		Trades:    trades,
		Tags:      []coach.BiasTag{tag("e1", coach.LabelFOMO), tag("x2", coach.LabelPanic)},
		Converter: conv,
	}
	p, err := digest.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	c := p.InCurrency
	if c == nil {
		t.Fatal("no inCurrency with a converter")
	}
	type fig struct {
		Currency, Realized, Fees, Labelled, Unlabelled string
		ByBias                                         map[string]string
		Excluded                                       int
		Paths                                          []string
		Unconvertible                                  []string
	}
	got := fig{Currency: c.Currency, Realized: c.Realized.String(), Fees: c.Fees.String(),
		Labelled: c.Labelled.Realized.String(), Unlabelled: c.Unlabelled.Realized.String(),
		ByBias: map[string]string{}, Excluded: c.Excluded}
	for l, b := range c.PnLByBias {
		got.ByBias[l] = b.Realized.String()
	}
	for _, x := range c.Closes.Realized {
		got.Paths = append(got.Paths, x.TradeID+" "+x.Rate.Path()+" "+x.Rate.Value.String())
	}
	for _, x := range c.FeeConversions {
		got.Paths = append(got.Paths, "fee "+x.TradeID+" "+x.Conversion.Path()+" "+x.Value.String())
	}
	for _, x := range c.Closes.Unconvertible {
		got.Unconvertible = append(got.Unconvertible, x.TradeID+" "+string(x.Reason))
	}
	want := fig{
		Currency: "USD", Realized: "1299.187", Fees: "79.563", Labelled: "1299.187", Unlabelled: "0",
		ByBias:   map[string]string{coach.LabelFOMO: "1936.062", coach.LabelPanic: "-636.875"},
		Excluded: 1,
		Paths: []string{
			"x1 USDT→USD 0.999", "x2 EUR→USD 1.25",
			"fee x1 USDT→USD 61.938", "fee e2 EUR→USD 12", "fee x2 EUR→USD 5.625",
		},
		Unconvertible: []string{"x3 no_path"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inCurrency (-want +got):\n%s", diff)
	}
	if b := c.PnLByBias[coach.LabelFOMO]; b.Trades != 1 || b.Closes != 1 {
		t.Errorf("FOMO bucket %+v, want 1 trade, 1 close", b)
	}
	// The per-quote figures are unchanged by the conversion: three quote assets tie at two fills
	// each, so the digest's quote is the first alphabetically, ABC.
	if p.Quote != "ABC" || !p.Realized.Equal(dec("600")) {
		t.Errorf("quote %s realized %s, want ABC 600", p.Quote, p.Realized)
	}
	in.Converter = nil
	plain, err := digest.Build(in)
	if err != nil || plain.InCurrency != nil {
		t.Fatalf("without a converter: inCurrency %v, err %v; want none", plain.InCurrency, err)
	}
	p.InCurrency = nil
	if diff := cmp.Diff(plain, p); diff != "" {
		t.Errorf("a converter changed the per-quote payload (-without +with):\n%s", diff)
	}

	// The payload survives storage.
	p.InCurrency = c
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	back, err := digest.ParsePayload(b)
	if err != nil || back.InCurrency == nil || !back.InCurrency.Realized.Equal(c.Realized) || back.InCurrency.Closes.Unconvertible[0].Reason != ledger.NoPath {
		t.Errorf("ParsePayload: %+v, %v", back.InCurrency, err)
	}
}

// TestBuildRefusesAConverterInAnotherCurrency checks that the converter must convert into the
// user's reporting currency.
func TestBuildRefusesAConverterInAnotherCurrency(t *testing.T) {
	t.Parallel()
	conv, err := ledger.NewConverter(ledger.ConverterConfig{Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = digest.Build(digest.Input{User: coach.User{ID: testUser, ReportingCurrency: "EUR"}, Week: digest.Week{Year: 2026, Week: 10}, Converter: conv})
	if coach.ErrorCode(err) != coach.EINVALID {
		t.Errorf("EUR user, USD converter: err %v, want invalid", err)
	}
	conv, _ = ledger.NewConverter(ledger.ConverterConfig{Currency: "EUR"})
	p, err := digest.Build(digest.Input{User: coach.User{ID: testUser, ReportingCurrency: "EUR"}, Week: digest.Week{Year: 2026, Week: 10}, Converter: conv})
	if err != nil || p.InCurrency == nil || p.InCurrency.Currency != "EUR" || !p.InCurrency.Realized.IsZero() {
		t.Errorf("EUR user, EUR converter, no trades: %+v, %v", p.InCurrency, err)
	}
}
