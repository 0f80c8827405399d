package ledger_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// TestConverterConfigSymbols checks the pairs a service fetches for a Converter: the direct pairs
// and the legs through each bridge, both ways, and nothing for the currency itself.
func TestConverterConfigSymbols(t *testing.T) {
	t.Parallel()
	cfg := ledger.ConverterConfig{Currency: "EUR", Bridges: []string{"USD", "BTC"}}
	got := cfg.Symbols("EUR", "BTC", "USDT", "not an asset", "USDT")
	want := []coach.Symbol{
		"BTC-EUR", "BTC-USD", // BTC direct, BTC→USD
		"BTC-USDT", // USDT→BTC (inverted)
		"EUR-BTC", "EUR-USD", "EUR-USDT",
		"USD-BTC", "USD-EUR", "USD-USDT",
		"USDT-BTC", "USDT-EUR", "USDT-USD",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Symbols (-want +got):\n%s", diff)
	}
	if got := cfg.Symbols("EUR"); len(got) != 0 {
		t.Errorf("Symbols of the currency itself: %v, want none", got)
	}

	// The converter finds its paths among exactly these pairs: a candle of each of them, and
	// nothing else, converts BTC and USDT (direct, and through USD).
	var candles []coach.Candle
	for _, s := range []coach.Symbol{"BTC-EUR", "USDT-USD", "EUR-USD"} {
		candles = append(candles, hourBar(s, 1, 2))
	}
	c := mustConverter(t, ledger.ConverterConfig{Currency: "EUR", Bridges: cfg.Bridges, Candles: coach.SeriesOf(candles)})
	for _, a := range []string{"BTC", "USDT"} {
		if r := c.Rate(a, at(1)); !r.OK() {
			t.Errorf("%s: %s %s", a, r.Reason, r.Detail)
		}
	}

	// Nil Bridges are the default ones.
	if n := len(ledger.ConverterConfig{Currency: "USD"}.Symbols("SOL")); n != 2+4*(len(ledger.DefaultBridges)-1) { // USD, the currency, is no bridge
		t.Errorf("default bridges: %d symbols", n)
	}
}
