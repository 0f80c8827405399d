package bias

import (
	"math"
	"time"

	"github.com/tradecoach/coach"
)

// DefinitionVersion names the label definitions of DefaultConfig and DEFINITIONS.md. Every tag's
// Features carries it as "v". A change to what a label means gets a new version.
const DefinitionVersion = "2026.3"

// Config holds every threshold and convention of the label definitions. The zero Config is not
// valid: start from DefaultConfig and change fields. Horizons are durations, read as however many
// candles of Interval they span (RangeWindow 24h is 24 hourly or 1,440 one-minute bars), so that
// the same definitions mean the same thing at every candle interval.
type Config struct {
	// Version is echoed in every tag as "v" (DefinitionVersion by default). Set your own when you
	// change a threshold, so that tags scored under other definitions are never confused.
	Version string

	// Interval is the width of the candles scored (default 1h). Candles of another interval are
	// dropped (Result.Data counts them).
	Interval coach.Interval

	// TimeZone is the IANA zone of the days (OVERTRADING) and months (turnover, Account.Windows) of the account
	// metrics (default "UTC").
	TimeZone string

	// ReturnWindow is the horizon of the prior return r = C[c]/C[c−K] − 1 read at the last closed
	// candle c, K its bars (default 3h). FOMOReturn is the run-up from the recent range's low
	// (RangeWindow) at or above which a buy follows a rally, and the prior return at or above
	// which the move was extreme (default 0.035); PANIC reads r as evidence.
	ReturnWindow time.Duration
	FOMOReturn   float64

	// VolumeDays is how many previous days make the abnormal-volume baseline: the volume traded
	// in the hour up to the last closed candle over the mean volume of the same hour of each of
	// the VolumeDays days before (Barber and Odean 2008 compare with the preceding year's days;
	// crypto volume has a strong time-of-day cycle, so the same hour is compared; default 7).
	// AbnormalVolume is the ratio at or above which volume is abnormal (default 2).
	VolumeDays     int
	AbnormalVolume float64

	// BandWindow and BandK are the Bollinger Bands (SMA ± BandK population σ over the candles of
	// BandWindow, defaults 20h and 2). A buy's fill price at or above the upper band (band z ≥
	// BandK) is stretched; a sell at or below the lower band is a stress signal.
	BandWindow time.Duration
	BandK      float64

	// RSIWindow is the period of Wilder's RSI (default 14h). RSIOverbought (default 70) makes a
	// buy stretched; RSIOversold (default 30) is a PANIC stress signal.
	RSIWindow     time.Duration
	RSIOverbought float64
	RSIOversold   float64

	// RangeWindow is the span of the closed candles whose highest high and lowest low make the
	// recent range (default 3h): a rally or a sharp drop happens within hours. NearHigh is how
	// far below the range's high, as a fraction of it, a buy's fill price may be and still be at
	// the recent high (default 0.005).
	RangeWindow time.Duration
	NearHigh    float64

	// FOMOMinSignals is how many of the three attention signals (extreme prior return, abnormal
	// volume, stretched price) must hold, besides buying at the recent high after a run-up
	// (default 0: they are evidence; the validation persona showed them adding misses, not
	// precision).
	FOMOMinSignals int

	// PanicDrawdown is the fall of a sell's fill price below the recent range's high at or above
	// which the sell is into a sharp drop (default 0.035). PanicMinFraction is the share of the
	// position the sell must close (default 0.5). PanicMinStress is how many stress signals
	// (volatility spike, abnormal volume, RSI oversold, fill at or below the lower band) must
	// hold (default 0: they are evidence).
	PanicDrawdown    float64
	PanicMinFraction float64
	PanicMinStress   int

	// PanicNearLow is how far above the lowest close since the recent range's high, as a
	// fraction of that close, a sell's fill price may be and still be selling into the fall
	// (default 0.001): a sale after the price has bounced off the drop's low is not capitulation
	// into it. The mirror of NearHigh for a chasing buy.
	PanicNearLow float64

	// PanicMinLoss is the loss on the position itself, as a fraction of the sold lots' cost basis
	// (fees included), at or above which a sale is at a material loss (default 0.0125): a market
	// drawdown alone, or a sale at a few ticks under water, is not PANIC.
	PanicMinLoss float64

	// StopTolerance is how far, as a fraction of the level, an exit's price may be from the
	// plan's stop or target level and still be at it (default 0.002): a stop order fills at its
	// level or a few ticks past it.
	StopTolerance float64

	// VolShortWindow and VolLongWindow are the spans of the short and long rolling volatility of
	// one-candle log returns (defaults 24h and 168h); VolSpike is the short/long ratio at or
	// above which volatility spikes (default 1.5).
	VolShortWindow time.Duration
	VolLongWindow  time.Duration
	VolSpike       float64

	// RevengeWindow is how soon after a realized loss an entry counts as soon (default 1h).
	// RevengeMinLoss is the loss, as a fraction of the lots' cost, that counts (default 0.005, so
	// that a round trip lost to fees alone does not). RevengeSizeMultiple is the entry's notional
	// over the trader's own median entry notional at or above which it is sized up (default 1.5).
	RevengeWindow       time.Duration
	RevengeMinLoss      float64
	RevengeSizeMultiple float64

	// BaselineEntries is how many of the trader's previous entries (buys in the same quote asset)
	// make their own size baseline, the median notional (default 20); MinBaselineEntries is the
	// fewest that make one at all (default 5).
	BaselineEntries    int
	MinBaselineEntries int

	// MinEvents is the fewest conditioning events an account-level statistic needs in each of
	// its groups before it is reported and before a tag rests on it (default 5). A difference of
	// proportions (DE, or PLoss − PGain) tags trades when it is at least MinEffect (default 0.10:
	// ten percentage points) with a t-statistic at least MinT (default 2): with thousands of
	// trades a trivial difference is "significant", and with a handful a large one is not.
	MinEvents int
	MinT      float64
	MinEffect float64

	// DispositionMinHoldings is the fewest assets the account must hold at a decision moment for
	// its paper gains and losses to count (Odean 1998 uses two; default 2).
	DispositionMinHoldings int

	// DispositionMark is the bar that judges a held asset a paper gain or loss in the account
	// metric Account.Disposition and its windows: LastClosedBar (the default; "" means the same)
	// or SaleBar (Odean's own rule, which looks ahead within the bar: acceptable for an
	// after-the-fact account measure). No per-trade tag reads it.
	DispositionMark Mark

	// OvertradingWindow is the span of the trading spree an order is measured in: the orders of
	// the last OvertradingWindow, the order itself included (default 2h). OvertradingMultiple is
	// how many times the trader's usual count for so long (the median count of their previous
	// active days, pro rata of the window over a day) they must reach (default 2.1), and
	// OvertradingMinTrades the fewest they must be whatever the baseline (default 5).
	// BaselineDays is how many previous active days make the median (default 30) and
	// MinBaselineDays the fewest that make one (default 5).
	OvertradingWindow    time.Duration
	OvertradingMultiple  float64
	OvertradingMinTrades int
	BaselineDays         int
	MinBaselineDays      int

	// HoldRatio is the holding time of a losing sale over the median holding time of the
	// trader's winning sales at or above which the loser was held long (default 1.5).
	// HoldAlpha is the level of the one-sided test that a losing sale was held longer than the
	// trader's winners: its empirical p-value, the share of winners held at least as long
	// ((1 + k)/(1 + n)), must be at most HoldAlpha (default 0.05).
	HoldRatio float64
	HoldAlpha float64

	// HoldPastStop is how far under the plan's stop level, as a fraction of it, the position's
	// price must have gone while the trader held on for a losing sale to be HOLDING_LOSERS
	// (default 0: the price reached the stop and the trader held on, research notes §6's
	// LoserOvershoot, "still held after the price crossed the user's stated stop").
	HoldPastStop float64

	// HoldBreakEven is the loss, as a fraction of the sold lots' cost (fees included), at or
	// below which a losing sale of a position ridden past the plan's stop got back to even
	// (default 0.01): waiting to break even is riding the loser (Shefrin and Statman 1985; the
	// break-even effect of Thaler and Johnson 1990) when the wait was longer than HoldRatio
	// times the trader's median winner. Needs a stop in the plan.
	HoldBreakEven float64

	// ConfidenceSlope is the slope of the logistic that maps a tag's evidence to its confidence
	// (default 4; see Confidence).
	ConfidenceSlope float64

	// Rules gives the trader's own rule verdict on a trade, for DISCIPLINE. Nil means no rules:
	// no trade gets DISCIPLINE. The rules package can supply it; bias does not import it.
	Rules RuleChecker

	// Plan is the trader's written plan: the stop and target levels of their rules (PlanOf reads
	// them from the trader's rules). The zero Plan has none: no exit is at the trader's stop, and
	// no order gets DISCIPLINE.
	Plan Plan
}

