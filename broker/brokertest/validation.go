package brokertest

import (
	"slices"
	"time"

	"github.com/tradecoach/coach"
)

// ValidationDefaultStart is where a Validation's market begins when ValidationOptions.Start is
// zero: a Monday.
var ValidationDefaultStart = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)

// Validation defaults and bounds.
const (
	ValidationDefaultDays = 60
	ValidationMinDays     = 14 // the traders wait ValidationWarmupDays before their first order
	ValidationMaxDays     = 366
	// ValidationWarmupDays is how long both traders wait before their first order, so that a
	// week of hourly indicators exists before it.
	ValidationWarmupDays = 8
)

// The user ids of the two traders.
const (
	ValidationPersonaUser = "validation-persona"
	ValidationNullUser    = "validation-null"
)

// ValidationOptions configures NewValidation. Zero fields take the defaults named.
type ValidationOptions struct {
	// Start is the first minute of market data, truncated to the day (ValidationDefaultStart).
	Start time.Time
	// Days is how many days of minute candles and orders to make (ValidationDefaultDays, at
	// least ValidationMinDays, at most ValidationMaxDays).
	Days int
}

// Validation is an independent yardstick for the bias labels (issue 14): a simulated market of
// several assets in one-minute bars with realistic regimes (quiet days, ordinary trending days,
// choppy days, rallies and crashes, intraday and weekend volume seasonality), the orders of a
// trader persona who acts on intent decided by its own rules and thresholds
// (validation_thresholds.go), and the orders of a null trader who acts at random. Every order
// carries its ground truth: the set of labels the persona intended (empty for a neutral order;
// always empty for the null trader).
//
// The persona never looks at the features package bias computes, and bias is not imported here.
// Everything is a function of the seed and the options, bit for bit on one platform. A
// Validation is immutable; its methods return copies.
type Validation struct {
	seed    int64
	start   time.Time
	days    int
	market  *valMarket
	persona ValidationTrader
	null    ValidationTrader
}

// ValidationTrader is one trader's history: its fills (coach.Trade, oldest first, ExtIDs unique
// within the trader) and its orders with their ground truth.
type ValidationTrader struct {
	// Trades are the fills, in trade order (TS, then ExtID). The fills of one order share its
	// time, symbol and side.
	Trades []coach.Trade `json:"trades"`
	// Orders are the orders, in the order they were placed.
	Orders []ValidationOrder `json:"orders"`
}

// ValidationOrder is one order and what its trader meant by it.
type ValidationOrder struct {
	// Key identifies the order within its trader ("o-000001"): coach.Trade has no order id yet,
	// so the fills are tied to it by ExtIDs.
	Key    string       `json:"key"`
	Symbol coach.Symbol `json:"symbol"`
	Side   coach.Side   `json:"side"`
	TS     time.Time    `json:"ts"`
	// ExtIDs are the ExtIDs of the order's fills (one, or several partial fills).
	ExtIDs []string `json:"extIds"`
	// Intents is the ground truth: the coach labels (coach.LabelFOMO, …) the trader intended,
	// sorted; empty for a neutral order. OVERTRADING is on the orders of a spree (its scalps'
	// entries and exits), not on every order of a spree day: a planned exit that happens to
	// fill that day keeps its own intent.
	Intents []string `json:"intents"`
	// Reason says which of the trader's rules placed the order (one of the Reason constants).
	Reason string `json:"reason"`
}

// The reasons an order was placed. The near-miss reasons are orders that look like a label
// but were not meant as one.
const (
	ReasonPlanPullback   = "plan-pullback"    // planned entry: pullback in an uptrend (DISCIPLINE)
	ReasonPlanAfterRally = "plan-after-rally" // planned entry after a rally, plan size: near-miss of FOMO (DISCIPLINE)
	ReasonPlanConviction = "plan-conviction"  // planned entry at the plan's larger size, not after a loss: near-miss of REVENGE (DISCIPLINE)
	ReasonPlanStop       = "plan-stop"        // exit at the plan's stop (DISCIPLINE)
	ReasonPlanStopInDrop = "plan-stop-drop"   // exit at the plan's stop during a sharp drop: near-miss of PANIC (DISCIPLINE)
	ReasonPlanTarget     = "plan-target"      // exit at the plan's target (DISCIPLINE)
	ReasonChase          = "chase"            // buying into a rally (FOMO)
	ReasonPanic          = "panic"            // selling a losing position in a sharp drop, before any stop (PANIC)
	ReasonRevenge        = "revenge"          // sized up soon after a realized loss (REVENGE)
	ReasonScalp          = "scalp"            // a spree day's scalp entry or exit (OVERTRADING)
	ReasonBagEven        = "bag-even"         // a loser held past its stop, sold near its entry price (HOLDING_LOSERS)
	ReasonBagGiveUp      = "bag-give-up"      // a loser held past its stop for days, then sold (HOLDING_LOSERS)
	ReasonQuickGain      = "quick-gain"       // a small gain taken early, off plan (neutral)
	ReasonImpulsiveExit  = "impulsive-exit"   // an impulsive position's target, cut or time exit (neutral)
	ReasonNull           = "null"             // the null trader's random order (neutral)
)

