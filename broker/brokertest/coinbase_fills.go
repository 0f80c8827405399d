package brokertest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
)

// cbFill is one List Fills entry on the wire, plus the times the fake filters and sorts by.
type cbFill struct {
	EntryID            string `json:"entry_id"`
	TradeID            string `json:"trade_id"`
	OrderID            string `json:"order_id"`
	TradeTime          string `json:"trade_time"`
	TradeType          string `json:"trade_type"`
	Price              string `json:"price"`
	Size               string `json:"size"`
	Commission         string `json:"commission"`
	ProductID          string `json:"product_id"`
	SequenceTimestamp  string `json:"sequence_timestamp"`
	LiquidityIndicator string `json:"liquidity_indicator"`
	SizeInQuote        bool   `json:"size_in_quote"`
	UserID             string `json:"user_id"`
	Side               string `json:"side"`
	RetailPortfolioID  string `json:"retail_portfolio_id"`

	ts, seq time.Time
}

type cbOrder struct {
	side    coach.Side
	product coach.Symbol
}

// AddFills adds n deterministic synthetic fills spread over [FillsFrom, FillsTo) and returns the
// trades a correct client must normalize them to (ExtID the entry_id, OrderID the order_id,
// ExchangeTradeID the trade_id, Liquidity the liquidity_indicator). The mix is realistic: partial
// fills sharing an order, every 9th fill with size_in_quote, every 13th without a side (its order
// has it), every 11th with liquidity_indicator UNKNOWN_LIQUIDITY_INDICATOR, and a REVERSAL entry
// (not a trade) after every 50th.
func (f *Coinbase) AddFills(n int) []coach.Trade {
	if n <= 0 {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rng := rand.New(rand.NewPCG(f.cfg.Seed, uint64(f.fillSeq)))
	slot := f.cfg.FillsTo.Sub(f.cfg.FillsFrom) / time.Duration(n)
	if slot <= 0 {
		slot = time.Microsecond
	}
	added := make([]coach.Trade, 0, n)
	var order string
	var prev cbOrder
	for i := range n {
		k := f.fillSeq
		f.fillSeq++
		ts := f.cfg.FillsFrom.Add(time.Duration(i)*slot + time.Duration(rng.Int64N(int64(slot)))).Truncate(time.Microsecond)
		o := cbOrder{product: f.cfg.Products[rng.IntN(len(f.cfg.Products))], side: coach.Buy}
		if rng.IntN(2) == 0 {
			o.side = coach.Sell
		}
		if order != "" && rng.IntN(4) == 0 {
			o = prev // a partial fill of the same order
		} else {
			order = cbUUID(f.cfg.Seed, "order", k)
		}
		prev = o
		f.orders[order] = o
		price := decimal.NewFromFloat(wirePrice(string(o.product), ts)).Round(2)
		qty := decimal.New(1+rng.Int64N(200_000), -6)
		fee := price.Mul(qty).Mul(decimal.New(6, -3)).Round(8)
		fl := cbFill{
			EntryID:            fmt.Sprintf("%016x%016x%016x%016x", wireHash("entry", int64(f.cfg.Seed), int64(k), 1), wireHash("entry", int64(k), 2), wireHash("entry", int64(k), 3), wireHash("entry", int64(k), 4)),
			TradeID:            cbUUID(f.cfg.Seed, "trade", k),
			OrderID:            order,
			TradeTime:          ts.Format(time.RFC3339Nano),
			TradeType:          "FILL",
			Price:              price.String(),
			Size:               qty.String(),
			Commission:         fee.String(),
			ProductID:          string(o.product),
			SequenceTimestamp:  ts.Add(time.Millisecond).Format(time.RFC3339Nano),
			LiquidityIndicator: []string{"MAKER", "TAKER"}[rng.IntN(2)],
			UserID:             "3333-333333-3333333",
			Side:               string(o.side),
			RetailPortfolioID:  "4444-444444-4444444",
			ts:                 ts,
			seq:                ts.Add(time.Millisecond),
		}
		if k%9 == 4 {
			fl.SizeInQuote, fl.Size = true, qty.Mul(price).String()
		}
		if k%13 == 6 {
			fl.Side = ""
		}
		liquidity := coach.Liquidity(fl.LiquidityIndicator)
		if k%11 == 3 {
			fl.LiquidityIndicator, liquidity = "UNKNOWN_LIQUIDITY_INDICATOR", ""
		}
		f.fills = append(f.fills, fl)
		if k%50 == 25 {
			rev := fl
			rev.EntryID, rev.TradeType = fl.EntryID[:60]+"beef", "REVERSAL"
			f.fills = append(f.fills, rev)
		}
		added = append(added, coach.Trade{Broker: coach.BrokerCoinbase, ExtID: fl.EntryID, Symbol: o.product, Side: o.side,
			Qty: qty, Price: price, Fee: decimal.NewNullDecimal(fee), FeeAsset: o.product.Quote(), TS: ts,
			OrderID: order, ExchangeTradeID: fl.TradeID, Liquidity: liquidity})
	}
	slices.SortFunc(f.fills, func(a, b cbFill) int { // newest first, as Coinbase pages
		if c := b.ts.Compare(a.ts); c != 0 {
			return c
		}
		return strings.Compare(b.EntryID, a.EntryID)
	})
	f.trades = append(f.trades, added...)
	return added
}

// Trades returns every trade AddFills made, ordered by (TS, ExtID).
func (f *Coinbase) Trades() []coach.Trade {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.trades)
	wireSortTrades(out)
	return out
}

