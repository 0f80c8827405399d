package sim

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// Parameter defaults and bounds.
const (
	// DefaultPoints is the number of points of an equity curve when Params.Points is 0.
	DefaultPoints = 200
	// MaxPoints bounds Params.Points.
	MaxPoints = 2000
	// maxRequestBytes bounds the JSON ParseRequest reads.
	maxRequestBytes = 8 << 10
)

var (
	maxFeeRate  = decimal.New(1, -1) // 10 %
	maxSlippage = decimal.New(1000, 0)
	bps         = decimal.New(1, 4)
)

// FeeModel is what the fills a scenario adds pay; the trader's own fills keep the fees and prices
// they had. The package doc states the conventions.
type FeeModel struct {
	// Rate, when set, is the fee every added fill pays as a fraction of its notional, in the quote
	// asset, in [0, 0.1]. Nil means each added fill pays the rate of the actual fill it stands
	// in for (fee ÷ notional, the fee valued in the quote asset).
	Rate *decimal.Decimal `json:"rate,omitempty"`
	// SlippageBps, in [0, 1000] basis points, moves the candle price of an added fill against the
	// trader: a sell gets price × (1 − SlippageBps/10⁴), a buy pays price × (1 + SlippageBps/10⁴).
	SlippageBps decimal.Decimal `json:"slippageBps"`
}

// Validate reports the first field out of range, by its name.
func (f FeeModel) Validate() error {
	if f.Rate != nil && (!sane(*f.Rate) || f.Rate.Sign() < 0 || f.Rate.Cmp(maxFeeRate) > 0) {
		return coach.Errorf(coach.EINVALID, "fees.rate: must be in [0, 0.1]")
	}
	if !sane(f.SlippageBps) || f.SlippageBps.Sign() < 0 || f.SlippageBps.Cmp(maxSlippage) > 0 {
		return coach.Errorf(coach.EINVALID, "fees.slippageBps: must be in [0, 1000]")
	}
	return nil
}

// sane bounds a decimal read from outside so that arithmetic on it stays small.
func sane(d decimal.Decimal) bool {
	e := d.Exponent()
	return e >= -18 && e <= 6 && d.NumDigits() <= 24
}

// Params are a simulation's settings besides the scenario.
type Params struct {
	// From and To bound the window [From, To): the trades simulated are those with TS in it,
	// starting flat at From, and open positions are marked to market at To. Both are required.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Interval is the candle interval to use. Empty means each symbol's shortest interval among
	// the candles given (Run) or coach.Hour1 (Service).
	Interval coach.Interval `json:"interval,omitempty"`
	// Fees is the model of the fills the scenario adds.
	Fees FeeModel `json:"fees"`
	// Points is the number of points of each equity curve, in [2, MaxPoints]; 0 means
	// DefaultPoints.
	Points int `json:"points,omitempty"`
}

// Validate reports the first field out of range, by its name.
func (p Params) Validate() error {
	switch {
	case p.From.IsZero():
		return coach.Errorf(coach.EINVALID, "from: required")
	case p.To.IsZero():
		return coach.Errorf(coach.EINVALID, "to: required")
	case !p.From.Before(p.To):
		return coach.Errorf(coach.EINVALID, "to: must be after from")
	case p.From.Year() < 2009 || p.To.Year() > 2261:
		return coach.Errorf(coach.EINVALID, "from: the window must lie within the years 2009 to 2261")
	case p.Interval != "" && p.Interval.Duration() == 0:
		return coach.Errorf(coach.EINVALID, "interval: want one of 1m 5m 15m 1h 4h 1d")
	case p.Points != 0 && (p.Points < 2 || p.Points > MaxPoints):
		return coach.Errorf(coach.EINVALID, "points: must be in [2, %d]", MaxPoints)
	}
	return p.Fees.Validate()
}

// points returns the number of curve points asked for.
func (p Params) points() int {
	if p.Points == 0 {
		return DefaultPoints
	}
	return p.Points
}

// canonical returns p with times in UTC, so that equal parameters encode equally.
func (p Params) canonical() Params {
	p.From, p.To = p.From.UTC(), p.To.UTC()
	if p.Fees.Rate != nil {
		r := *p.Fees.Rate
		p.Fees.Rate = &r
	}
	return p
}

// Request is a what-if simulation as the API and the simulate.simple job take it: a scenario and
// its parameters, in one JSON object
//
//	{"scenario":{"kind":"skipLabel","label":"FOMO"},"from":"2026-01-01T00:00:00Z",
//	 "to":"2026-02-01T00:00:00Z","interval":"1h","fees":{"slippageBps":5},"points":200}
type Request struct {
	Scenario Scenario `json:"scenario"`
	Params
}

// Validate reports the first invalid field of r, by its name.
func (r Request) Validate() error {
	if err := r.Scenario.Validate(); err != nil {
		return err
	}
	return r.Params.Validate()
}

// ParseRequest reads a Request from its JSON form strictly (at most 8 KiB, known fields only, one
// object), then Validate. Any other input is EINVALID, naming the problem.
func ParseRequest(b []byte) (Request, error) {
	var r Request
	if err := decodeStrict(b, maxRequestBytes, "request", &r); err != nil {
		return Request{}, err
	}
	if err := r.Validate(); err != nil {
		return Request{}, err
	}
	if len(r.Scenario.RuleIDs) == 0 {
		r.Scenario.RuleIDs = nil // [] and none mean the same
	}
	return r, nil
}