// Labels the persona intends.
var validationLabels = []string{coach.LabelFOMO, coach.LabelPanic, coach.LabelRevenge, coach.LabelDiscipline,
	coach.LabelHoldingLosers, coach.LabelOvertrading}

// ValidationLabels returns the labels the persona's orders may intend, in a fixed order: FOMO,
// PANIC, REVENGE, DISCIPLINE, HOLDING_LOSERS, OVERTRADING.
func ValidationLabels() []string { return slices.Clone(validationLabels) }

// NewValidation builds the market, the persona and the null trader for seed. It returns an
// EINVALID error for options out of range.
func NewValidation(seed int64, opts ValidationOptions) (*Validation, error) {
	if opts.Start.IsZero() {
		opts.Start = ValidationDefaultStart
	}
	if opts.Days == 0 {
		opts.Days = ValidationDefaultDays
	}
	start := opts.Start.UTC().Truncate(24 * time.Hour)
	switch {
	case opts.Days < ValidationMinDays || opts.Days > ValidationMaxDays:
		return nil, coach.Errorf(coach.EINVALID, "validation: days: want %d to %d, got %d", ValidationMinDays, ValidationMaxDays, opts.Days)
	case start.Year() < 2000 || start.Year() > 2200:
		return nil, coach.Errorf(coach.EINVALID, "validation: start: want a year from 2000 to 2200, got %d", start.Year())
	}
	v := &Validation{seed: seed, start: start, days: opts.Days}
	v.market = genValMarket(seed, start, opts.Days)
	v.persona = runPersona(seed, v.market)
	v.null = runNull(seed, v.market)
	return v, nil
}

// Seed returns the seed the Validation was built from.
func (v *Validation) Seed() int64 { return v.seed }

// Start returns the first minute of the market.
func (v *Validation) Start() time.Time { return v.start }

// End returns the end of the market: Start plus Days.
func (v *Validation) End() time.Time { return v.start.AddDate(0, 0, v.days) }

// Symbols returns the simulated pairs, in a fixed order.
func (v *Validation) Symbols() []coach.Symbol {
	out := make([]coach.Symbol, len(valAssets))
	for i, a := range valAssets {
		out[i] = a.symbol
	}
	return out
}

// Candles returns the market in bars of interval iv (1m as simulated; 5m, 15m, 1h, 4h and 1d
// aggregated from the minutes), by symbol. An unknown interval gives an empty series.
func (v *Validation) Candles(iv coach.Interval) coach.CandleSeries {
	out := coach.CandleSeries{}
	if iv.Duration() == 0 {
		return out
	}
	for i, a := range valAssets {
		out[a.symbol] = aggregate(v.market.m1[i], iv)
	}
	return out
}

// Regimes returns each day's regime by symbol ("quiet", "normal", "chop", "rally", "crash").
func (v *Validation) Regimes() map[coach.Symbol][]string {
	out := map[coach.Symbol][]string{}
	for i, a := range valAssets {
		for _, r := range v.market.regimes[i] {
			out[a.symbol] = append(out[a.symbol], regimeNames[r])
		}
	}
	return out
}

// Plan returns the persona's written plan as the rules of ValidationPersonaUser (see
// ValidationPlan), created at Start. The null trader is scored under the same rules.
func (v *Validation) Plan() []coach.Rule { return ValidationPlan(ValidationPersonaUser, v.start) }

// Persona returns the persona's fills and orders.
func (v *Validation) Persona() ValidationTrader { return v.persona.clone() }

// Null returns the null trader's fills and orders: every order is neutral.
func (v *Validation) Null() ValidationTrader { return v.null.clone() }

func (t ValidationTrader) clone() ValidationTrader {
	out := ValidationTrader{Trades: slices.Clone(t.Trades), Orders: make([]ValidationOrder, len(t.Orders))}
	for i, o := range t.Orders {
		o.ExtIDs = slices.Clone(o.ExtIDs)
		o.Intents = slices.Clone(o.Intents)
		out.Orders[i] = o
	}
	return out
}

// OrderOf maps each fill's ExtID to the index of its order in Orders.
func (t ValidationTrader) OrderOf() map[string]int {
	m := make(map[string]int, len(t.Trades))
	for i, o := range t.Orders {
		for _, id := range o.ExtIDs {
			m[id] = i
		}
	}
	return m
}
