package binance_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
)

// The fake serves given trades (a persona's) as the account's fills, and the client brings them
// back as AddTrades says it must normalize them.
func TestFakeServesGivenTrades(t *testing.T) {
	h := newHarness(t, 0, nil, nil)
	at := h.from.Add(36 * time.Hour)
	given := []coach.Trade{
		{Symbol: "BTC-USDT", Side: coach.Buy, Qty: decimal.RequireFromString("0.01"), Price: decimal.RequireFromString("64000.5"),
			Fee: decimal.NewNullDecimal(decimal.RequireFromString("0.64")), FeeAsset: "USDT", TS: at, OrderID: "7001", Liquidity: coach.Maker},
		{Symbol: "BTC-USDT", Side: coach.Sell, Qty: decimal.RequireFromString("0.01"), Price: decimal.RequireFromString("65000"),
			TS: at.Add(3 * time.Hour), OrderID: "ord-x"},
		{Symbol: "ETH-USDT", Side: coach.Buy, Qty: decimal.RequireFromString("1.5"), Price: decimal.RequireFromString("3200"),
			TS: at.Add(time.Hour)},
	}
	want := h.fake.AddTrades(given)
	if len(want) != 3 || want[0].OrderID != "7001" || want[1].OrderID == want[2].OrderID || want[1].Fee.Decimal.Sign() != 0 || want[1].FeeAsset != "USDT" ||
		want[2].Liquidity != coach.Taker || want[0].Liquidity != coach.Maker {
		t.Fatalf("normalized: %+v", want)
	}
	got, _, err := h.collect(t, broker.FillsRequest{From: h.from, To: h.to})
	if err != nil {
		t.Fatal(err)
	}
	sortTrades(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("fills (-want +got):\n%s", diff)
	}
}
