package sim

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
)

// Input is everything a simulation reads. Run does not modify it.
type Input struct {
	// Trades are one user's fills, in any order, each with a distinct ID (or ExtID when the ID is
	// empty). Only those with TS in [Params.From, Params.To) are simulated.
	Trades []coach.Trade
	// Tags are the trades' bias labels (TradeID names a trade by ID, or ExtID when it has none).
	// Tags of other trades are ignored.
	Tags []coach.BiasTag
	// Candles are the market data of the symbols traded, of any order and of several symbols;
	// see the package doc for which are used.
	Candles []coach.Candle
	// Rules are the trader's rules (followRule); see Scenario.RuleIDs.
	Rules []coach.Rule
	// Location is the trader's time zone, for the days of the rules (nil: UTC).
	Location *time.Location
	// FeePrices converts fees charged in a third asset (BNB) to the quote asset; Run may call it
	// from several goroutines at once. Nil values them at the close of the last candle of
	// ASSET-QUOTE among Candles that closed at or before the fill.
	FeePrices ledger.PriceLookup
	// Converter, when set, converts both books into a reporting currency (Result.InCurrency)
	// through its own candles. The Data hashes do not cover those candles: the Service keys its
	// cache on them besides (CacheKey).
	Converter *ledger.Converter

	Scenario Scenario
	Params   Params
}

// run is one simulation in progress.
type run struct {
	in        *Input
	p         Params
	sc        Scenario
	from, to  int64
	feePrices ledger.PriceLookup

	fills  []fill
	byKey  map[string]int32
	syms   []symbol
	quotes []string // in order of first appearance
	cs     *candleSet
	serie  []*series // by symbol index; nil without candles

	sel  selection
	plan plan
	res  Result
}

// Run simulates in.Scenario over the trades of the window and returns the actual and the
// counterfactual P/L, equity curves, the changes made and the hashes of the data used. It is pure
// and deterministic: the same Input gives the same Result, bit for bit.
//
// Errors: EINVALID for an invalid scenario or parameters, trades of several users, two trades
// with the same id, or a trade the ledger cannot take (a bad side, quantity, price, symbol or
// fee); ENOTFOUND for a rule id of the scenario that is not among in.Rules.
//
// Run hashes the candles on a second goroutine while it simulates, and runs the ledger of the
// actual fills on another: the result does not depend on how they interleave.
func Run(in Input) (Result, error) {
	hashed := make(chan string, 1)
	r, err := newRun(&in, hashed)
	if err != nil {
		return Result{}, err
	}
	res, err := r.finish()
	sum := <-hashed
	if err != nil {
		return Result{}, err
	}
	res.Data.CandlesSHA256 = sum
	return res, nil
}

// newRun validates the input, selects and converts the trades and candles, and hashes the
// trades: everything a cache key needs but the candles' hash, before the simulation proper. With
// hashed not nil it also hashes the candles, on a goroutine of its own that sends the hash to
// hashed, which must be buffered so that the goroutine ends even if nobody receives.
func newRun(in *Input, hashed chan<- string) (*run, error) {
	if err := in.Scenario.Validate(); err != nil {
		return nil, err
	}
	if err := in.Params.Validate(); err != nil {
		return nil, err
	}
	r := &run{in: in, p: in.Params.canonical(), sc: in.Scenario.canonical()}
	r.from, r.to = r.p.From.UnixNano(), r.p.To.UnixNano()
	if err := r.loadFills(in.Trades, r.p.From, r.p.To); err != nil {
		return nil, err
	}
	want := make(map[coach.Symbol]bool, len(r.syms))
	for _, s := range r.syms {
		want[s.sym] = true
	}
	for i := range r.fills {
		t := r.fills[i].t
		s := &r.syms[r.fills[i].sym]
		if t.FeeAsset != "" && t.FeeAsset != s.base && t.FeeAsset != s.quote {
			want[coach.Symbol(t.FeeAsset+"-"+s.quote)] = true
		}
	}
	r.cs = cleanCandles(in.Candles, want, r.p.Interval, r.p.To)
	if hashed != nil {
		go func(cs *candleSet) { hashed <- hashSet(cs) }(r.cs)
	}
	r.serie = make([]*series, len(r.syms))
	for i, s := range r.syms {
		r.serie[i] = r.cs.bySym[s.sym]
	}
	r.feePrices = in.FeePrices
	if r.feePrices == nil {
		r.feePrices = r.candleFeePrice
	}
	// Fees in a third asset are valued now that the candles are known.
	for i := range r.fills {
		f := &r.fills[i]
		s := &r.syms[f.sym]
		if t := f.t; t.FeeAsset != "" && t.FeeAsset != s.base && t.FeeAsset != s.quote {
			if q, ok := r.feeQuote(t, s); ok {
				f.feeF = q.InexactFloat64()
			}
		}
	}
	if err := r.selectScenario(); err != nil {
		return nil, err
	}
	r.res = Result{
		Version:  Version,
		Scenario: r.sc,
		From:     r.p.From,
		To:       r.p.To,
		Data: Data{
			Trades:  len(r.fills),
			Candles: r.cs.count(),
			Dropped: r.cs.dropped,
		},
	}
	r.res.Data.TradesSHA256 = r.hashTrades()
	return r, nil
}

