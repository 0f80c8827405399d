package rules

import (
	"math"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/tradecoach/coach"
)

// Rule kinds.
const (
	KindAvoidSpikeOverPct   = "avoidSpikeOverPct"
	KindMaxTradesPerDay     = "maxTradesPerDay"
	KindCooldownAfterLoss   = "cooldownAfterLoss"
	KindMaxNotionalPerTrade = "maxNotionalPerTrade"
	KindNoTradingWindow     = "noTradingWindow"
	KindStopLossPct         = "stopLossPct"
)

// Kinds lists every rule kind Parse knows, in a fixed order.
func Kinds() []string {
	return []string{KindAvoidSpikeOverPct, KindMaxTradesPerDay, KindCooldownAfterLoss,
		KindMaxNotionalPerTrade, KindNoTradingWindow, KindStopLossPct}
}

// Params are the typed parameters of one rule kind: AvoidSpikeOverPct, MaxTradesPerDay,
// CooldownAfterLoss, MaxNotionalPerTrade, NoTradingWindow or StopLossPct. Each marshals to the
// canonical JSON form of its parameters, which Parse accepts.
type Params interface {
	// Kind returns the rule kind the parameters belong to.
	Kind() string
	// Validate reports the first parameter out of range as EINVALID, by its name ("params.pct:
	// must be in (0, 1000]").
	Validate() error
}

// AvoidSpikeOverPct forbids buying into a spike: a buy whose symbol rose by more than Pct percent
// over the LookbackHours before the fill is broken. The rise is close-to-close: from the close
// of the last candle that closed at or before the fill (which must be the bar just before the
// fill's own bar, else the verdict is undecided) back to the close LookbackHours earlier (rounded
// up to whole candles), in percent rounded to 6 decimal places. Only buys are judged.
type AvoidSpikeOverPct struct {
	// Pct is in (0, 1000].
	Pct float64 `json:"pct"`
	// LookbackHours is in [1, 720].
	LookbackHours int `json:"lookbackHours"`
}

// MaxTradesPerDay caps the fills of a day in the user's time zone: every fill is judged, and the
// (N+1)th and later fills of a local day are broken, whatever their side or symbol.
type MaxTradesPerDay struct {
	// N is in [1, 1000].
	N int `json:"n"`
}

// CooldownAfterLoss forbids entering again soon after a loss: a buy within Minutes after the last
// realized loss (a closing fill, of any symbol, whose FIFO P/L net of fees is below zero and
// which comes before the buy in the trade order) is broken; a buy at least Minutes later, or
// with no realized loss before it, follows the rule. Only buys are judged.
type CooldownAfterLoss struct {
	// Minutes is in [1, 10080] (a week).
	Minutes int `json:"minutes"`
}

// MaxNotionalPerTrade caps the size of an entry: a buy of a symbol quoted in Quote whose
// notional (Qty × Price) is above Amount is broken. It is the notional-cap form of a "max risk
// per trade" rule: a risk in percent would need the account's equity, which the coach does not
// know. Only buys quoted in Quote are judged.
type MaxNotionalPerTrade struct {
	// Amount is in the quote asset, > 0 and at most 1e15. In JSON it is a string or a number; it
	// is written as a string.
	Amount decimal.Decimal `json:"amount"`
	// Quote is the quote asset, 1-20 upper-case letters or digits ("USDT").
	Quote string `json:"quote"`
}

// NoTradingWindow forbids trading inside a window of the local day: every fill is judged, and
// one whose local wall-clock time (in the user's time zone) is in [From, To) is broken. A window
// with From after To crosses midnight ("22:00"–"06:00"): it runs from From to the end of the day
// and on from midnight to To the next day. Weekdays, when given, are the days on which the
// window starts, so {"from":"22:00","to":"02:00","weekdays":["fri"]} covers Friday 22:00 to
// Saturday 02:00; none means every day.
type NoTradingWindow struct {
	// From and To are "HH:MM", 00:00 to 23:59, and differ.
	From string `json:"from"`
	To   string `json:"to"`
	// Weekdays are lower-case English abbreviations, "mon" to "sun", each at most once; Parse
	// writes them Monday first.
	Weekdays []string `json:"weekdays,omitempty"`
}

// StopLossPct is a stop loss of Pct percent below each entry's price, with two ways to break it:
//   - a sell that realizes a loss of more than Pct percent of its FIFO cost basis (fees left
//     out: the loss is the price's fall, (cost − proceeds) / cost) is broken; a sell at a
//     smaller loss or a gain follows it, and a sell of a position whose entry is unknown is
//     undecided.
//   - a buy whose position (its FIFO lot) was still held at the close of a whole candle, after
//     the fill and before the lot was sold, whose low reached the stop price
//     (price × (1 − Pct/100)) is broken, with At the close of that first candle: by then the
//     trader had held on through the stop. A lot sold without that happening follows the rule,
//     and one whose candles have gaps and no crossing is undecided ("missingCandle"), both with
//     At the sale; a lot still open and not past its stop is undecided ("open") with At the
//     buy. A lot counts as sold when no more than a thousandth of it is left (dust).
type StopLossPct struct {
	// Pct is in (0, 100).
	Pct float64 `json:"pct"`
}

// Kind returns KindAvoidSpikeOverPct.
func (AvoidSpikeOverPct) Kind() string { return KindAvoidSpikeOverPct }

