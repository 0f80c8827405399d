package coinbase

import (
	"bytes"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/wire"
)

// fill is one entry of List Fills, as Coinbase sends it (every number a string).
type fill struct {
	EntryID            string `json:"entry_id"`
	TradeID            string `json:"trade_id"`
	OrderID            string `json:"order_id"`
	TradeTime          string `json:"trade_time"`
	TradeType          string `json:"trade_type"`
	Price              string `json:"price"`
	Size               string `json:"size"`
	Commission         string `json:"commission"`
	ProductID          string `json:"product_id"`
	LiquidityIndicator string `json:"liquidity_indicator"`
	SizeInQuote        bool   `json:"size_in_quote"`
	Side               string `json:"side"`
}

// fillsPage is the body of a List Fills answer. An empty Cursor means the last page.
type fillsPage struct {
	Fills  []fill `json:"fills"`
	Cursor string `json:"cursor"`
}

// wireJSON are the options of every decoding of a 2xx body: encoding/json/v2 semantics (exact field
// names, unknown fields ignored), about three times faster than encoding/json on a fills page,
// and as lenient as encoding/json about duplicate names and invalid UTF-8.
var wireJSON = jsonv2.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// decodeFills decodes a List Fills body; EUNAVAILABLE when it is not one.
func decodeFills(body []byte) (fillsPage, error) {
	// Sizing the slice up front (one "trade_time" per fill) spares a page of 1000 fills the
	// regrowth and clearing that dominate decoding.
	p := fillsPage{Fills: make([]fill, 0, min(bytes.Count(body, []byte(`"trade_time"`)), len(body)/64+1))}
	if err := jsonv2.Unmarshal(body, &p, wireJSON); err != nil {
		return fillsPage{}, malformed("fills page")
	}
	return p, nil
}

// isTrade reports whether the entry is an ordinary fill (trade_type FILL or none) rather than a
// reversal, correction or synthetic entry.
func (f fill) isTrade() bool {
	return f.TradeType == "" || strings.EqualFold(f.TradeType, "FILL")
}

// extID is the fill's unique id: entry_id, or trade_id when entry_id is absent.
func (f fill) extID() string {
	if f.EntryID != "" {
		return f.EntryID
	}
	return f.TradeID
}

// side returns BUY or SELL from the side field, "" when Coinbase sent none or an unknown one.
func (f fill) side() coach.Side {
	switch {
	case strings.EqualFold(f.Side, "BUY"):
		return coach.Buy
	case strings.EqualFold(f.Side, "SELL"):
		return coach.Sell
	}
	return ""
}

// liquidity reads liquidity_indicator: MAKER or TAKER in any case; UNKNOWN_LIQUIDITY_INDICATOR,
// none or anything else is unknown ("", as ccxt maps it to null).
func (f fill) liquidity() coach.Liquidity {
	l, _ := coach.ParseLiquidity(f.LiquidityIndicator)
	return l
}

// trade normalizes the fill to a coach.Trade, taking side when the fill names none: ExtID is
// entry_id (trade_id without one), OrderID order_id, ExchangeTradeID trade_id (ccxt's id) and
// Liquidity liquidity_indicator. The result is validated: every error is EINVALID and names the
// fill.
func (f fill) trade(side coach.Side) (coach.Trade, error) {
	id := f.extID()
	if s := f.side(); s != "" {
		side = s
	}
	sym, err := coach.ParseSymbol(f.ProductID)
	if err != nil {
		return coach.Trade{}, coach.Errorf(coach.EINVALID, "coinbase fill %s: product_id: %s", wire.Clip(id), coach.ErrorMessage(err))
	}
	price, ok := wire.Amount(f.Price)
	if !ok {
		return coach.Trade{}, coach.Errorf(coach.EINVALID, "coinbase fill %s: price: not a decimal", wire.Clip(id))
	}
	size, ok := wire.Amount(f.Size)
	if !ok {
		return coach.Trade{}, coach.Errorf(coach.EINVALID, "coinbase fill %s: size: not a decimal", wire.Clip(id))
	}
	qty := size
	if f.SizeInQuote {
		if price.Sign() <= 0 {
			return coach.Trade{}, coach.Errorf(coach.EINVALID, "coinbase fill %s: price: must be positive", wire.Clip(id))
		}
		qty = size.DivRound(price, 18)
	}
	var fee decimal.NullDecimal
	if f.Commission != "" {
		c, ok := wire.Amount(f.Commission)
		if !ok {
			return coach.Trade{}, coach.Errorf(coach.EINVALID, "coinbase fill %s: commission: not a decimal", wire.Clip(id))
		}
		fee = decimal.NewNullDecimal(c)
	}
	ts, err := time.Parse(time.RFC3339Nano, f.TradeTime)
	if err != nil {
		return coach.Trade{}, coach.Errorf(coach.EINVALID, "coinbase fill %s: trade_time: not RFC 3339", wire.Clip(id))
	}
	t := coach.Trade{
		Broker:          coach.BrokerCoinbase,
		ExtID:           id,
		Symbol:          sym,
		Side:            side,
		Qty:             qty,
		Price:           price,
		Fee:             fee,
		TS:              ts.UTC(),
		OrderID:         f.OrderID,
		ExchangeTradeID: f.TradeID,
		Liquidity:       f.liquidity(),
	}
	if fee.Valid {
		t.FeeAsset = sym.Quote()
	}
	if err := t.Validate(); err != nil {
		return coach.Trade{}, err
	}
	return t, nil
}