// Mark names the bar whose high and low classify an asset held at a decision moment as a paper
// gain (low above the reference price) or a paper loss (high below it) for Config.DispositionMark.
type Mark string

// The bars a Mark can name.
const (
	// LastClosedBar is the last bar of Config.Interval that closed before the moment's first
	// sale: no look-ahead, the same rule as the per-trade tags. The default.
	LastClosedBar Mark = "lastClosedBar"
	// SaleBar is the bar of Config.Interval in which the moment's sales took place, as Odean
	// (1998) used the sale day's high and low (with Interval 1d it is exactly the sale day). It
	// reads prices from after the first sale of the bar, which is acceptable only for the
	// after-the-fact account metric.
	SaleBar Mark = "saleBar"
)

// RuleChecker returns the verdict of the trader's own rules on trade t. It must be deterministic
// and use nothing after t.
type RuleChecker func(t coach.Trade) Verdict

// Verdict is the outcome of the trader's own rules on one trade: how many rules applied, and the
// kinds of those it broke.
type Verdict struct {
	Checked int
	Broken  []string
}

// Followed reports whether at least one rule applied and none was broken.
func (v Verdict) Followed() bool { return v.Checked > 0 && len(v.Broken) == 0 }

// VerdictMap returns a RuleChecker from verdicts computed elsewhere, keyed by trade id (ID, or
// ExtID when ID is empty): true means every rule that applied was followed. A trade absent from
// the map had no rule applied.
func VerdictMap(followed map[string]bool) RuleChecker {
	return func(t coach.Trade) Verdict {
		ok, found := followed[t.Ref()]
		switch {
		case !found:
			return Verdict{}
		case ok:
			return Verdict{Checked: 1}
		}
		return Verdict{Checked: 1, Broken: []string{"rule"}}
	}
}

