package ledger

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// DefaultBridges are the assets a Converter tries, in this order, as the one intermediate step
// between an asset and the reporting currency when no pair joins them directly: the stablecoins
// and fiat currencies most pairs are quoted in, then BTC and ETH.
var DefaultBridges = []string{"USDT", "USDC", "USD", "EUR", "BTC", "ETH"}

// DefaultMaxAge is how old a candle may be (from its close to the time converted at) before a
// Converter with a zero MaxAge calls it stale: one day, so that daily candles serve.
const DefaultMaxAge = 24 * time.Hour

// convertPlaces is the number of decimal places a converted amount is rounded to, half away from
// zero.
const convertPlaces = 12

// one is the rate of an asset in itself.
var one = decimal.NewFromInt(1)

// ratePlaces is the number of decimal places Rate.Value is rounded to (it is for display; Apply
// computes from the legs' closes).
const ratePlaces = 18

// ConverterConfig is what a Converter converts with.
type ConverterConfig struct {
	// Currency is the reporting currency every amount is converted into: a code ValidCurrency
	// accepts. Required.
	Currency string
	// Candles are the market data rates are read from: the close of a candle of A-B is the price
	// of one A in B, read as decimal.NewFromFloat does (the shortest decimal that is that float).
	// Candles that fail coach.Candle.Validate, or close below 1e-12 or above 1e18, are left out.
	// Several intervals of one symbol may be mixed (see Converter).
	Candles coach.CandleSeries
	// Bridges are the assets tried, in order, as the one intermediate step of a path; nil means
	// DefaultBridges, an empty non-nil slice allows direct pairs only.
	Bridges []string
	// Pegs is an opt-in table of assets held equal to another one, one for one, in both
	// directions: {"USDT": "USD"} makes 1 USDT worth 1 USD (and 1 USD worth 1 USDT) whenever no
	// usable USDT-USD or USD-USDT candle exists at the time. Nil pegs nothing: a stablecoin is never
	// taken for the currency it tracks unless this table says so, and a pegged step is marked Peg in
	// the evidence.
	Pegs map[string]string
	// MaxAge is how long after its close a candle may still be used; zero means DefaultMaxAge.
	MaxAge time.Duration
}

// Converter converts amounts of any asset into one reporting currency at a given time, through
// candles. It is pure (no I/O), deterministic, and safe for concurrent use.
//
// The rate of a step from asset A to asset B at time t is the close of the last candle of A-B
// that closed at or before t, or 1 over the close of the last candle of B-A when A-B has none
// usable, or 1 when Pegs pegs A to B or B to A and neither pair has a usable candle. Candles
// that close after t are never used (no look-ahead); a candle that closed more than MaxAge
// before t is stale. When candles of several intervals are given for a symbol, the one that
// closed last wins, the shorter interval on a tie; of two bars of the same symbol, interval and
// open time, the first given wins.
//
// A path is searched in this order, and the first whose every step has a rate at t is used:
// the asset itself (when it is the currency: rate 1, no step), the direct step to the currency,
// then each bridge of Bridges in order as one intermediate step (A→bridge→currency). Otherwise
// the Rate is unconvertible and says why (see Reason); it never falls back to a guess.
type Converter struct {
	currency string
	bridges  []string
	pegs     map[string]string
	maxAge   time.Duration
	bars     map[coach.Symbol][]bar
}

// bar is a candle as the converter indexes it.
type bar struct {
	closeAt  time.Time
	openAt   time.Time
	interval coach.Interval
	close    float64
	order    int // position in the input, for the tie-break between duplicates
}

// minClose and maxClose bound the closes a Converter uses, so that every rate and every amount
// it gives stays in the range the ledger takes (validAmount).
const minClose, maxClose = 1e-12, 1e18

