package digest_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

const testUser = "u1"

// fill makes a trade of testUser; fee "" is unknown (null), a fee is in the quote asset.
func fill(t testing.TB, id, ts, sym string, side coach.Side, qty, price, fee string) coach.Trade {
	t.Helper()
	at, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		t.Fatal(err)
	}
	s := coach.MustParseSymbol(sym)
	tr := coach.Trade{ID: id, UserID: testUser, Broker: "demo", ExtID: "x-" + id, Symbol: s, Side: side,
		Qty: dec(qty), Price: dec(price), TS: at.UTC()}
	if fee != "" {
		tr.Fee = decimal.NewNullDecimal(dec(fee))
		if !tr.Fee.Decimal.IsZero() {
			tr.FeeAsset = s.Quote()
		}
	}
	return tr
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decp(s string) *decimal.Decimal { d := dec(s); return &d }

// tag labels trade id.
func tag(id, label string) coach.BiasTag {
	return coach.BiasTag{ID: "g-" + id + "-" + label, UserID: testUser, TradeID: id, Label: label, Confidence: 0.9,
		Features: json.RawMessage(`{"v":"test"}`), CreatedAt: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)}
}

func date(s string) coach.Date {
	d, err := coach.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