// wireSortTrades orders trades by (TS, ExtID), the order clients emit.
func wireSortTrades(ts []coach.Trade) {
	slices.SortFunc(ts, func(a, b coach.Trade) int {
		if c := a.TS.Compare(b.TS); c != 0 {
			return c
		}
		return strings.Compare(a.ExtID, b.ExtID)
	})
}

func cbUUID(seed uint64, kind string, k int) string {
	a, b := wireHash(kind, int64(seed), int64(k)), wireHash(kind, int64(k), int64(seed)+1)
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, uint16(b>>48)&0xfff, b&0xffffffffffff)
}

// listFills is GET /orders/historical/fills: product_ids (repeated), start/end sequence
// timestamps (exclusive), limit (default 100), and an offset cursor; "" on the last page.
func (f *Coinbase) listFills(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var start, end time.Time
	var err error
	if v := q.Get("start_sequence_timestamp"); v != "" {
		if start, err = time.Parse(time.RFC3339Nano, v); err != nil {
			cbError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "start_sequence_timestamp is invalid")
			return
		}
	}
	if v := q.Get("end_sequence_timestamp"); v != "" {
		if end, err = time.Parse(time.RFC3339Nano, v); err != nil {
			cbError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "end_sequence_timestamp is invalid")
			return
		}
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			cbError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "limit is invalid")
			return
		}
	}
	limit = min(limit, f.cfg.MaxPageSize)
	off := 0
	if v := q.Get("cursor"); v != "" {
		if off, err = strconv.Atoi(v); err != nil || off < 0 {
			cbError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "cursor is invalid")
			return
		}
	}
	products := q["product_ids"]
	f.mu.Lock()
	var match []cbFill
	for _, fl := range f.fills {
		if (len(products) == 0 || slices.Contains(products, fl.ProductID)) &&
			(start.IsZero() || fl.seq.After(start)) && (end.IsZero() || fl.seq.Before(end)) {
			match = append(match, fl)
		}
	}
	f.mu.Unlock()
	page := []cbFill{}
	next := ""
	if off < len(match) {
		page = match[off:min(off+limit, len(match))]
		if off+limit < len(match) {
			next = strconv.Itoa(off + limit)
		}
	}
	wireJSON(w, http.StatusOK, map[string]any{"fills": page, "cursor": next})
}

// getOrder is GET /orders/historical/{order_id}, with the fields a fills client needs.
func (f *Coinbase) getOrder(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("order_id")
	f.mu.Lock()
	o, ok := f.orders[id]
	f.mu.Unlock()
	if !ok {
		cbError(w, http.StatusNotFound, "NOT_FOUND", "order with this orderID was not found")
		return
	}
	wireJSON(w, http.StatusOK, map[string]any{"order": map[string]string{
		"order_id": id, "product_id": string(o.product), "side": string(o.side), "status": "FILLED",
	}})
}
