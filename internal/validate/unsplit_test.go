package validate_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/internal/validate"
)

func TestUnsplit(t *testing.T) {
	at := time.Date(2026, 2, 2, 10, 0, 5, 0, time.UTC)
	d := decimal.RequireFromString
	fill := func(ext, qty, price, fee string) coach.Trade {
		return coach.Trade{UserID: "u", Broker: "demo", ExtID: ext, Symbol: "BTC-USDT", Side: coach.Buy, Qty: d(qty), Price: d(price),
			Fee: decimal.NewNullDecimal(d(fee)), FeeAsset: "USDT", TS: at}
	}
	tr := brokertest.ValidationTrader{
		Trades: []coach.Trade{fill("a", "1", "100", "0.1"), fill("b", "3", "104", "0.312"), fill("c", "2", "50", "0.1")},
		Orders: []brokertest.ValidationOrder{
			{Key: "o-1", Symbol: "BTC-USDT", Side: coach.Buy, TS: at, ExtIDs: []string{"a", "b"}, Intents: []string{coach.LabelFOMO}, Reason: "chase"},
			{Key: "o-2", Symbol: "BTC-USDT", Side: coach.Buy, TS: at, ExtIDs: []string{"c"}, Intents: []string{}, Reason: "x"},
		},
	}
	got := validate.Unsplit(tr)
	if len(got.Trades) != 2 || len(got.Orders) != 2 {
		t.Fatalf("Unsplit gave %d fills, %d orders; want 2 and 2", len(got.Trades), len(got.Orders))
	}
	one := got.Trades[0]
	// (1×100 + 3×104) / 4 = 103.
	if one.ExtID != "a" || !one.Qty.Equal(d("4")) || !one.Price.Equal(d("103")) || !one.Fee.Decimal.Equal(d("0.412")) || !one.TS.Equal(at) {
		t.Errorf("merged fill = %+v", one)
	}
	if o := got.Orders[0]; len(o.ExtIDs) != 1 || o.ExtIDs[0] != "a" || o.Key != "o-1" || o.Intents[0] != coach.LabelFOMO {
		t.Errorf("merged order = %+v", o)
	}
	if !got.Trades[1].Qty.Equal(d("2")) || got.Trades[1].ExtID != "c" {
		t.Errorf("single fill changed: %+v", got.Trades[1])
	}
	if len(tr.Orders[0].ExtIDs) != 2 {
		t.Error("Unsplit changed its input")
	}
}