// Kind returns KindMaxTradesPerDay.
func (MaxTradesPerDay) Kind() string { return KindMaxTradesPerDay }

// Kind returns KindCooldownAfterLoss.
func (CooldownAfterLoss) Kind() string { return KindCooldownAfterLoss }

// Kind returns KindMaxNotionalPerTrade.
func (MaxNotionalPerTrade) Kind() string { return KindMaxNotionalPerTrade }

// Kind returns KindNoTradingWindow.
func (NoTradingWindow) Kind() string { return KindNoTradingWindow }

// Kind returns KindStopLossPct.
func (StopLossPct) Kind() string { return KindStopLossPct }

func fieldErr(field, format string, args ...any) error {
	return coach.Errorf(coach.EINVALID, "params."+field+": "+format, args...)
}

// Validate reports the first parameter out of range.
func (p AvoidSpikeOverPct) Validate() error {
	if !(p.Pct > 0 && p.Pct <= 1000) {
		return fieldErr("pct", "must be in (0, 1000]")
	}
	if p.LookbackHours < 1 || p.LookbackHours > 720 {
		return fieldErr("lookbackHours", "must be in [1, 720]")
	}
	return nil
}

// Validate reports the first parameter out of range.
func (p MaxTradesPerDay) Validate() error {
	if p.N < 1 || p.N > 1000 {
		return fieldErr("n", "must be in [1, 1000]")
	}
	return nil
}

// Validate reports the first parameter out of range.
func (p CooldownAfterLoss) Validate() error {
	if p.Minutes < 1 || p.Minutes > 10080 {
		return fieldErr("minutes", "must be in [1, 10080]")
	}
	return nil
}

// maxAmount bounds MaxNotionalPerTrade.Amount.
var maxAmount = decimal.New(1, 15)

// Validate reports the first parameter out of range.
func (p MaxNotionalPerTrade) Validate() error {
	if !saneDecimal(p.Amount) || p.Amount.Sign() <= 0 || p.Amount.Cmp(maxAmount) > 0 {
		return fieldErr("amount", "must be in (0, 1e15]")
	}
	if !validAsset(p.Quote) {
		return fieldErr("quote", "want 1-20 upper-case letters or digits")
	}
	return nil
}

// Validate reports the first parameter out of range.
func (p NoTradingWindow) Validate() error {
	from, ok := parseClock(p.From)
	if !ok {
		return fieldErr("from", "want HH:MM from 00:00 to 23:59")
	}
	to, ok := parseClock(p.To)
	if !ok {
		return fieldErr("to", "want HH:MM from 00:00 to 23:59")
	}
	if from == to {
		return fieldErr("to", "must differ from from")
	}
	if _, err := weekdayMask(p.Weekdays); err != nil {
		return err
	}
	return nil
}

// Validate reports the first parameter out of range.
func (p StopLossPct) Validate() error {
	if !(p.Pct > 0 && p.Pct < 100) {
		return fieldErr("pct", "must be in (0, 100)")
	}
	return nil
}

// saneDecimal reports whether d is small enough to compare and print without expanding a hostile
// exponent: at most 38 digits and an exponent within ±30.
func saneDecimal(d decimal.Decimal) bool {
	e := d.Exponent()
	return e >= -30 && e <= 30 && d.NumDigits() <= 38
}

func validAsset(a string) bool {
	if len(a) == 0 || len(a) > 20 {
		return false
	}
	for i := 0; i < len(a); i++ {
		if c := a[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// parseClock parses "HH:MM" (two digits each, 00:00 to 23:59) into minutes after midnight.
func parseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	d := func(c byte) (int, bool) { return int(c - '0'), c >= '0' && c <= '9' }
	h1, ok1 := d(s[0])
	h2, ok2 := d(s[1])
	m1, ok3 := d(s[3])
	m2, ok4 := d(s[4])
	h, m := h1*10+h2, m1*10+m2
	if !(ok1 && ok2 && ok3 && ok4) || h > 23 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

// weekdayNames are the accepted weekday names, Monday first; the index is (time.Weekday+6)%7.
var weekdayNames = [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// weekdayMask returns the set of days as a bit mask indexed by time.Weekday (bit 0 Sunday), all
// seven for none.
func weekdayMask(days []string) (uint8, error) {
	if len(days) == 0 {
		return 0x7f, nil
	}
	if len(days) > 7 {
		return 0, fieldErr("weekdays", "at most 7 days")
	}
	var mask uint8
	for i, s := range days {
		k := -1
		for j, n := range weekdayNames {
			if s == n {
				k = j
			}
		}
		if k < 0 {
			return 0, fieldErr("weekdays[%d]", "want one of mon tue wed thu fri sat sun", i)
		}
		bit := uint8(1) << ((k + 1) % 7)
		if mask&bit != 0 {
			return 0, fieldErr("weekdays[%d]", "%s given twice", i, s)
		}
		mask |= bit
	}
	return mask, nil
}

// canonicalWeekdays returns days in Monday-first order.
func canonicalWeekdays(days []string) []string {
	if len(days) == 0 {
		return nil
	}
	out := make([]string, 0, len(days))
	for _, n := range weekdayNames {
		for _, s := range days {
			if s == n {
				out = append(out, n)
			}
		}
	}
	return out
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// kindList is Kinds() joined for error messages.
var kindList = strings.Join(Kinds(), ", ")
