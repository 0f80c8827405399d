package binance

import (
	"bytes"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/wire"
)

// myTrade is one entry of GET /api/v3/myTrades as Binance sends it: ids and time are JSON
// integers, amounts decimal strings.
type myTrade struct {
	Symbol          string `json:"symbol"`
	ID              int64  `json:"id"`
	OrderID         int64  `json:"orderId"`
	Price           string `json:"price"`
	Qty             string `json:"qty"`
	QuoteQty        string `json:"quoteQty"`
	Commission      string `json:"commission"`
	CommissionAsset string `json:"commissionAsset"`
	Time            int64  `json:"time"`
	IsBuyer         bool   `json:"isBuyer"`
	// IsMaker is nil when Binance did not say (myTrades always does).
	IsMaker *bool `json:"isMaker"`
}

// wireJSON are the options of every decoding of a 2xx body: encoding/json/v2 semantics (exact field
// names, unknown fields ignored), several times faster than encoding/json on a page of trades,
// and as lenient as encoding/json about duplicate names and invalid UTF-8.
var wireJSON = jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

func unmarshal(b []byte, v any) error { return jsonv2.Unmarshal(b, v, wireJSON) }

// decodeTrades decodes a myTrades body; EUNAVAILABLE when it is not one.
func decodeTrades(body []byte) ([]myTrade, error) {
	// Sizing the slice up front (one "time" per trade) spares a page the regrowth and clearing
	// that dominate decoding.
	ts := make([]myTrade, 0, min(bytes.Count(body, []byte(`"time"`)), len(body)/64+1))
	if err := unmarshal(body, &ts); err != nil {
		return nil, malformed("trade list")
	}
	return ts, nil
}

// extID is the trade's unique id: symbol, trade id and side (both sides of a self-trade share
// the trade id).
func (m myTrade) extID() string {
	side := "S"
	if m.IsBuyer {
		side = "B"
	}
	return m.Symbol + ":" + strconv.FormatInt(m.ID, 10) + ":" + side
}

// liquidity reads isMaker: MAKER, TAKER, or "" when absent.
func (m myTrade) liquidity() coach.Liquidity {
	switch {
	case m.IsMaker == nil:
		return ""
	case *m.IsMaker:
		return coach.Maker
	}
	return coach.Taker
}

// trade normalizes m to a coach.Trade of sym (parsed from m.Symbol when sym is ""). The fee is the
// commission in commissionAsset, as reported; OrderID is orderId ("" when not positive),
// ExchangeTradeID id and Liquidity isMaker, as ccxt reads them (order, id, takerOrMaker). The
// result is validated: every error is EINVALID and names the trade.
func (m myTrade) trade(sym coach.Symbol) (coach.Trade, error) {
	id := m.extID()
	if sym == "" {
		s, err := coach.ParseSymbol(m.Symbol)
		if err != nil {
			return coach.Trade{}, coach.Errorf(coach.EINVALID, "binance trade %s: %s", wire.Clip(id), coach.ErrorMessage(err))
		}
		if s.Concat() != m.Symbol {
			// Binance writes symbols upper-case (BTCUSDT). Another spelling ("btcUSDT", " BTCUSDT")
			// would store a trade whose symbol and ExtID disagree, and the same fill under two
			// ExtIDs if the spelling ever changed.
			return coach.Trade{}, coach.Errorf(coach.EINVALID, "binance trade %s: symbol: want upper-case BASEQUOTE", wire.Clip(id))
		}
		sym = s
	} else if m.Symbol != sym.Concat() {
		return coach.Trade{}, coach.Errorf(coach.EINVALID, "binance trade %s: symbol is not %s", wire.Clip(id), sym.Concat())
	}
	price, ok := wire.Amount(m.Price)
	if !ok {
		return coach.Trade{}, coach.Errorf(coach.EINVALID, "binance trade %s: price: not a decimal", wire.Clip(id))
	}
	qty, ok := wire.Amount(m.Qty)
	if !ok {
		return coach.Trade{}, coach.Errorf(coach.EINVALID, "binance trade %s: qty: not a decimal", wire.Clip(id))
	}
	var fee decimal.NullDecimal
	if m.Commission != "" {
		f, ok := wire.Amount(m.Commission)
		if !ok {
			return coach.Trade{}, coach.Errorf(coach.EINVALID, "binance trade %s: commission: not a decimal", wire.Clip(id))
		}
		fee = decimal.NewNullDecimal(f)
	}
	if m.Time <= 0 || m.Time > 253402300799999 {
		return coach.Trade{}, coach.Errorf(coach.EINVALID, "binance trade %s: time: out of range", wire.Clip(id))
	}
	side := coach.Sell
	if m.IsBuyer {
		side = coach.Buy
	}
	var order string
	if m.OrderID > 0 {
		order = strconv.FormatInt(m.OrderID, 10)
	}
	t := coach.Trade{
		Broker:   coach.BrokerBinance,
		ExtID:    id,
		Symbol:   sym,
		Side:     side,
		Qty:      qty,
		Price:    price,
		Fee:      fee,
		FeeAsset: strings.ToUpper(m.CommissionAsset),
		TS:       time.UnixMilli(m.Time).UTC(),
		OrderID:  order,
		// The id as extID wrote it, "SYMBOL:<id>:S": the same digits without another string.
		ExchangeTradeID: id[len(m.Symbol)+1 : len(id)-2],
		Liquidity:       m.liquidity(),
	}
	if err := t.Validate(); err != nil {
		return coach.Trade{}, err
	}
	return t, nil
}