// NewConverter returns a Converter, or an EINVALID error naming the first invalid field of cfg.
func NewConverter(cfg ConverterConfig) (*Converter, error) {
	if !coach.ValidCurrency(cfg.Currency) {
		return nil, coach.Errorf(coach.EINVALID, "converter: currency: %q is not an asset code of 2-10 characters A-Z or 0-9", clip(cfg.Currency, 20))
	}
	bridges := cfg.Bridges
	if bridges == nil {
		bridges = DefaultBridges
	}
	for _, b := range bridges {
		if !coach.ValidCurrency(b) {
			return nil, coach.Errorf(coach.EINVALID, "converter: bridges: %q is not an asset code", clip(b, 20))
		}
	}
	for a, b := range cfg.Pegs {
		if !coach.ValidCurrency(a) || !coach.ValidCurrency(b) || a == b {
			return nil, coach.Errorf(coach.EINVALID, "converter: pegs: %q to %q is not a peg of one asset code to another", clip(a, 20), clip(b, 20))
		}
	}
	if cfg.MaxAge < 0 {
		return nil, coach.Errorf(coach.EINVALID, "converter: maxAge: negative")
	}
	c := &Converter{
		currency: cfg.Currency,
		bridges:  slices.Clone(bridges),
		pegs:     make(map[string]string, len(cfg.Pegs)),
		maxAge:   cmp.Or(cfg.MaxAge, DefaultMaxAge),
		bars:     make(map[coach.Symbol][]bar),
	}
	for a, b := range cfg.Pegs {
		c.pegs[a] = b
	}
	syms := make([]coach.Symbol, 0, len(cfg.Candles))
	for s := range cfg.Candles {
		syms = append(syms, s)
	}
	slices.Sort(syms) // the input order of the whole series, for the duplicate tie-break
	n := 0
	for _, s := range syms {
		for _, k := range cfg.Candles[s] {
			n++
			if k.Validate() != nil || k.Close < minClose || k.Close > maxClose {
				continue
			}
			c.bars[k.Symbol] = append(c.bars[k.Symbol], bar{closeAt: k.CloseTime(), openAt: k.OpenTime, interval: k.Interval, close: k.Close, order: n})
		}
	}
	for s, bs := range c.bars {
		// Ascending close; on equal closes the longer interval first, so that the last bar closed
		// at or before t is the shortest; duplicates by input order.
		slices.SortFunc(bs, func(x, y bar) int {
			return cmp.Or(x.closeAt.Compare(y.closeAt), cmp.Compare(y.interval.Duration(), x.interval.Duration()), cmp.Compare(x.order, y.order))
		})
		c.bars[s] = slices.CompactFunc(bs, func(x, y bar) bool { return x.closeAt.Equal(y.closeAt) && x.interval == y.interval })
	}
	return c, nil
}

// Currency returns the reporting currency ("" for a Converter not built by NewConverter).
func (c *Converter) Currency() string {
	if c == nil {
		return ""
	}
	return c.currency
}

// unbuilt is the answer of a Converter not built by NewConverter: it knows no currency and no
// candles, so nothing converts.
func (c *Converter) unbuilt() bool { return c == nil || c.currency == "" }

// Reason says why an amount could not be converted.
type Reason string

// The reasons a Rate can be unconvertible.
const (
	// NoPath: no candles (nor a peg) join the asset to the currency, directly or through a bridge.
	NoPath Reason = "no_path"
	// NoCandle: pairs join them, but none has a candle that closed at or before the time.
	NoCandle Reason = "no_candle"
	// Stale: the last candle that closed at or before the time is older than the MaxAge.
	Stale Reason = "stale"
	// NoMark: an open position has no price at the end of the window to be valued at.
	NoMark Reason = "no_mark"
)

