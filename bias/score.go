package bias

import (
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// Score labels trades using only candles that closed at or before each fill, and measures the
// account. It is Prepare followed by Market.Score; to score several trade lists against the same
// candles, call Prepare once.
//
// Trades must be one trader's, with distinct ids (ID, or ExtID when ID is empty), and valid
// (positive quantity and price, a known side, a canonical symbol, TS from 1970 to 2261): any other
// trade is EINVALID, naming it. They may come in any order. Candles may be unsorted, repeated,
// invalid or have gaps: Prepare drops what it cannot use and reports it in Result.Data.
func Score(trades []coach.Trade, candles CandleSeries, cfg Config) (Result, error) {
	m, err := Prepare(candles, cfg)
	if err != nil {
		return Result{}, err
	}
	return m.Score(trades)
}

// Score labels every trade; see the package function Score.
func (m *Market) Score(trades []coach.Trade) (Result, error) {
	return m.ScoreSince(trades, time.Time{})
}

// ScoreSince labels the trades at or after from. Earlier trades are history: they feed the
// ledger, the positions and the trader's own baselines, but get no label and no skip, and the
// account metrics measure only the trades from from on. A zero from labels every trade.
func (m *Market) ScoreSince(trades []coach.Trade, from time.Time) (Result, error) {
	return m.scoreSince(trades, from, true)
}

// scoreSince is ScoreSince; without evidence, the tags (but for DISCIPLINE on a closed
// position's entries) have no Features, which then cost nothing to leave out.
func (m *Market) scoreSince(trades []coach.Trade, from time.Time, evidence bool) (Result, error) {
	s, err := m.newScorer(trades, from)
	if err != nil {
		return Result{}, err
	}
	s.bare = !evidence
	if err := s.applyLedger(); err != nil {
		s.release()
		return Result{}, err
	}
	s.scoreOrders()
	s.finish()
	s.release()
	return s.res, nil
}

// scratch is the memory of one scoring run that does not outlive it, pooled so that scoring many
// trade lists does not fault in fresh pages for every list.
type scratch struct {
	fills  []fill
	order  []int32
	hashes []uint64
	tmp    []uint64 // repeatedHash's buckets
	counts []int32
	closes []closed
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// release returns the scratch memory to the pool, dropping its references to the caller's trades.
func (s *scorer) release() {
	clear(s.fills)
	clear(s.scratch.closes)
	s.scratch.fills, s.scratch.order, s.scratch.hashes = s.fills[:0], s.scratch.order[:0], s.scratch.hashes[:0]
	s.scratch.closes = s.scratch.closes[:0]
	scratchPool.Put(s.scratch)
	s.scratch, s.fills = nil, nil
}

// fill is a trade converted once for scoring.
type fill struct {
	t        *coach.Trade
	key      string // tag TradeID: ID, or ExtID when ID is empty
	sym      int32  // index into scorer.syms
	buy      bool
	ts       int64 // Unix nanoseconds
	qty      float64
	price    float64
	notional float64
	baseFee  float64 // fee charged in the base asset, in base units (0 otherwise)
	feeQuote float64 // fee in the quote asset; NaN when unknown or not convertible
}

// symState is the scorer's running state of one symbol.
type symState struct {
	sym   coach.Symbol
	quote string
	// held is the quantity held as the trades show it, and cost its total cost including buy
	// fees (Odean's average-cost reference price is cost/held); paid is its cost without fees
	// (paid/held is the entry price a stop or target rule is set from).
	held, cost, paid float64
	// opened is when the position (held > 0) was opened, and entries its entry orders that kept
	// the trader's rules and were questioned by no label, waiting for its exit (DISCIPLINE).
	opened  int64
	entries []pendingEntry
	// main is whether the symbol's quote is the account's money quote (Overtrading.Quote).
	main bool
	// measured counts the symbol's trades being measured; sizes is the entry-size window of its
	// quote asset.
	measured int
	sizes    *sizeWindow
	// frame is the symbol's candles, and hint where its last trade's bar was.
	frame  *frame
	hint   int
	turn   symTurnover
	moment symMoment
	// pos numbers the symbol's current position (from a buy with nothing held until sold out),
	// the cluster of the account metrics' standard errors.
	pos int32
}

// scorer is one run of ScoreSince.
type scorer struct {
	m         *Market
	cfg       *Config
	from      int64
	fills     []fill // in trade order
	scratch   *scratch
	trades    []coach.Trade
	sorted    bool // whether trades are in trade order already
	syms      []symState
	ledger    *ledger.Result
	closes    []closed // the ledger's closing fills, in ledger order
	ri, ui    int      // cursors into closes and ledger.Uncovered
	sells     int
	positions int32 // positions opened so far (symState.pos)
	lastSym   int32 // the symbol of the trade converted last: consecutive trades often share it
	lastSymOK bool
	buf       []byte
	bare      bool // build no Features (ScoreRequest.AccountOnly)
	res       Result
	tagAt     int // index in res.Tags of the current trade's first tag

	decided decisions // of the current order, for DISCIPLINE
	order   *order    // the order being scored
	late    bool      // a tag was added to an earlier order (DISCIPLINE on a closed position's entry)
	// lateTags are the tags of earlier orders the current one decided (scoreOrders adds them).
	lateTags []coach.BiasTag
	sizes    map[string]*sizeWindow
	rev      revengeState
	chase    chaseState
	hold     holdState
	disp     dispState
	over     overState
	turn     turnState
}

// maxTS bounds trade times: time.Time.UnixNano is defined up to 2262.
var maxTS = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)

// newScorer validates and converts trades, in trade order.
func (m *Market) newScorer(trades []coach.Trade, from time.Time) (*scorer, error) {
	sc := scratchPool.Get().(*scratch)
	if cap(sc.fills) < len(trades) {
		sc.fills = make([]fill, len(trades))
		sc.order = make([]int32, len(trades))
	}
	s := &scorer{
		m:       m,
		cfg:     &m.cfg,
		from:    math.MinInt64,
		scratch: sc,
		fills:   sc.fills[:len(trades)],
		sizes:   map[string]*sizeWindow{},
		res:     Result{Version: m.cfg.Version, Data: m.data, Tags: []coach.BiasTag{}, Skipped: []Skip{}},
	}
	s.res.Ledger.Method = ledger.FIFO.String()
	if !from.IsZero() {
		s.from = from.UnixNano()
		if from.Before(time.Unix(0, 0)) {
			s.from = math.MinInt64
		}
	}
	order := sc.order[:len(trades)]
	sorted := true
	for i := range order {
		order[i] = int32(i)
		if i > 0 && coach.CompareTrades(&trades[i-1], &trades[i]) > 0 {
			sorted = false
		}
	}
	s.trades, s.sorted = trades, sorted
	if !sorted {
		slices.SortStableFunc(order, func(a, b int32) int { return coach.CompareTrades(&trades[a], &trades[b]) })
	}
	symIdx := map[coach.Symbol]int32{}
	hashes := sc.hashes[:0]
	seed := maphash.MakeSeed()
	for k, i := range order {
		t := &trades[i]
		f := &s.fills[k]
		if err := s.convert(t, f, symIdx); err != nil {
			s.release()
			return nil, err
		}
		hashes = append(hashes, maphash.String(seed, f.key))
		if f.ts >= s.from {
			s.syms[f.sym].measured++
		}
		if !f.buy {
			s.sells++
		}
	}
	sc.hashes = hashes
	// Ids are distinct when their hashes are; a repeated hash is checked exactly.
	var repeated bool
	repeated, sc.tmp, sc.counts = repeatedHash(hashes, sc.tmp, sc.counts)
	if repeated {
		if err := noRepeats(s.fills); err != nil {
			s.release()
			return nil, err
		}
	}
	quotes := map[string]int{}
	for i := range s.syms {
		quotes[s.syms[i].quote] += s.syms[i].measured
	}
	s.turn.quote = mainQuote(quotes)
	for i := range s.syms {
		s.syms[i].main = s.syms[i].quote == s.turn.quote
		s.syms[i].sizes = s.sizeWindow(s.syms[i].quote)
		s.syms[i].frame = m.frames[s.syms[i].sym]
	}
	s.buf = nil // the first tag allocates a chunk (see features)
	return s, nil
}

// noRepeats reports the first id given twice among fills.
func noRepeats(fills []fill) error {
	ids := make(map[string]struct{}, len(fills))
	for i := range fills {
		if _, dup := ids[fills[i].key]; dup {
			return coach.Errorf(coach.EINVALID, "trade %s: given twice", clipped(fills[i].key))
		}
		ids[fills[i].key] = struct{}{}
	}
	return nil
}

// convert checks t and fills f.
func (s *scorer) convert(t *coach.Trade, f *fill, symIdx map[coach.Symbol]int32) error {
	key := t.ID
	if key == "" {
		key = t.ExtID
	}
	bad := func(field, want string) error {
		return coach.Errorf(coach.EINVALID, "trade %s: %s: %s", clipped(key), field, want)
	}
	switch {
	case key == "":
		return coach.Errorf(coach.EINVALID, "trade: id or extId required")
	case t.Side != coach.Buy && t.Side != coach.Sell:
		return bad("side", "want BUY or SELL")
	case t.Qty.Sign() <= 0:
		return bad("qty", "must be positive")
	case t.Price.Sign() <= 0:
		return bad("price", "must be positive")
	case t.Fee.Valid && t.Fee.Decimal.Sign() < 0:
		return bad("fee", "must not be negative")
	case t.TS.Before(time.Unix(0, 0)) || !t.TS.Before(maxTS):
		return bad("ts", "must be from 1970 to 2261")
	}
	idx, ok := s.lastSym, s.lastSymOK && s.syms[s.lastSym].sym == t.Symbol
	if !ok {
		idx, ok = symIdx[t.Symbol]
	}
	if !ok {
		if !t.Symbol.Valid() {
			return bad("symbol", "not BASE-QUOTE")
		}
		idx = int32(len(s.syms))
		symIdx[t.Symbol] = idx
		s.syms = append(s.syms, symState{sym: t.Symbol, quote: t.Symbol.Quote()})
	}
	s.lastSym, s.lastSymOK = idx, true
	qty, price := t.Qty.InexactFloat64(), t.Price.InexactFloat64()
	if !finitePos(qty) || !finitePos(price) || !finitePos(float64(qty*price)) {
		return bad("qty and price", "out of range")
	}
	*f = fill{
		t: t, key: key, sym: idx, buy: t.Side == coach.Buy, ts: t.TS.UnixNano(),
		qty: qty, price: price, notional: float64(qty * price), feeQuote: math.NaN(),
	}
	if t.Fee.Valid {
		fee := t.Fee.Decimal.InexactFloat64()
		if math.IsInf(fee, 0) {
			return bad("fee", "out of range")
		}
		sym := s.syms[idx].sym
		switch t.FeeAsset {
		case sym.Quote():
			f.feeQuote = fee
		case sym.Base():
			f.baseFee = fee
			f.feeQuote = float64(fee * price)
		case "":
			if fee != 0 {
				return bad("feeAsset", "required with a non-zero fee")
			}
			f.feeQuote = 0
		default:
			if fee == 0 {
				f.feeQuote = 0
			} else if p, ok := s.m.closeBefore(coach.Symbol(t.FeeAsset+"-"+sym.Quote()), f.ts); ok {
				f.feeQuote = float64(fee * p)
			}
		}
	}
	return nil
}

// applyLedger runs the trade ledger (FIFO lot matching) over the trades, converting third-asset
// fees with the candles.
func (s *scorer) applyLedger() error {
	trades := s.trades
	if !s.sorted {
		trades = make([]coach.Trade, len(s.fills))
		for k := range s.fills {
			trades[k] = *s.fills[k].t
		}
	}
	// The ledger's closing fills as floats: a ledger.Realized would cost eight allocations.
	closes := s.scratch.closes[:0]
	if cap(closes) < s.sells {
		closes = make([]closed, 0, s.sells) // at most one per sell: never grown
	}
	l := &ledger.Ledger{Method: ledger.FIFO, FeePrices: s.feePrice, Brief: func(b ledger.RealizedBrief) {
		closes = append(closes, closed{key: b.TradeID, sale: sale{
			known: true, pnl: b.PnL, cost: b.CostBasis, hold: b.HoldingPeriod.Seconds(), feesUnknown: b.FeesUnknown,
		}})
	}}
	r, err := l.Apply(trades)
	s.scratch.closes, s.closes = closes, closes
	if r == nil {
		return err
	}
	for _, e := range r.Errors {
		if e.Skipped {
			return err
		}
	}
	s.ledger = r
	s.res.Ledger.UnknownFees = len(r.UnknownFees)
	s.res.Ledger.UnconvertedFees = len(r.Errors)
	s.res.Ledger.UncoveredSells = len(r.Uncovered)
	return nil
}

// feePrice values one unit of asset in quote at the close of the last bar of ASSET-QUOTE that
// closed at or before at.
func (s *scorer) feePrice(asset, quote string, at time.Time) (decimal.Decimal, bool) {
	p, ok := s.m.closeBefore(coach.Symbol(asset+"-"+quote), at.UnixNano())
	if !ok {
		return decimal.Decimal{}, false
	}
	return decimal.NewFromFloat(p), true
}

// closeBefore returns the close of sym's bar that closed just before ts.
func (m *Market) closeBefore(sym coach.Symbol, ts int64) (float64, bool) {
	b, _ := m.barBefore(sym, ts)
	if b == nil {
		return 0, false
	}
	return b.close, true
}

// sale is what the ledger says about one sell.
type sale struct {
	known       bool    // some of the sell closed holdings the trades show
	pnl, cost   float64 // realized P/L net of fees, and the cost basis of the matched lots
	hold        float64 // quantity-weighted holding period, seconds
	uncovered   bool    // part of the sell exceeded the holdings
	feesUnknown bool
}

// closed is a closing fill as the ledger reported it.
type closed struct {
	key  string // the fill's TradeID
	sale sale
}

// saleOf reads the ledger's entries for the sell f, which is next in ledger order.
func (s *scorer) saleOf(f *fill) sale {
	var sl sale
	if s.ri < len(s.closes) && s.closes[s.ri].key == f.key {
		sl = s.closes[s.ri].sale
		s.ri++
	}
	if s.ui < len(s.ledger.Uncovered) && s.ledger.Uncovered[s.ui].TradeID == f.key {
		s.ui++
		sl.uncovered = true
	}
	return sl
}

// step scores the order f (its fills merged by scoreOrders; sl is its sale when it sells) and
// updates the running state.
func (s *scorer) step(f *fill, sl sale) {
	in := f.ts >= s.from
	s.tagAt = len(s.res.Tags)
	s.decided = decisions{}
	st := &s.syms[f.sym]
	if in {
		s.res.Account.Trades++
	}
	s.turn.advance(s, f.ts, in)
	s.over.order(s, f, in)
	if f.buy {
		if in {
			s.fomo(f)
		}
		s.revenge(f, in)
		s.lossChasing(f, in)
		st.sizes.push(f.notional)
		s.turn.buy(st, f, in)
		held := f.qty - f.baseFee
		fee := f.feeQuote
		if math.IsNaN(fee) {
			fee = 0
		}
		if st.held == 0 {
			st.opened, st.entries = f.ts, st.entries[:0]
		}
		st.cost += float64(f.qty*f.price) + fee
		if !(st.held > 0) {
			s.positions++
			st.pos = s.positions
		}
		st.paid += f.notional
		st.held += held
	} else {
		heldBefore := st.held
		out := f.qty + f.baseFee
		exit := s.exitOf(f, st, sl)
		if in {
			s.panicSell(f, sl, heldBefore, exit)
			s.disposition(f, st)
			s.holdingLosers(f, sl, exit, st)
		}
		s.rev.sold(s, f, sl)
		s.chase.sold(sl, st.pos)
		s.turn.sell(st, f, out, in)
		if heldBefore > 0 {
			covered := min(out, heldBefore)
			st.cost -= float64(st.cost * (covered / heldBefore))
			st.paid -= float64(st.paid * (covered / heldBefore))
			st.held -= covered
			if st.held <= 1e-9*heldBefore {
				st.held, st.cost, st.paid = 0, 0, 0
			}
		}
		if in {
			s.disciplineExit(f, exit)
		}
		if st.held == 0 {
			s.closePosition(st, exit)
		}
		return
	}
	if in {
		s.disciplineEntry(f, st)
	}
}

// finish closes the running periods and computes the account metrics.
func (s *scorer) finish() {
	s.disp.finalize(s)
	s.turn.finish(s)
	s.over.finish(s)
	a := &s.res.Account
	a.Disposition = s.disp.account(s.cfg)
	a.LossChasing = s.chase.metric(s.cfg)
	a.HoldingLosers = s.hold.metric(s.cfg)
	a.Windows = s.accountWindows()
}

// tag appends a tag of label to the current trade, with features built by write.
func (s *scorer) tag(f *fill, label string, conf float64, features []byte) {
	s.decided.fired = true
	if label != coach.LabelOvertrading && label != coach.LabelDiscipline {
		s.decided.questioned = true
	}
	s.res.Tags = append(s.res.Tags, coach.BiasTag{
		UserID: f.t.UserID, TradeID: f.key, Label: label, Confidence: conf, Features: features,
	})
}

// skip records that label could not be decided for f.
func (s *scorer) skip(f *fill, label, cause, reason string) {
	s.res.Skipped = append(s.res.Skipped, Skip{TradeID: f.key, Label: label, Cause: cause, Reason: reason})
	s.decided.skip(label, cause, reason)
}

// sortLabels orders one trade's tags by label (a handful: insertion sort).
func sortLabels(tags []coach.BiasTag) {
	for i := 1; i < len(tags); i++ {
		for j := i; j > 0 && tags[j].Label < tags[j-1].Label; j-- {
			tags[j], tags[j-1] = tags[j-1], tags[j]
		}
	}
}

// mainQuote returns the quote asset with the most trades, the alphabetically first on a tie.
func mainQuote(counts map[string]int) string {
	best, n := "", 0
	for q, c := range counts {
		if c > n || c == n && q < best {
			best, n = q, c
		}
	}
	return best
}

func finitePos(x float64) bool { return x > 0 && !math.IsInf(x, 0) }

// clipped shortens an id quoted in an error message.
func clipped(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
