package bias

import (
	"math"
	"slices"
	"time"

	"github.com/tradecoach/coach"
)

// overState counts orders per day (Config.TimeZone) against the trader's own previous active
// days, for OVERTRADING.
type overState struct {
	started          bool
	dayStart, dayEnd int64
	day              time.Time
	dayCount         int
	dayIn            bool // the day has trades being measured
	flagged          bool // the day has reached its threshold
	base             *sizeWindow
	groupTS          int64
	group            []uint64 // (symbol, side) of the orders at groupTS
	orders           int
	activeDays       int
	overtraded       int
	dayCounts        []float64
	recent           []int64 // the times of the orders of the last OvertradingWindow
}

// order counts the order f unless an earlier order at the same TS had its symbol and side, and
// tags it when the orders of the last OvertradingWindow (this one included) reach
// OvertradingMultiple times the trader's usual count for so long — the median of the previous
// BaselineDays active days, pro rata of the window over a day — and at least
// OvertradingMinTrades.
func (v *overState) order(s *scorer, f *fill, in bool) {
	cfg := s.cfg
	if !v.started || f.ts >= v.dayEnd || f.ts < v.dayStart {
		v.closeDay(s)
		v.openDay(s, f.ts)
	}
	if f.ts != v.groupTS {
		v.groupTS, v.group = f.ts, v.group[:0]
	}
	key := uint64(f.sym) << 1
	if f.buy {
		key |= 1
	}
	if slices.Contains(v.group, key) {
		return
	}
	v.group = append(v.group, key)
	v.dayCount++
	from := f.ts - int64(cfg.OvertradingWindow)
	k := 0
	for k < len(v.recent) && v.recent[k] <= from {
		k++
	}
	v.recent = append(v.recent[:copy(v.recent, v.recent[k:])], f.ts)
	if !in {
		return
	}
	v.orders++
	v.dayIn = true
	if v.base.len() < cfg.MinBaselineDays {
		return
	}
	med := v.base.median()
	usual := med * (float64(cfg.OvertradingWindow) / float64(24*time.Hour))
	th := max(float64(cfg.OvertradingMinTrades), math.Ceil(cfg.OvertradingMultiple*usual))
	n := len(v.recent)
	if float64(n) < th {
		return
	}
	if !v.flagged {
		v.flagged = true
		v.overtraded++
	}
	ratio := float64(v.dayCount) / med
	o := s.features(f)
	o.begin("ev")
	o.str("day", v.day.Format(time.DateOnly))
	o.int("dayTrades", v.dayCount)
	o.int("windowTrades", n)
	o.num("windowHours", cfg.OvertradingWindow.Hours())
	o.num("threshold", th)
	o.num("baselineMedian", med)
	o.int("baselineDays", v.base.len())
	o.num("ratio", ratio)
	o.end()
	conf := Confidence(cfg.ConfidenceSlope,
		margin(float64(n), th, th),
		margin(float64(v.base.len()), float64(cfg.MinBaselineDays), float64(cfg.MinBaselineDays)))
	s.tag(f, coach.LabelOvertrading, conf, s.done(&o, s.m.consts.overtrading))
}

// openDay starts the day containing ts.
func (v *overState) openDay(s *scorer, ts int64) {
	if v.base == nil {
		v.base = &sizeWindow{ring: make([]float64, 0, s.cfg.BaselineDays), sorted: make([]float64, 0, s.cfg.BaselineDays)}
	}
	y, mo, d := time.Unix(0, ts).In(s.m.loc).Date()
	start := time.Date(y, mo, d, 0, 0, 0, 0, s.m.loc)
	v.started, v.day = true, start
	v.dayStart, v.dayEnd = start.UnixNano(), start.AddDate(0, 0, 1).UnixNano()
	v.dayCount, v.dayIn, v.flagged = 0, false, false
}

// closeDay adds the day's count to the baseline.
func (v *overState) closeDay(s *scorer) {
	if !v.started || v.dayCount == 0 {
		return
	}
	v.base.push(float64(v.dayCount))
	if v.dayIn {
		v.activeDays++
		v.dayCounts = append(v.dayCounts, float64(v.dayCount))
	}
}

// finish closes the last day and fills the day metrics of Account.Overtrading.
func (v *overState) finish(s *scorer) {
	v.closeDay(s)
	v.started = false
	a := &s.res.Account.Overtrading
	a.Trades, a.ActiveDays, a.OvertradedDays = v.orders, v.activeDays, v.overtraded
	a.TradesPerActiveDay, a.MedianTradesPerDay = math.NaN(), math.NaN()
	if v.activeDays > 0 {
		a.TradesPerActiveDay = float64(v.orders) / float64(v.activeDays)
		slices.Sort(v.dayCounts)
		n := len(v.dayCounts)
		a.MedianTradesPerDay = (v.dayCounts[(n-1)/2] + v.dayCounts[n/2]) / 2
	}
}