// DefaultConfig returns the published definitions, DefinitionVersion "2026.3", for hourly
// candles (the horizons are durations: set Interval to the finest candles available). DEFINITIONS.md explains each default.
func DefaultConfig() Config {
	return Config{
		Version:                DefinitionVersion,
		Interval:               coach.Hour1,
		TimeZone:               "UTC",
		ReturnWindow:           3 * time.Hour,
		FOMOReturn:             0.035,
		VolumeDays:             7,
		AbnormalVolume:         2,
		BandWindow:             20 * time.Hour,
		BandK:                  2,
		RSIWindow:              14 * time.Hour,
		RSIOverbought:          70,
		RSIOversold:            30,
		RangeWindow:            3 * time.Hour,
		NearHigh:               0.005,
		FOMOMinSignals:         0,
		PanicDrawdown:          0.035,
		PanicMinFraction:       0.5,
		PanicMinStress:         0,
		PanicNearLow:           0.001,
		PanicMinLoss:           0.0125,
		StopTolerance:          0.002,
		VolShortWindow:         24 * time.Hour,
		VolLongWindow:          168 * time.Hour,
		VolSpike:               1.5,
		RevengeWindow:          time.Hour,
		RevengeMinLoss:         0.005,
		RevengeSizeMultiple:    1.5,
		BaselineEntries:        20,
		MinBaselineEntries:     5,
		MinEvents:              5,
		MinT:                   2,
		MinEffect:              0.1,
		DispositionMinHoldings: 2,
		DispositionMark:        LastClosedBar,
		OvertradingWindow:      2 * time.Hour,
		OvertradingMultiple:    2.1,
		OvertradingMinTrades:   5,
		BaselineDays:           30,
		MinBaselineDays:        5,
		HoldRatio:              1.5,
		HoldAlpha:              0.05,
		HoldPastStop:           0,
		HoldBreakEven:          0.01,
		ConfidenceSlope:        4,
	}
}

// maxBars bounds every bar count: a year of minute candles.
const maxBars = 525_600

