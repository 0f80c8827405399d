package bias

import (
	"math"
	"time"

	"github.com/tradecoach/coach"
)

// DefinitionVersion names the label definitions of DefaultConfig and DEFINITIONS.md. Every tag's
// Features carries it as "v". A change to what a label means gets a new version.
const DefinitionVersion = "2026.1"

// Config holds every threshold and convention of the label definitions. The zero Config is not
// valid: start from DefaultConfig and change fields. Bar counts are in candles of Interval.
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

	// ReturnBars is K of the prior return r = C[c]/C[c-K] − 1 read at the last closed candle c
	// (default 24). FOMOReturn is the prior return at or above which a buy follows an extreme
	// move (default 0.05); PANIC reads the same r as evidence.
	ReturnBars int
	FOMOReturn float64

	// VolumeBars is N of the abnormal volume AV = V[c] / mean(V[c-N..c-1]) (Barber and Odean
	// 2008, who use 252 days; default 168 bars, a week of hours). AbnormalVolume is the AV at or
	// above which volume is abnormal (default 2).
	VolumeBars     int
	AbnormalVolume float64

	// BandBars and BandK are the Bollinger Bands (SMA(BandBars) ± BandK population σ, defaults 20
	// and 2). A buy's fill price at or above the upper band (band z ≥ BandK) is stretched; a sell
	// at or below the lower band is a stress signal.
	BandBars int
	BandK    float64

	// RSIBars is the period of Wilder's RSI (default 14). RSIOverbought (default 70) makes a buy
	// stretched; RSIOversold (default 30) is a PANIC stress signal.
	RSIBars       int
	RSIOverbought float64
	RSIOversold   float64

	// RangeBars is the number of closed candles whose highest high and lowest low make the recent
	// range (default 24). NearHigh is the position of a buy's fill price in that range, 0 at the
	// low and 1 at the high, at or above which the buy chases the recent high (default 0.8).
	RangeBars int
	NearHigh  float64

	// FOMOMinSignals is how many of the three attention signals (extreme prior return, abnormal
	// volume, stretched price) must hold, besides buying near the recent high (default 2).
	FOMOMinSignals int

	// PanicDrawdown is the fall of a sell's fill price below the recent range's high at or above
	// which the sell is into a sharp drop (default 0.05). PanicMinFraction is the share of the
	// position the sell must close (default 0.5). PanicMinStress is how many stress signals
	// (volatility spike, abnormal volume, RSI oversold, fill at or below the lower band) must
	// hold (default 1).
	PanicDrawdown    float64
	PanicMinFraction float64
	PanicMinStress   int

	// VolShortBars and VolLongBars are the windows of the short and long rolling volatility of
	// log returns (defaults 24 and 168); VolSpike is the short/long ratio at or above which
	// volatility spikes (default 1.5).
	VolShortBars int
	VolLongBars  int
	VolSpike     float64

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

	// OvertradingMultiple is the day's trade count over the median of the trader's previous
	// active days at or above which the day is overtraded (default 2); OvertradingMinTrades is
	// the fewest trades such a day needs (default 5). BaselineDays is how many previous active
	// days make the median (default 30) and MinBaselineDays the fewest that make one (default 5).
	OvertradingMultiple  float64
	OvertradingMinTrades int
	BaselineDays         int
	MinBaselineDays      int

	// HoldRatio is the mean holding time of losing round trips over that of winning ones at or
	// above which losers are held too long (default 1.5).
	HoldRatio float64

	// ConfidenceSlope is the slope of the logistic that maps a tag's evidence to its confidence
	// (default 4; see Confidence).
	ConfidenceSlope float64

	// Rules gives the trader's own rule verdict on a trade, for DISCIPLINE. Nil means no rules:
	// no trade gets DISCIPLINE. The rules package can supply it; bias does not import it.
	Rules RuleChecker
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

// DefaultConfig returns the published definitions, DefinitionVersion "2026.1", for hourly
// candles. DEFINITIONS.md explains each default.
func DefaultConfig() Config {
	return Config{
		Version:                DefinitionVersion,
		Interval:               coach.Hour1,
		TimeZone:               "UTC",
		ReturnBars:             24,
		FOMOReturn:             0.05,
		VolumeBars:             168,
		AbnormalVolume:         2,
		BandBars:               20,
		BandK:                  2,
		RSIBars:                14,
		RSIOverbought:          70,
		RSIOversold:            30,
		RangeBars:              24,
		NearHigh:               0.8,
		FOMOMinSignals:         2,
		PanicDrawdown:          0.05,
		PanicMinFraction:       0.5,
		PanicMinStress:         1,
		VolShortBars:           24,
		VolLongBars:            168,
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
		OvertradingMultiple:    2,
		OvertradingMinTrades:   5,
		BaselineDays:           30,
		MinBaselineDays:        5,
		HoldRatio:              1.5,
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
		{"ReturnBars", c.ReturnBars}, {"VolumeBars", c.VolumeBars}, {"BandBars", c.BandBars},
		{"RSIBars", c.RSIBars}, {"RangeBars", c.RangeBars}, {"VolShortBars", c.VolShortBars},
		{"VolLongBars", c.VolLongBars}, {"BaselineEntries", c.BaselineEntries},
		{"BaselineDays", c.BaselineDays},
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
	for _, p := range positive {
		if !(p.x > 0) || math.IsInf(p.x, 0) {
			return bad(p.name, "a finite number > 0", p.x)
		}
	}
	switch {
	case c.VolShortBars >= c.VolLongBars:
		return bad("VolShortBars", "fewer bars than VolLongBars", c.VolShortBars)
	case !(c.RSIOverbought > 0 && c.RSIOverbought < 100):
		return bad("RSIOverbought", "a level in (0, 100)", c.RSIOverbought)
	case !(c.RSIOversold > 0 && c.RSIOversold < c.RSIOverbought):
		return bad("RSIOversold", "a level in (0, RSIOverbought)", c.RSIOversold)
	case !(c.NearHigh > 0 && c.NearHigh < 1):
		return bad("NearHigh", "a position in (0, 1)", c.NearHigh)
	case c.FOMOMinSignals < 1 || c.FOMOMinSignals > 3:
		return bad("FOMOMinSignals", "1, 2 or 3", c.FOMOMinSignals)
	case !(c.PanicDrawdown < 1):
		return bad("PanicDrawdown", "a fraction in (0, 1)", c.PanicDrawdown)
	case !(c.PanicMinFraction > 0 && c.PanicMinFraction <= 1):
		return bad("PanicMinFraction", "a fraction in (0, 1]", c.PanicMinFraction)
	case c.PanicMinStress < 1 || c.PanicMinStress > 4:
		return bad("PanicMinStress", "1 to 4", c.PanicMinStress)
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
	return max(c.ReturnBars+1, c.VolumeBars+1, c.BandBars, c.RSIBars+1, c.RangeBars, c.VolShortBars+1, c.VolLongBars+1)
}

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
