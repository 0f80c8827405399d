package coinbase

import (
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/wire"
)

// NormalizeFills turns a saved List Fills answer — the body of one page of GET
// /api/v3/brokerage/orders/historical/fills — into trades without any HTTP, so that a researcher
// can normalize payloads stored earlier. Each fill becomes exactly the coach.Trade Client.Fills
// would import from it (the same decoding and normalization code, so the same bits): Broker
// "coinbase", ExtID (entry_id), Symbol, Side, Qty, Price, Fee, FeeAsset, TS, OrderID (order_id),
// ExchangeTradeID (trade_id) and Liquidity (liquidity_indicator; "" when unknown) set; ID, UserID and
// ConnectionID are left for the store and the importer, as in every broker.FillPage. As the
// import does, it skips entries that are not trades (trade_type REVERSAL, CORRECTION,
// SYNTHETIC), keeps the first of fills repeating an ExtID, and returns the trades sorted by (TS,
// ExtID). Unlike the import, it keeps every fill whatever its time (the import keeps those in its
// window), and it ignores the page's cursor.
//
// A fill that reports no side takes the side of its order, which the client asks Coinbase for;
// here it comes from sides, keyed by order id (nil when no fill needs one), read as the client
// reads an order's side (BUY or SELL, in any case).
//
// Errors are EINVALID and no trade is returned: a body that is not a List Fills answer (not a
// JSON object with a "fills" array), or the first fill that does not normalize (naming it), as
// the import refuses it; a fill without a side whose order is not in sides.
func NormalizeFills(body []byte, sides map[string]coach.Side) ([]coach.Trade, error) {
	p, err := decodeFills(body)
	if err != nil || len(p.Fills) == 0 && !hasFillsArray(body) {
		return nil, coach.Errorf(coach.EINVALID, "coinbase fills page: not a List Fills answer (a JSON object with a fills array)")
	}
	seen := make(map[string]bool, len(p.Fills))
	out := make([]coach.Trade, 0, len(p.Fills))
	for _, f := range p.Fills {
		if !f.isTrade() || seen[f.extID()] {
			continue
		}
		side := f.side()
		if side == "" && validTime(f.TradeTime) {
			// The client's orderSide, with the orders given instead of fetched (a fill whose time
			// does not parse is refused for that by trade, as in the import).
			if f.OrderID == "" {
				return nil, coach.Errorf(coach.EINVALID, "coinbase fill %s: no side and no order id", wire.Clip(f.extID()))
			}
			s, ok := sides[f.OrderID]
			if !ok {
				return nil, coach.Errorf(coach.EINVALID, "coinbase fill %s: no side, and the side of its order %s is not given",
					wire.Clip(f.extID()), wire.Clip(f.OrderID))
			}
			// Read as the client reads an order's side: BUY or SELL in any case.
			if side = (fill{Side: string(s)}).side(); side == "" {
				return nil, coach.Errorf(coach.EINVALID, "coinbase fill %s: neither the fill nor its order has a side", wire.Clip(f.extID()))
			}
		}
		t, err := f.trade(side)
		if err != nil {
			return nil, err
		}
		seen[t.ExtID] = true
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b coach.Trade) int {
		if c := a.TS.Compare(b.TS); c != 0 {
			return c
		}
		return compareStrings(a.ExtID, b.ExtID)
	})
	return out, nil
}

func validTime(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// hasFillsArray reports whether body is a JSON object with a "fills" member that is an array:
// an object without one (an error answer saved by mistake) is not a page with no fills.
func hasFillsArray(body []byte) bool {
	var v struct {
		Fills jsontext.Value `json:"fills"`
	}
	if jsonv2.Unmarshal(body, &v, wireJSON) != nil {
		return false
	}
	return v.Fills.Kind() == '['
}
