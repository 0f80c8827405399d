package brokertest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
)

// bnTrade is one myTrades entry on the wire, plus the trade it stands for.
type bnTrade struct {
	Symbol          string `json:"symbol"`
	ID              int64  `json:"id"`
	OrderID         int64  `json:"orderId"`
	OrderListID     int64  `json:"orderListId"`
	Price           string `json:"price"`
	Qty             string `json:"qty"`
	QuoteQty        string `json:"quoteQty"`
	Commission      string `json:"commission"`
	CommissionAsset string `json:"commissionAsset"`
	Time            int64  `json:"time"`
	IsBuyer         bool   `json:"isBuyer"`
	IsMaker         bool   `json:"isMaker"`
	IsBestMatch     bool   `json:"isBestMatch"`

	want coach.Trade
	seq  int // the order AddFills made it in
}

// bnMaxWindow is the longest startTime–endTime span myTrades accepts.
const bnMaxWindow = 24 * time.Hour

// AddFills adds n deterministic synthetic trades spread over [FillsFrom, FillsTo) across the
// fake's symbols and returns the trades a correct client must normalize them to (ExtID
// "SYMBOL:id:B|S", ExchangeTradeID the id, OrderID the orderId, Liquidity from isMaker). Trade
// ids grow with time per symbol, so they are reassigned on every call:
// Trades() is authoritative. Commissions rotate between the quote asset, the base asset and BNB;
// every 97th trade is a self-trade (both sides, one id).
func (f *Binance) AddFills(n int) []coach.Trade {
	if n <= 0 {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rng := rand.New(rand.NewPCG(f.cfg.Seed, uint64(f.made)+1))
	slot := f.cfg.FillsTo.Sub(f.cfg.FillsFrom) / time.Duration(n)
	if slot < time.Millisecond {
		slot = time.Millisecond
	}
	var added []*bnTrade
	for i := range n {
		k := f.made
		f.made++
		ts := f.cfg.FillsFrom.Add(time.Duration(i)*slot + time.Duration(rng.Int64N(int64(slot)))).Truncate(time.Millisecond)
		sym := f.cfg.Symbols[rng.IntN(len(f.cfg.Symbols))]
		price := decimal.NewFromFloat(wirePrice(sym.Concat(), ts)).Round(bnPriceDigits(sym))
		qty := decimal.New(1+rng.Int64N(5_000_000), -8)
		quote := qty.Mul(price)
		var fee decimal.Decimal
		var feeAsset string
		switch k % 3 {
		case 0:
			fee, feeAsset = quote.Mul(decimal.New(1, -3)).Round(8), sym.Quote()
		case 1:
			fee, feeAsset = qty.Mul(decimal.New(1, -3)).Round(8), sym.Base()
		default:
			bnb := decimal.NewFromFloat(wirePrice("BNB"+sym.Quote(), ts))
			fee, feeAsset = quote.Mul(decimal.New(75, -5)).Div(bnb).Round(8), "BNB"
		}
		t := bnTrade{
			Symbol: sym.Concat(), OrderID: int64(wireHash("order", int64(f.cfg.Seed), int64(k)) >> 20), OrderListID: -1,
			Price: price.StringFixed(8), Qty: qty.StringFixed(8), QuoteQty: quote.StringFixed(8),
			Commission: fee.StringFixed(8), CommissionAsset: feeAsset, Time: ts.UnixMilli(),
			IsBuyer: rng.IntN(2) == 0, IsMaker: rng.IntN(2) == 0, IsBestMatch: true,
		}
		t.seq = 2 * k
		t.want = coach.Trade{Broker: coach.BrokerBinance, Symbol: sym, Side: bnSide(t.IsBuyer), Qty: qty, Price: price,
			Fee: decimal.NewNullDecimal(fee), FeeAsset: feeAsset, TS: ts,
			OrderID: strconv.FormatInt(t.OrderID, 10), Liquidity: bnLiquidity(t.IsMaker)}
		added = append(added, &t)
		if k%97 == 48 {
			other := t
			other.IsBuyer, other.IsMaker = !t.IsBuyer, !t.IsMaker
			other.want.Side, other.want.Liquidity = bnSide(other.IsBuyer), bnLiquidity(other.IsMaker)
			other.seq = 2*k + 1
			added = append(added, &other)
		}
	}
	return f.merge(added)
}

// AddTrades adds the given trades (a demo persona's fills, say) as the account's fills, and
// returns them as a correct client must normalize them: ExtID "SYMBOL:id:B|S", ExchangeTradeID
// the id the fake gives, OrderID the trade's when it is a number (else a number derived from
// it; a fill without one gets an order of its own), Liquidity as given (taker when unknown), the fee as given (a zero fee in the quote asset
// when unknown). Their symbols must be among BinanceConfig.Symbols for discovery to find them.
func (f *Binance) AddTrades(trades []coach.Trade) []coach.Trade {
	f.mu.Lock()
	defer f.mu.Unlock()
	added := make([]*bnTrade, 0, len(trades))
	for _, in := range trades {
		k := f.made
		f.made++
		// A fill without an order id is an order of its own; fills sharing one stay one order.
		order, err := strconv.ParseInt(in.OrderID, 10, 64)
		switch {
		case in.OrderID == "":
			order = int64(wireHash("order", int64(f.cfg.Seed), int64(k)) >> 20)
		case err != nil || order <= 0:
			order = int64(wireHash("order:"+in.OrderID) >> 20)
		}
		fee, feeAsset := decimal.Zero, in.Symbol.Quote()
		if in.Fee.Valid {
			fee, feeAsset = in.Fee.Decimal, in.FeeAsset
		}
		ts := in.TS.UTC().Truncate(time.Millisecond)
		t := bnTrade{
			Symbol: in.Symbol.Concat(), OrderID: order, OrderListID: -1,
			Price: in.Price.StringFixed(8), Qty: in.Qty.StringFixed(8), QuoteQty: in.Qty.Mul(in.Price).StringFixed(8),
			Commission: fee.StringFixed(8), CommissionAsset: feeAsset, Time: ts.UnixMilli(),
			IsBuyer: in.Side == coach.Buy, IsMaker: in.Liquidity == coach.Maker, IsBestMatch: true, seq: 2 * k,
		}
		t.want = coach.Trade{Broker: coach.BrokerBinance, Symbol: in.Symbol, Side: in.Side, Qty: in.Qty, Price: in.Price,
			Fee: decimal.NewNullDecimal(fee), FeeAsset: feeAsset, TS: ts, OrderID: strconv.FormatInt(order, 10),
			Liquidity: bnLiquidity(t.IsMaker)}
		added = append(added, &t)
	}
	return f.merge(added)
}

// merge adds trades to the fake's fills and gives ids in time order per symbol (a self-trade's
// two sides share one id); it returns the added trades as normalized, in the order given. The
// caller holds f.mu.
func (f *Binance) merge(added []*bnTrade) []coach.Trade {
	for _, t := range added {
		f.trades[t.Symbol] = append(f.trades[t.Symbol], *t)
	}
	for sym, ts := range f.trades {
		sort.SliceStable(ts, func(i, j int) bool { return ts[i].Time < ts[j].Time })
		id := int64(wireHash(sym)%1_000_000) + 1
		for i := range ts {
			if i > 0 && !ts[i].selfTradeOf(ts[i-1]) {
				id++
			}
			ts[i].ID = id
			ts[i].want.ExtID = fmt.Sprintf("%s:%d:%s", ts[i].Symbol, id, string(ts[i].want.Side)[:1])
			ts[i].want.ExchangeTradeID = strconv.FormatInt(id, 10)
		}
	}
	bySeq := map[int]coach.Trade{}
	for _, ts := range f.trades {
		for _, t := range ts {
			bySeq[t.seq] = t.want
		}
	}
	out := make([]coach.Trade, 0, len(added))
	for _, t := range added {
		out = append(out, bySeq[t.seq])
	}
	return out
}

// selfTradeOf reports whether t is the other side of prev (same time, order and amounts).
func (t bnTrade) selfTradeOf(prev bnTrade) bool {
	return t.Time == prev.Time && t.OrderID == prev.OrderID && t.Qty == prev.Qty && t.IsBuyer != prev.IsBuyer
}

func bnLiquidity(isMaker bool) coach.Liquidity {
	if isMaker {
		return coach.Maker
	}
	return coach.Taker
}

func bnSide(isBuyer bool) coach.Side {
	if isBuyer {
		return coach.Buy
	}
	return coach.Sell
}

// bnPriceDigits is the tick of the synthetic prices: cents for fiat-like quotes, 6 digits for BTC.
func bnPriceDigits(sym coach.Symbol) int32 {
	if sym.Quote() == "BTC" || sym.Quote() == "ETH" || sym.Quote() == "BNB" {
		return 6
	}
	return 2
}

// Trades returns every trade AddFills made, ordered by (TS, ExtID).
func (f *Binance) Trades() []coach.Trade {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []coach.Trade
	for _, ts := range f.trades {
		for _, t := range ts {
			out = append(out, t.want)
		}
	}
	wireSortTrades(out)
	return out
}

// myTrades is GET /api/v3/myTrades (signed, weight 20).
func (f *Binance) myTrades(w http.ResponseWriter, q url.Values) {
	name := q.Get("symbol")
	if name == "" {
		bnError(w, http.StatusBadRequest, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.")
		return
	}
	if _, ok := f.symbol(name); !ok {
		bnError(w, http.StatusBadRequest, -1121, "Invalid symbol.")
		return
	}
	start, hasStart, ok1 := bnInt(q, "startTime")
	end, hasEnd, ok2 := bnInt(q, "endTime")
	fromID, hasFrom, ok3 := bnInt(q, "fromId")
	limit, hasLimit, ok4 := bnInt(q, "limit")
	switch {
	case !ok1 || !ok2 || !ok3 || !ok4:
		bnError(w, http.StatusBadRequest, -1100, "Illegal characters found in a parameter.")
		return
	case hasFrom && (hasStart || hasEnd):
		bnError(w, http.StatusBadRequest, -1128, "Combination of optional parameters invalid.")
		return
	case hasStart && hasEnd && (end < start || time.Duration(end-start)*time.Millisecond > bnMaxWindow):
		bnError(w, http.StatusBadRequest, -1127, "More than 24 hours between startTime and endTime.")
		return
	case hasLimit && (limit < 1 || limit > 1000):
		bnError(w, http.StatusBadRequest, -1100, "Illegal characters found in parameter 'limit'; legal range is '1' to '1000'.")
		return
	}
	if !hasLimit {
		limit = 500
	}
	if hasStart && !hasEnd {
		end = start + bnMaxWindow.Milliseconds()
	}
	if hasEnd && !hasStart {
		start = end - bnMaxWindow.Milliseconds()
	}
	f.mu.Lock()
	all := f.trades[name]
	var sel []bnTrade
	switch {
	case hasFrom:
		i := sort.Search(len(all), func(i int) bool { return all[i].ID >= fromID })
		sel = all[i:min(i+int(limit), len(all))]
	case hasStart || hasEnd:
		i := sort.Search(len(all), func(i int) bool { return all[i].Time >= start })
		j := sort.Search(len(all), func(i int) bool { return all[i].Time > end })
		sel = all[i:min(i+int(limit), j)]
	default:
		sel = all[max(0, len(all)-int(limit)):]
	}
	sel = slices.Clone(sel)
	f.mu.Unlock()
	if sel == nil {
		sel = []bnTrade{}
	}
	wireJSON(w, http.StatusOK, sel)
}
