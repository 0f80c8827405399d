package binance

import (
	"bytes"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/internal/wire"
)

// NormalizeTrades turns a saved myTrades answer — the body of one GET /api/v3/myTrades page, a
// JSON array of trades — into trades without any HTTP, so that a researcher can normalize
// payloads stored earlier. Each row becomes exactly the coach.Trade Client.Fills would import from
// it (the same decoding and normalization code, so the same bits): Broker "binance", ExtID
// "SYMBOL:id:B|S", Symbol, Side, Qty, Price, Fee and FeeAsset (the commission and commissionAsset
// as reported; FeeInQuote converts them with market data), TS, OrderID (orderId),
// ExchangeTradeID (id, alone) and Liquidity (isMaker: MAKER or TAKER); ID, UserID and ConnectionID are
// left for the store and the importer, as in every broker.FillPage. Rows come out in page order,
// and as the import's fromId cursor does, a row already seen (the same id and side) or with an id
// below the one before it is skipped. Unlike the import, every row is kept whatever its time.
//
// sym is the pair the page was requested for ("BTC-USDT"), as the import knows it: every row must
// then be of that pair (its symbol sym.Concat(), "BTCUSDT"). With sym "", each row's symbol is
// split by coach.ParseSymbol's known quote assets, which fails for a pair whose quote it does not
// know.
//
// Errors are EINVALID and no trade is returned: an invalid sym, a body that is not a JSON array
// of trades, or the first row that does not normalize (naming it), as the import refuses it.
func NormalizeTrades(body []byte, sym coach.Symbol) ([]coach.Trade, error) {
	if sym != "" && !sym.Valid() {
		return nil, coach.Errorf(coach.EINVALID, "binance trades: symbol %q is not BASE-QUOTE", wire.Clip(string(sym)))
	}
	rows, err := decodeTrades(body)
	if err != nil || !bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("[")) {
		return nil, coach.Errorf(coach.EINVALID, "binance myTrades page: not a JSON array of trades")
	}
	out := make([]coach.Trade, 0, len(rows))
	var cur cursor
	for _, r := range rows {
		if cur.seen(r) {
			continue
		}
		t, err := r.trade(sym)
		if err != nil {
			return nil, err
		}
		cur = cur.after(r)
		out = append(out, t)
	}
	return out, nil
}