// Validate reports the first field out of range, by its name, as coach.EINVALID.
func (c Config) Validate() error {
	bad := func(field, want string, got any) error {
		return coach.Errorf(coach.EINVALID, "bias config: %s: want %s, got %v", field, want, got)
	}
	bars := []struct {
		name string
		n    int
	}{
		{"VolumeDays", c.VolumeDays}, {"BaselineEntries", c.BaselineEntries},
		{"BaselineDays", c.BaselineDays},
	}
	windows := []struct {
		name string
		d    time.Duration
	}{
		{"ReturnWindow", c.ReturnWindow}, {"BandWindow", c.BandWindow}, {"RSIWindow", c.RSIWindow},
		{"RangeWindow", c.RangeWindow}, {"VolShortWindow", c.VolShortWindow}, {"VolLongWindow", c.VolLongWindow},
	}
	positive := []struct {
		name string
		x    float64
	}{
		{"FOMOReturn", c.FOMOReturn}, {"AbnormalVolume", c.AbnormalVolume}, {"BandK", c.BandK},
		{"PanicDrawdown", c.PanicDrawdown}, {"VolSpike", c.VolSpike},
		{"RevengeSizeMultiple", c.RevengeSizeMultiple}, {"MinT", c.MinT},
		{"OvertradingMultiple", c.OvertradingMultiple}, {"HoldRatio", c.HoldRatio},
		{"ConfidenceSlope", c.ConfidenceSlope},
	}
	switch {
	case !printableASCII(c.Version, 32):
		return bad("Version", "1-32 printable ASCII characters", c.Version)
	case c.Interval.Duration() == 0:
		return bad("Interval", "one of 1m 5m 15m 1h 4h 1d", c.Interval)
	}
	// "Local" is refused: it is the machine's zone, and the same input would bucket days
	// differently on another machine.
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" || c.TimeZone == "Local" {
		return bad("TimeZone", "an IANA time zone such as UTC", c.TimeZone)
	}
	for _, b := range bars {
		if b.n < 1 || b.n > maxBars {
			return bad(b.name, "a count in [1, 525600]", b.n)
		}
	}
	for _, w := range windows {
		if w.d <= 0 || c.bars(w.d) > maxBars {
			return bad(w.name, "a duration > 0 of at most 525600 candles of Interval", w.d)
		}
	}
	for _, p := range positive {
		if !(p.x > 0) || math.IsInf(p.x, 0) {
			return bad(p.name, "a finite number > 0", p.x)
		}
	}
	switch {
	case c.bars(c.VolShortWindow) >= c.bars(c.VolLongWindow):
		return bad("VolShortWindow", "fewer candles than VolLongWindow", c.VolShortWindow)
	case c.VolumeDays*c.dayBars() > maxBars:
		return bad("VolumeDays", "at most 525600 candles of Interval", c.VolumeDays)
	case !(c.RSIOverbought > 0 && c.RSIOverbought < 100):
		return bad("RSIOverbought", "a level in (0, 100)", c.RSIOverbought)
	case !(c.RSIOversold > 0 && c.RSIOversold < c.RSIOverbought):
		return bad("RSIOversold", "a level in (0, RSIOverbought)", c.RSIOversold)
	case !(c.NearHigh > 0 && c.NearHigh < 1):
		return bad("NearHigh", "a fraction in (0, 1)", c.NearHigh)
	case c.FOMOMinSignals < 0 || c.FOMOMinSignals > 3:
		return bad("FOMOMinSignals", "0, 1, 2 or 3", c.FOMOMinSignals)
	case !(c.PanicDrawdown < 1):
		return bad("PanicDrawdown", "a fraction in (0, 1)", c.PanicDrawdown)
	case !(c.PanicMinFraction > 0 && c.PanicMinFraction <= 1):
		return bad("PanicMinFraction", "a fraction in (0, 1]", c.PanicMinFraction)
	case !(c.PanicNearLow >= 0 && c.PanicNearLow < 1):
		return bad("PanicNearLow", "a fraction in [0, 1)", c.PanicNearLow)
	case !(c.PanicMinLoss >= 0 && c.PanicMinLoss < 1):
		return bad("PanicMinLoss", "a fraction in [0, 1)", c.PanicMinLoss)
	case !(c.StopTolerance >= 0 && c.StopTolerance < 0.1):
		return bad("StopTolerance", "a fraction in [0, 0.1)", c.StopTolerance)
	case !(c.HoldBreakEven >= 0 && c.HoldBreakEven < 1):
		return bad("HoldBreakEven", "a fraction in [0, 1)", c.HoldBreakEven)
	case !(c.HoldPastStop >= 0 && c.HoldPastStop < 1):
		return bad("HoldPastStop", "a fraction in [0, 1)", c.HoldPastStop)
	case !(c.HoldAlpha > 0 && c.HoldAlpha < 0.5):
		return bad("HoldAlpha", "a level in (0, 0.5)", c.HoldAlpha)
	case !c.Plan.valid():
		return bad("Plan", "StopLossPct and TakeProfitPct each 0 or in (0, 100)", c.Plan)
	case c.PanicMinStress < 0 || c.PanicMinStress > 4:
		return bad("PanicMinStress", "0 to 4", c.PanicMinStress)
	case c.RevengeWindow <= 0 || c.RevengeWindow > 30*24*time.Hour:
		return bad("RevengeWindow", "a duration in (0, 720h]", c.RevengeWindow)
	case !(c.RevengeMinLoss >= 0 && c.RevengeMinLoss < 1):
		return bad("RevengeMinLoss", "a fraction in [0, 1)", c.RevengeMinLoss)
	case c.MinBaselineEntries < 1 || c.MinBaselineEntries > c.BaselineEntries:
		return bad("MinBaselineEntries", "a count in [1, BaselineEntries]", c.MinBaselineEntries)
	case !(c.MinEffect >= 0 && c.MinEffect < 1):
		return bad("MinEffect", "a difference in [0, 1)", c.MinEffect)
	case c.MinEvents < 1 || c.MinEvents > 1_000_000:
		return bad("MinEvents", "a count in [1, 1000000]", c.MinEvents)
	case c.DispositionMinHoldings < 1 || c.DispositionMinHoldings > 1000:
		return bad("DispositionMinHoldings", "a count in [1, 1000]", c.DispositionMinHoldings)
	case c.DispositionMark != "" && c.DispositionMark != LastClosedBar && c.DispositionMark != SaleBar:
		return bad("DispositionMark", `"lastClosedBar" or "saleBar"`, c.DispositionMark)
	case c.OvertradingWindow <= 0 || c.OvertradingWindow > 30*24*time.Hour:
		return bad("OvertradingWindow", "a duration in (0, 720h]", c.OvertradingWindow)
	case c.OvertradingMinTrades < 1 || c.OvertradingMinTrades > 1_000_000:
		return bad("OvertradingMinTrades", "a count in [1, 1000000]", c.OvertradingMinTrades)
	case c.MinBaselineDays < 1 || c.MinBaselineDays > c.BaselineDays:
		return bad("MinBaselineDays", "a count in [1, BaselineDays]", c.MinBaselineDays)
	}
	return nil
}

