package rules

import (
	"time"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
)

// kind numbers the kinds for the evaluation loop.
type kind uint8

const (
	kAvoidSpike kind = iota
	kMaxTradesPerDay
	kCooldown
	kMaxNotional
	kWindow
	kStopLoss
)

// compiled is a rule ready to judge trades.
type compiled struct {
	ref  RuleRef
	kind kind

	pct        float64         // avoidSpike, stopLoss
	pctDec     decimal.Decimal // stopLoss
	stopFactor float64         // stopLoss: 1 − pct/100
	lookback   int64           // avoidSpike, ns
	n          int             // maxTradesPerDay
	cooldown   int64           // cooldown, ns
	minutes    int             // cooldown
	amount     decimal.Decimal // maxNotional
	amountF    float64         // maxNotional
	quote      string          // maxNotional
	from, to   int             // window, minutes after midnight
	fromS, toS string          // window
	mask       uint8           // window, bit per time.Weekday
}

// compile checks the rules and keeps the active ones, ready to judge trades.
func (e *evaluator) compile(rules []Rule) error {
	seen := make(map[string]bool, len(rules))
	for _, r := range rules {
		if r.Params == nil {
			return coach.Errorf(coach.EINVALID, "rule %s: params: required", clipText(r.ID, 64))
		}
		if err := r.Params.Validate(); err != nil {
			return coach.Errorf(coach.EINVALID, "rule %s: %s", clipText(r.ID, 64), coach.ErrorMessage(err))
		}
		if seen[r.ID] {
			if r.ID == "" {
				return coach.Errorf(coach.EINVALID, `rule "": given twice (rules need distinct ids, empty included)`)
			}
			return coach.Errorf(coach.EINVALID, "rule %s: given twice", clipText(r.ID, 64))
		}
		seen[r.ID] = true
		if !r.Active {
			continue
		}
		c := compiled{ref: RuleRef{ID: r.ID, Kind: r.Kind()}}
		switch p := r.Params.(type) {
		case AvoidSpikeOverPct:
			c.kind, c.pct = kAvoidSpike, p.Pct
			c.lookback = int64(p.LookbackHours) * int64(time.Hour)
		case MaxTradesPerDay:
			c.kind, c.n = kMaxTradesPerDay, p.N
			e.needLocal = true
		case CooldownAfterLoss:
			c.kind, c.minutes = kCooldown, p.Minutes
			c.cooldown = int64(p.Minutes) * int64(time.Minute)
			e.needLedger = true
		case MaxNotionalPerTrade:
			c.kind, c.amount, c.quote = kMaxNotional, p.Amount, p.Quote
			c.amountF = p.Amount.InexactFloat64()
		case NoTradingWindow:
			c.kind, c.fromS, c.toS = kWindow, p.From, p.To
			c.from, _ = parseClock(p.From)
			c.to, _ = parseClock(p.To)
			c.mask, _ = weekdayMask(p.Weekdays)
			e.needLocal = true
		case StopLossPct:
			c.kind, c.pct = kStopLoss, p.Pct
			c.pctDec = decimal.NewFromFloat(p.Pct)
			c.stopFactor = float64(1 - p.Pct/100)
			e.needLedger, e.needLots = true, true
		default:
			return coach.Errorf(coach.EINVALID, "rule %s: kind: unknown kind %q", clipText(r.ID, 64), clipText(r.Kind(), 64))
		}
		e.rules = append(e.rules, c)
	}
	return nil
}