// candleFeePrice is the default ledger.PriceLookup: the close of the last candle of ASSET-QUOTE
// that closed at or before at.
func (r *run) candleFeePrice(asset, quote string, at time.Time) (decimal.Decimal, bool) {
	s := r.cs.bySym[coach.Symbol(asset+"-"+quote)]
	if s == nil {
		return decimal.Decimal{}, false
	}
	i := s.lastClosed(at.UnixNano())
	if i < 0 {
		return decimal.Decimal{}, false
	}
	return decimal.NewFromFloat(s.bars[i].Close), true
}

// finish simulates the scenario and fills in the result.
func (r *run) finish() (Result, error) {
	actual := make(chan ledgerResult, 1)
	go func() {
		res, err := r.ledger().Apply(r.actualTrades())
		actual <- ledgerResult{res, err}
	}()
	return r.simulate(actual)
}

// ledgerResult is what ledger.Ledger.Apply returned.
type ledgerResult struct {
	res *ledger.Result
	err error
}

// ledger returns the ledger both books are run through.
func (r *run) ledger() *ledger.Ledger {
	return &ledger.Ledger{Method: ledger.FIFO, FeePrices: r.feePrices}
}

// simulate applies the scenario and computes the result, with the ledger of the actual fills
// from actual.
func (r *run) simulate(actual <-chan ledgerResult) (Result, error) {
	r.plan = newPlan(len(r.fills))
	switch r.sc.Kind {
	case KindSkipLabel, KindNoRevenge:
		r.skipLabelled()
	case KindHoldInstead:
		r.holdLabelled()
	case KindFollowRule:
		if err := r.followRules(); err != nil {
			return Result{}, err
		}
	}
	cf, legs := r.counterfactual()
	a := <-actual
	if a.res == nil {
		return Result{}, a.err
	}
	if err := r.pnl(a.res, cf); err != nil {
		return Result{}, err
	}
	r.equity(legs)
	r.res.Changes = r.plan.sortedChanges()
	return r.res, nil
}

// plan is what a scenario does to the actual fills.
type plan struct {
	remove   []bool            // by fill: left out
	reduce   []decimal.Decimal // by fill (sells): base quantity taken out of the sell
	added    []coach.Trade     // fills the scenario adds
	addedSym []int32           // their symbols (index into run.syms)
	changes  []indexedChange
}

type indexedChange struct {
	fill int32
	Change
}

func newPlan(n int) plan {
	return plan{remove: make([]bool, n), reduce: make([]decimal.Decimal, n)}
}

// change records a change of fill k.
func (p *plan) change(k int32, c Change) {
	p.changes = append(p.changes, indexedChange{fill: k, Change: c})
}

// sortedChanges returns the changes in the trade order of the trades changed (stable: in the
// order recorded within one trade).
func (p *plan) sortedChanges() []Change {
	slices.SortStableFunc(p.changes, func(a, b indexedChange) int { return int(a.fill - b.fill) })
	out := make([]Change, len(p.changes))
	for i := range p.changes {
		out[i] = p.changes[i].Change
	}
	return out
}