// Warmup returns how many contiguous closed candles must precede a fill for every per-trade label
// to be evaluated: the longest indicator lookback plus one. The Service fetches this many (and
// ten RSI periods, so that Wilder's smoothing has settled) before the first trade.
func (c Config) Warmup() int {
	return max(c.bars(c.ReturnWindow)+1, c.volumeNeed(), c.bars(c.BandWindow), c.bars(c.RSIWindow)+1,
		c.bars(c.RangeWindow), c.bars(c.VolShortWindow)+1, c.bars(c.VolLongWindow)+1)
}

// bars returns how many candles of Interval span the horizon d: d/Interval rounded up, at least
// one. An invalid Interval gives d in nanoseconds, which Validate refuses.
func (c Config) bars(d time.Duration) int {
	iv := max(c.Interval.Duration(), 1)
	n := (d + iv - 1) / iv
	if n > maxBars {
		return maxBars + 1
	}
	return max(int(n), 1)
}

// hourBars returns how many candles make the hour whose volume is compared with the same hour of
// earlier days (one for candles of an hour or longer), and dayBars how many make a day.
func (c Config) hourBars() int { return c.bars(time.Hour) }

func (c Config) dayBars() int { return c.bars(24 * time.Hour) }

// volumeNeed is how many contiguous candles the abnormal volume reads: the hour up to the last
// closed candle and the same hour of VolumeDays days before.
func (c Config) volumeNeed() int { return c.VolumeDays*c.dayBars() + c.hourBars() }

// printableASCII reports whether s has 1 to n characters, each printable ASCII: Version is
// written into every tag's features and must read the same in JSON, SQL and logs.
func printableASCII(s string, n int) bool {
	if len(s) == 0 || len(s) > n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
