package ledger_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// bar returns a candle of sym with interval iv whose close is close and which closes h hours
// after t0.
func bar(sym coach.Symbol, iv coach.Interval, h float64, close float64) coach.Candle {
	closeAt := at(h)
	return coach.Candle{
		Symbol: sym, Interval: iv, OpenTime: closeAt.Add(-iv.Duration()),
		Open: close, High: close, Low: close, Close: close, Volume: 1,
	}
}

// hourBar is bar with a one-hour interval.
func hourBar(sym coach.Symbol, h float64, close float64) coach.Candle {
	return bar(sym, coach.Hour1, h, close)
}

func mustConverter(t *testing.T, cfg ledger.ConverterConfig) *ledger.Converter {
	t.Helper()
	c, err := ledger.NewConverter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConverterRate checks the search order, the rates and the reasons, one case at a time.
func TestConverterRate(t *testing.T) {
	t.Parallel()
	candles := coach.SeriesOf([]coach.Candle{
		hourBar("ETH-USD", 1, 2000),
		hourBar("ETH-USD", 2, 2100),
		hourBar("ETH-USD", 3, 9999), // closes after the times asked: never used at h ≤ 2.5
		hourBar("USD-JPY", 2, 150),  // JPY→USD inverts it
		hourBar("SOL-USDT", 2, 100),
		hourBar("SOL-USDC", 2, 101), // USDT comes before USDC among the bridges
		hourBar("USDT-USD", 2, 0.999),
		hourBar("USDC-USD", 2, 1),
		hourBar("ADA-USD", 1, 0.5), // stale at h=30 with the default one-day bound
		hourBar("DOT-USD", 5, 7),   // no candle closed by h=2
		hourBar("XYZ-ABC", 1, 2),   // joined to nothing that reaches USD
		hourBar("FDUSD-USDT", 2, 1),
	})
	c := mustConverter(t, ledger.ConverterConfig{Currency: "USD", Candles: candles})
	type want struct {
		Path   string
		Value  string
		Reason ledger.Reason
	}
	for _, tc := range []struct {
		name  string
		asset string
		h     float64
		want  want
	}{
		{"the currency itself", "USD", 2, want{"USD", "1", ""}},
		// The bar that closed at h=2 is the last at or before h=2.5; the one closing at h=3 is not used.
		{"direct, last closed bar", "ETH", 2.5, want{"ETH→USD", "2100", ""}},
		{"a bar closing exactly at t is used", "ETH", 2, want{"ETH→USD", "2100", ""}},
		{"before the second bar", "ETH", 1.5, want{"ETH→USD", "2000", ""}},
		// 1/150 = 0.00666… rounded to 18 places.
		{"inverted", "JPY", 2, want{"JPY→USD", "0.006666666666666667", ""}},
		// SOL→USDT 100 × USDT→USD 0.999 = 99.9 (USDT is tried before USDC).
		{"bridge, first in order", "SOL", 2, want{"SOL→USDT→USD", "99.9", ""}},
		{"stablecoin without a peg converts through its candle", "USDT", 2, want{"USDT→USD", "0.999", ""}},
		// FDUSD→USDT 1 × USDT→USD 0.999.
		{"stablecoin through a bridge", "FDUSD", 2, want{"FDUSD→USDT→USD", "0.999", ""}},
		{"stale", "ADA", 30, want{"", "0", ledger.Stale}},
		{"no candle closed yet", "DOT", 2, want{"", "0", ledger.NoCandle}},
		{"no path", "XYZ", 2, want{"", "0", ledger.NoPath}},
		{"no path for the quote of an unknown pair", "ABC", 2, want{"", "0", ledger.NoPath}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.Rate(tc.asset, at(tc.h))
			got := want{r.Path(), r.Value.String(), r.Reason}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("rate of %s at h=%v (-want +got):\n%s\ndetail: %s", tc.asset, tc.h, diff, r.Detail)
			}
			if r.OK() != (tc.want.Reason == "") || (!r.OK() && r.Detail == "") {
				t.Errorf("OK() = %v, detail %q", r.OK(), r.Detail)
			}
			if _, ok := r.Apply(d("1")); ok != r.OK() {
				t.Errorf("Apply ok = %v, want %v", ok, r.OK())
			}
		})
	}
}

