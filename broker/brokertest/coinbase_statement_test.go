package brokertest_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
)

// TestCoinbaseFillsStatement: the statement is a Coinbase fills statement of the fills List
// Fills serves, fill for fill: the same trade id, pair, side, price and fee, the time to the
// millisecond, and the quantity (to the statement parser's 12 places when sized in quote).
func TestCoinbaseFillsStatement(t *testing.T) {
	t.Parallel()
	f := brokertest.NewCoinbase(brokertest.CoinbaseConfig{Seed: 5})
	t.Cleanup(f.Close)
	f.AddFills(120)
	res, err := broker.ParseCSV(bytes.NewReader(f.FillsStatement()), broker.CSVOptions{})
	if err != nil {
		t.Fatalf("ParseCSV: %v (%+v)", err, res.Errors)
	}
	if res.Format != broker.CSVCoinbaseFills {
		t.Fatalf("format %q, want %q", res.Format, broker.CSVCoinbaseFills)
	}
	byTradeID := map[string]coach.Trade{}
	for _, tr := range res.Trades {
		byTradeID[tr.ExchangeTradeID] = tr
	}
	want := f.Trades()
	if len(res.Trades) != len(want) || len(byTradeID) != len(want) {
		t.Fatalf("%d statement rows (%d trade ids), want %d", len(res.Trades), len(byTradeID), len(want))
	}
	for _, w := range want {
		got, ok := byTradeID[w.ExchangeTradeID]
		switch {
		case !ok:
			t.Errorf("fill %s is not in the statement", w.ExchangeTradeID)
		case got.Broker != coach.BrokerCoinbase || got.ExtID != w.ExchangeTradeID || got.Symbol != w.Symbol || got.Side != w.Side ||
			!got.Price.Equal(w.Price) || !got.Fee.Decimal.Equal(w.Fee.Decimal) || got.FeeAsset != w.FeeAsset ||
			!got.TS.Equal(w.TS.Truncate(time.Millisecond)) || !got.Qty.Equal(w.Qty.Round(12)):
			t.Errorf("statement row %+v\nfor the fill %+v", got, w)
		}
	}
}