// Leg is one step of a conversion path, the evidence of its rate.
type Leg struct {
	// From and To are the assets of the step: one From is worth Rate() To.
	From string `json:"from"`
	To   string `json:"to"`
	// Symbol is the pair whose candle gave the rate: From-To, or To-From when Inverted; "" for a
	// peg.
	Symbol coach.Symbol `json:"symbol,omitempty"`
	// Inverted is true when the rate is 1/Close of a To-From candle.
	Inverted bool `json:"inverted,omitempty"`
	// Peg is true when the step is a peg of ConverterConfig.Pegs (rate 1, no candle).
	Peg bool `json:"peg,omitempty"`
	// Close is the candle's close; zero for a peg.
	Close decimal.Decimal `json:"close,omitzero"`
	// Interval, OpenTime and CloseTime identify the candle used; zero for a peg.
	Interval  coach.Interval `json:"interval,omitempty"`
	OpenTime  time.Time      `json:"openTime,omitzero"`
	CloseTime time.Time      `json:"closeTime,omitzero"`
}

// Rate is the price of one unit of an asset in the reporting currency at a time, with the path
// and candles it came from, or the Reason it could not be found. Its JSON form is the evidence
// payloads carry (the path is Asset followed by each leg's To).
type Rate struct {
	// Asset is the asset converted from; Currency the reporting currency.
	Asset    string `json:"asset"`
	Currency string `json:"currency"`
	// At is the time converted at.
	At time.Time `json:"at"`
	// Legs are the steps from Asset to Currency: none when Asset is Currency, one for a direct
	// pair, two through a bridge.
	Legs []Leg `json:"legs,omitempty"`
	// Value is the rate, rounded to 18 decimal places (for display; Apply computes from the legs);
	// zero when unconvertible.
	Value decimal.Decimal `json:"rate"`
	// Reason is empty when the rate was found; otherwise why not, with Detail in words.
	Reason Reason `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// OK reports whether the rate was found.
func (r Rate) OK() bool { return r.Reason == "" }

// Path returns the assets of the path joined by arrows ("ETH→BTC→USD"), or "" when unconvertible.
func (r Rate) Path() string {
	if !r.OK() {
		return ""
	}
	p := []string{r.Asset}
	for _, l := range r.Legs {
		p = append(p, l.To)
	}
	return strings.Join(p, "→")
}

// Apply returns amount converted at r: amount × the closes of the direct legs ÷ the closes of the
// inverted legs, rounded once to 12 decimal places, half away from zero. It returns false, and
// zero, when r is unconvertible: the caller must not take that zero for a value.
func (r Rate) Apply(amount decimal.Decimal) (decimal.Decimal, bool) {
	if !r.OK() {
		return decimal.Decimal{}, false
	}
	num, den := r.fraction()
	if den.Equal(one) {
		return amount.Mul(num).Round(convertPlaces), true
	}
	return amount.Mul(num).DivRound(den, convertPlaces), true
}

// fraction returns the rate as the product of the direct closes over that of the inverted ones.
func (r Rate) fraction() (num, den decimal.Decimal) {
	num, den = one, one
	for _, l := range r.Legs {
		switch {
		case l.Peg:
		case l.Inverted:
			den = den.Mul(l.Close)
		default:
			num = num.Mul(l.Close)
		}
	}
	return num, den
}

// Rate returns the rate of asset in the reporting currency at time at, searched as the Converter
// describes.
func (c *Converter) Rate(asset string, at time.Time) Rate {
	if c.unbuilt() {
		return Rate{Asset: asset, At: at, Reason: NoPath, Detail: "ledger: the Converter was not built by NewConverter"}
	}
	r := Rate{Asset: asset, Currency: c.currency, At: at}
	if asset == c.currency {
		r.Value = decimal.NewFromInt(1)
		return r
	}
	leg, fail := c.step(asset, c.currency, at)
	if fail.reason == "" {
		return r.found(leg)
	}
	best := fail // the most specific failure: a pair that exists beats no pair
	tried := make([]string, 0, len(c.bridges))
	for _, b := range c.bridges {
		if b == asset || b == c.currency {
			continue
		}
		tried = append(tried, b)
		l1, f1 := c.step(asset, b, at)
		if f1.reason != "" {
			best = best.better(f1)
			continue
		}
		l2, f2 := c.step(b, c.currency, at)
		if f2.reason == "" {
			return r.found(l1, l2)
		}
		best = best.better(f2)
	}
	if best.reason == NoPath {
		best.detail = fmt.Sprintf("no candles join %s to %s, directly or through %s", clip(asset, 20), c.currency, strings.Join(tried, ", "))
		if len(tried) == 0 {
			best.detail = fmt.Sprintf("no candles join %s to %s directly", clip(asset, 20), c.currency)
		}
	}
	r.Reason, r.Detail = best.reason, best.detail
	return r
}

func (r Rate) found(legs ...Leg) Rate {
	r.Legs = legs
	num, den := r.fraction()
	r.Value = num.DivRound(den, ratePlaces)
	return r
}

// failure is why a step or a path has no rate.
type failure struct {
	reason Reason
	detail string
}

// better returns the more specific of f and g (stale, then no candle, then no path), f on a tie.
func (f failure) better(g failure) failure {
	rank := func(r Reason) int {
		switch r {
		case Stale:
			return 2
		case NoCandle:
			return 1
		}
		return 0
	}
	if rank(g.reason) > rank(f.reason) {
		return g
	}
	return f
}

// step finds the rate of one from in to at time at: the from-to pair, the to-from pair inverted,
// or a peg, in that order.
func (c *Converter) step(from, to string, at time.Time) (Leg, failure) {
	best := failure{reason: NoPath}
	for _, inverted := range []bool{false, true} {
		sym := coach.Symbol(from + "-" + to)
		if inverted {
			sym = coach.Symbol(to + "-" + from)
		}
		b, f := c.lastBar(sym, at)
		if f.reason == "" {
			return Leg{
				From: from, To: to, Symbol: sym, Inverted: inverted, Close: decimal.NewFromFloat(b.close),
				Interval: b.interval, OpenTime: b.openAt, CloseTime: b.closeAt,
			}, failure{}
		}
		best = best.better(f)
	}
	if c.pegs[from] == to || c.pegs[to] == from {
		return Leg{From: from, To: to, Peg: true}, failure{}
	}
	return Leg{}, best
}

// lastBar returns the bar of sym that closed last at or before at, if it is not stale.
func (c *Converter) lastBar(sym coach.Symbol, at time.Time) (bar, failure) {
	bs := c.bars[sym]
	if len(bs) == 0 {
		return bar{}, failure{reason: NoPath}
	}
	i := sort.Search(len(bs), func(i int) bool { return bs[i].closeAt.After(at) }) - 1
	if i < 0 {
		return bar{}, failure{NoCandle, fmt.Sprintf("no %s candle closed at or before %s", sym, at.UTC().Format(time.RFC3339))}
	}
	if at.Sub(bs[i].closeAt) > c.maxAge {
		return bar{}, failure{Stale, fmt.Sprintf("the last %s candle closed at %s, more than %s before %s",
			sym, bs[i].closeAt.UTC().Format(time.RFC3339), c.maxAge, at.UTC().Format(time.RFC3339))}
	}
	return bs[i], failure{}
}

// Mark returns the price of one base unit of sym in its quote asset at time at: the close of the
// last candle of sym itself that closed at or before at and is not stale, as a one-leg Rate
// (Asset the base, Currency the quote); NoMark when there is none.
func (c *Converter) Mark(sym coach.Symbol, at time.Time) Rate {
	r := Rate{Asset: sym.Base(), Currency: sym.Quote(), At: at}
	if c.unbuilt() {
		r.Reason, r.Detail = NoMark, "ledger: the Converter was not built by NewConverter"
		return r
	}
	b, f := c.lastBar(sym, at)
	if f.reason != "" {
		r.Reason, r.Detail = NoMark, f.detail
		if f.reason == NoPath {
			r.Detail = fmt.Sprintf("no %s candles", sym)
		}
		return r
	}
	return r.found(Leg{
		From: r.Asset, To: r.Currency, Symbol: sym, Close: decimal.NewFromFloat(b.close),
		Interval: b.interval, OpenTime: b.openAt, CloseTime: b.closeAt,
	})
}