// TestConverterEvidence checks that a bridged rate names its candles and that Apply computes from
// the closes, dividing once for an inverted leg.
func TestConverterEvidence(t *testing.T) {
	t.Parallel()
	c := mustConverter(t, ledger.ConverterConfig{Currency: "EUR", Candles: coach.SeriesOf([]coach.Candle{
		hourBar("BTC-USDT", 3, 64000),
		hourBar("EUR-USDT", 3, 1.28),
	})})
	r := c.Rate("BTC", at(3))
	want := []ledger.Leg{
		{From: "BTC", To: "USDT", Symbol: "BTC-USDT", Close: d("64000"), Interval: coach.Hour1, OpenTime: at(2), CloseTime: at(3)},
		{From: "USDT", To: "EUR", Symbol: "EUR-USDT", Inverted: true, Close: d("1.28"), Interval: coach.Hour1, OpenTime: at(2), CloseTime: at(3)},
	}
	if diff := cmp.Diff(want, r.Legs); diff != "" {
		t.Errorf("legs (-want +got):\n%s", diff)
	}
	// 64000 / 1.28 = 50000 exactly; 0.0198 BTC is 990 EUR.
	if r.Path() != "BTC→USDT→EUR" || !r.Value.Equal(d("50000")) {
		t.Errorf("path %s value %s, want BTC→USDT→EUR 50000", r.Path(), r.Value)
	}
	if v, ok := r.Apply(d("0.0198")); !ok || !v.Equal(d("990")) {
		t.Errorf("Apply(0.0198) = %s %v, want 990", v, ok)
	}
	// 1 USDT = 1/1.28 EUR = 0.78125: 3 USDT is 2.34375 EUR, 1 USDT/3 rounds at 12 places.
	u := c.Rate("USDT", at(3))
	if v, _ := u.Apply(d("3")); !v.Equal(d("2.34375")) {
		t.Errorf("3 USDT = %s EUR, want 2.34375", v)
	}
	third := mustConverter(t, ledger.ConverterConfig{Currency: "USD", Candles: coach.SeriesOf([]coach.Candle{hourBar("USD-X", 1, 3)})})
	if v, _ := third.Rate("X", at(1)).Apply(d("1")); !v.Equal(d("0.333333333333")) {
		t.Errorf("1 X = %s USD, want 0.333333333333 (1/3 at 12 places)", v)
	}
}

// TestConverterPegs checks that a stablecoin is USD only through the opt-in peg table, and that a
// candle is preferred to the peg.
func TestConverterPegs(t *testing.T) {
	t.Parallel()
	candles := coach.SeriesOf([]coach.Candle{hourBar("USDC-USD", 1, 0.998)})
	plain := mustConverter(t, ledger.ConverterConfig{Currency: "USD", Candles: candles})
	if r := plain.Rate("USDT", at(1)); r.Reason != ledger.NoPath {
		t.Errorf("USDT without a candle or peg: reason %q, want no_path (never 1 by default)", r.Reason)
	}
	pegged := mustConverter(t, ledger.ConverterConfig{Currency: "USD", Candles: candles, Pegs: map[string]string{"USDT": "USD", "USDC": "USD"}})
	r := pegged.Rate("USDT", at(1))
	if !r.OK() || !r.Value.Equal(d("1")) || len(r.Legs) != 1 || !r.Legs[0].Peg {
		t.Errorf("pegged USDT: %+v, want one peg leg at 1", r)
	}
	if r := pegged.Rate("USDC", at(1)); !r.Value.Equal(d("0.998")) || r.Legs[0].Peg {
		t.Errorf("USDC with a candle: %+v, want the candle's 0.998, not the peg", r)
	}
	// The peg works both ways: USD in a USDT report.
	rev := mustConverter(t, ledger.ConverterConfig{Currency: "USDT", Pegs: map[string]string{"USDT": "USD"}})
	if r := rev.Rate("USD", at(1)); !r.OK() || !r.Value.Equal(d("1")) {
		t.Errorf("USD in USDT under the peg: %+v", r)
	}
}

// TestConverterTieBreaks checks the choice among intervals and duplicates, and MaxAge.
func TestConverterTieBreaks(t *testing.T) {
	t.Parallel()
	day := coach.Candle{Symbol: "BTC-USD", Interval: coach.Day1, OpenTime: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Open: 50000, High: 50000, Low: 50000, Close: 50000, Volume: 1}
	hour := coach.Candle{Symbol: "BTC-USD", Interval: coach.Hour1, OpenTime: time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC), Open: 51000, High: 51000, Low: 51000, Close: 51000, Volume: 1}
	dup := hour
	dup.Open, dup.High, dup.Low, dup.Close = 52000, 52000, 52000, 52000
	late := hour
	late.OpenTime = hour.OpenTime.Add(-2 * time.Hour)
	late.Close, late.Open, late.High, late.Low = 49000, 49000, 49000, 49000
	bad := hour
	bad.Close = -1
	huge := hour
	huge.Open, huge.High, huge.Low, huge.Close = 1e20, 1e20, 1e20, 1e20
	midnight := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		candles []coach.Candle
		at      time.Time
		maxAge  time.Duration
		want    string
		reason  ledger.Reason
	}{
		// Both close at midnight: the hour bar is the shorter interval.
		{"same close, shorter interval", []coach.Candle{day, hour}, midnight, 0, "51000", ""},
		{"same close, order does not matter", []coach.Candle{hour, day}, midnight, 0, "51000", ""},
		{"duplicate bar: the first given", []coach.Candle{hour, dup}, midnight, 0, "51000", ""},
		{"invalid bars are left out", []coach.Candle{bad}, midnight, 0, "0", ledger.NoPath},
		{"a close beyond 1e18 is left out", []coach.Candle{huge}, midnight, 0, "0", ledger.NoPath},
		// The day bar closed at midnight; at 02:00 it is 2h old; the hour bar closed 21:00 is older.
		{"latest close wins", []coach.Candle{late, day}, midnight.Add(2 * time.Hour), 0, "50000", ""},
		{"MaxAge bounds the age", []coach.Candle{day}, midnight.Add(2 * time.Hour), time.Hour, "0", ledger.Stale},
		{"MaxAge is inclusive", []coach.Candle{day}, midnight.Add(time.Hour), time.Hour, "50000", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustConverter(t, ledger.ConverterConfig{Currency: "USD", Candles: coach.SeriesOf(tc.candles), MaxAge: tc.maxAge})
			r := c.Rate("BTC", tc.at)
			if r.Value.String() != tc.want || r.Reason != tc.reason {
				t.Errorf("rate %s reason %q, want %s %q (%s)", r.Value, r.Reason, tc.want, tc.reason, r.Detail)
			}
		})
	}
}

// TestNewConverterRefusesInvalidConfig checks that every field is validated.
func TestNewConverterRefusesInvalidConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]ledger.ConverterConfig{
		"empty currency":     {},
		"lower-case":         {Currency: "usd"},
		"too long":           {Currency: "ABCDEFGHIJK"},
		"bad bridge":         {Currency: "USD", Bridges: []string{"US-D"}},
		"peg to itself":      {Currency: "USD", Pegs: map[string]string{"USD": "USD"}},
		"peg to a bad asset": {Currency: "USD", Pegs: map[string]string{"USDT": "usd"}},
		"negative max age":   {Currency: "USD", MaxAge: -time.Second},
	} {
		if _, err := ledger.NewConverter(cfg); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("%s: err %v, want invalid", name, err)
		}
	}
	// Bridges empty but not nil: direct pairs only.
	c := mustConverter(t, ledger.ConverterConfig{Currency: "USD", Bridges: []string{}, Candles: coach.SeriesOf([]coach.Candle{
		hourBar("SOL-USDT", 1, 100), hourBar("USDT-USD", 1, 1),
	})})
	if r := c.Rate("SOL", at(1)); r.Reason != ledger.NoPath {
		t.Errorf("no bridges: %+v, want no_path", r)
	}
}
