package bias

import (
	"encoding/json"
	"math"
	"time"
)

// Account holds the account-level metrics of the trades scored. A metric that lacks data is NaN
// (null in JSON) and its Insufficient field says why; it is never a silent 0.
type Account struct {
	// Trades is the number of trades measured.
	Trades        int           `json:"trades"`
	Disposition   Disposition   `json:"disposition"`
	Overtrading   Overtrading   `json:"overtrading"`
	LossChasing   LossChasing   `json:"lossChasing"`
	HoldingLosers HoldingLosers `json:"holdingLosers"`
	// Windows are the disposition effect and loss chasing over fixed windows, the calendar
	// months in Config.TimeZone, oldest first: one per month with a decision moment or an entry
	// after a realized outcome among the trades measured. They are what the coach reports (a
	// test run once per window, never re-run after every trade); Disposition and LossChasing
	// above are the same statistics over every trade measured.
	Windows []AccountWindow `json:"windows"`
}

// Disposition is Odean's (1998) disposition effect: the proportion of gains realized (PGR)
// against the proportion of losses realized (PLR) at decision moments, the candles in which the
// account sold something while holding at least DispositionMinHoldings assets. The counts behind
// the ratios are its fields (Counts returns them); DispositionFromCounts recomputes the ratios
// from counts, and PoolDisposition pools many accounts.
type Disposition struct {
	// Moments counts the decision moments; Excluded those skipped because the account held
	// fewer than DispositionMinHoldings assets.
	Moments  int `json:"moments"`
	Excluded int `json:"excluded"`
	// RG, RL, PG and PL count realized gains, realized losses, paper gains and paper losses.
	RG int `json:"rg"`
	RL int `json:"rl"`
	PG int `json:"pg"`
	PL int `json:"pl"`
	// PaperUnknown counts held assets that could not be classified for want of a candle.
	PaperUnknown int `json:"paperUnknown"`
	// PGR = RG/(RG+PG), PLR = RL/(RL+PL), DE = PGR − PLR, SE = √(PGR(1−PGR)/(RG+PG) +
	// PLR(1−PLR)/(RL+PL)) and T = DE/SE. DE > 0 is the disposition effect.
	PGR float64 `json:"pgr"`
	PLR float64 `json:"plr"`
	DE  float64 `json:"de"`
	SE  float64 `json:"se"`
	T   float64 `json:"t"`
	// Insufficient says why DE or T is undefined; "" when both are defined.
	Insufficient string `json:"insufficient,omitempty"`
	// Clustered is DE's standard error and t clustered by position (ClusteredProportionDiff):
	// a position counted at many decision moments, as a gain or loss held through them or sold
	// in pieces, is one draw, not many. SE and T above treat every count as independent, as
	// Odean (1998) did; the coach reads Clustered. DispositionFromCounts, which has no
	// positions, leaves it undefined.
	Clustered Clustered `json:"clustered"`
}

// Overtrading measures how much the account trades: Barber and Odean's (2000) turnover, fee drag
// and trades per active day against the trader's own baseline.
type Overtrading struct {
	// Trades counts orders: fills with the same TS, symbol and side (partial fills) count once.
	Trades int `json:"trades"`
	// ActiveDays counts the days (Config.TimeZone) with at least one trade.
	ActiveDays int `json:"activeDays"`
	// TradesPerActiveDay = Trades/ActiveDays; MedianTradesPerDay is the median over active days.
	TradesPerActiveDay float64 `json:"tradesPerActiveDay"`
	MedianTradesPerDay float64 `json:"medianTradesPerDay"`
	// OvertradedDays counts days with at least one OVERTRADING order: orders of the last
	// OvertradingWindow that reached OvertradingMultiple times the trader's usual count for so
	// long (and OvertradingMinTrades).
	OvertradedDays int `json:"overtradedDays"`
	// Quote is the asset of the money figures below: the quote asset most trades use. Trades in
	// other quote assets count in Trades but not in money figures.
	Quote string `json:"quote"`
	// Months counts the months with holdings at their start (the denominator of turnover);
	// MonthlyTurnover is the mean over them of ½(sales + purchase turnover) and AnnualTurnover
	// twelve times that. Barber and Odean's average household: 0.75 a year.
	Months          int     `json:"months"`
	MonthlyTurnover float64 `json:"monthlyTurnover"`
	AnnualTurnover  float64 `json:"annualTurnover"`
	// UnpricedMonths counts months whose start holdings had no candle to value them.
	UnpricedMonths int `json:"unpricedMonths"`
	// Notional is the traded value and Fees the known fees, in Quote. MeanValue is the mean
	// beginning-of-month holdings value over Months. FeeRate = Fees/Notional and FeeDrag =
	// Fees/MeanValue, bit for bit.
	Notional  float64 `json:"notional"`
	Fees      float64 `json:"fees"`
	MeanValue float64 `json:"meanValue"`
	FeeRate   float64 `json:"feeRate"`
	FeeDrag   float64 `json:"feeDrag"`
	// FeesUnknown counts fills in Quote whose fee is unknown or could not be valued.
	FeesUnknown int `json:"feesUnknown"`
	// Insufficient says why turnover or fee drag is undefined; "" when they are defined.
	Insufficient string `json:"insufficient,omitempty"`
}

// LossChasing is Coval and Shumway's (2005) test in trade time: the probability that the entry
// after a realized loss is larger than the trader's own median entry, against the same after a
// realized gain.
type LossChasing struct {
	// AfterLoss and AfterGain count the first entries after a realized loss or gain that had a
	// size baseline; BigAfterLoss and BigAfterGain count those above the baseline median.
	AfterLoss    int `json:"afterLoss"`
	AfterGain    int `json:"afterGain"`
	BigAfterLoss int `json:"bigAfterLoss"`
	BigAfterGain int `json:"bigAfterGain"`
	// PLoss = BigAfterLoss/AfterLoss, PGain = BigAfterGain/AfterGain, Diff = PLoss − PGain with
	// the unpooled standard error SE and T = Diff/SE. Diff > 0 is loss chasing.
	PLoss float64 `json:"pLoss"`
	PGain float64 `json:"pGain"`
	Diff  float64 `json:"diff"`
	SE    float64 `json:"se"`
	T     float64 `json:"t"`
	// Insufficient says why Diff or T is undefined; "" when both are defined.
	Insufficient string `json:"insufficient,omitempty"`
	// Clustered is Diff's standard error and t clustered by the position whose realized outcome
	// each entry follows: a position sold in many pieces, each followed by an entry, is one
	// draw, not many. The coach reads Clustered; SE and T treat entries as independent.
	Clustered Clustered `json:"clustered"`
}

// HoldingLosers compares how long losing and winning round trips were held (Locke and Mann's
// hold-time asymmetry; Shefrin and Statman's "ride losers too long").
type HoldingLosers struct {
	// Winners and Losers count closing sells with realized P/L above and below zero.
	Winners int `json:"winners"`
	Losers  int `json:"losers"`
	// MeanWinnerHold and MeanLoserHold are the mean holding periods, each sell's own the
	// quantity-weighted mean over its matched lots.
	MeanWinnerHold time.Duration `json:"meanWinnerHold"`
	MeanLoserHold  time.Duration `json:"meanLoserHold"`
	// Ratio = MeanLoserHold/MeanWinnerHold; > 1 means losers are held longer.
	Ratio float64 `json:"ratio"`
	// Insufficient says why Ratio is undefined; "" when it is defined.
	Insufficient string `json:"insufficient,omitempty"`
}

// insufficientProps says why a difference of proportions is not reported, or "".
func insufficientProps(what1 string, n1 int, what2 string, n2, minN int, se float64) string {
	switch {
	case n1 < minN || n2 < minN:
		return "insufficient data: " + itoa(n1) + " " + what1 + " and " + itoa(n2) + " " + what2 +
			", need at least " + itoa(minN) + " of each"
	case !(se > 0):
		return "undefined: the standard error is 0 (every proportion is 0 or 1)"
	}
	return ""
}

// MarshalJSON writes d with undefined numbers as null.
func (d Disposition) MarshalJSON() ([]byte, error) {
	o := open(nil)
	o.int("moments", d.Moments)
	o.int("excluded", d.Excluded)
	o.int("rg", d.RG)
	o.int("rl", d.RL)
	o.int("pg", d.PG)
	o.int("pl", d.PL)
	o.int("paperUnknown", d.PaperUnknown)
	o.exact("pgr", d.PGR)
	o.exact("plr", d.PLR)
	o.exact("de", d.DE)
	o.exact("se", d.SE)
	o.exact("t", d.T)
	o.omitEmpty("insufficient", d.Insufficient)
	d.Clustered.write(&o)
	return o.close(), nil
}

// MarshalJSON writes v with undefined numbers as null.
func (v Overtrading) MarshalJSON() ([]byte, error) {
	o := open(nil)
	o.int("trades", v.Trades)
	o.int("activeDays", v.ActiveDays)
	o.exact("tradesPerActiveDay", v.TradesPerActiveDay)
	o.exact("medianTradesPerDay", v.MedianTradesPerDay)
	o.int("overtradedDays", v.OvertradedDays)
	o.str("quote", v.Quote)
	o.int("months", v.Months)
	o.exact("monthlyTurnover", v.MonthlyTurnover)
	o.exact("annualTurnover", v.AnnualTurnover)
	o.int("unpricedMonths", v.UnpricedMonths)
	o.exact("notional", v.Notional)
	o.exact("fees", v.Fees)
	o.exact("meanValue", v.MeanValue)
	o.exact("feeRate", v.FeeRate)
	o.exact("feeDrag", v.FeeDrag)
	o.int("feesUnknown", v.FeesUnknown)
	o.omitEmpty("insufficient", v.Insufficient)
	return o.close(), nil
}

// MarshalJSON writes l with undefined numbers as null.
func (l LossChasing) MarshalJSON() ([]byte, error) {
	o := open(nil)
	o.int("afterLoss", l.AfterLoss)
	o.int("afterGain", l.AfterGain)
	o.int("bigAfterLoss", l.BigAfterLoss)
	o.int("bigAfterGain", l.BigAfterGain)
	o.exact("pLoss", l.PLoss)
	o.exact("pGain", l.PGain)
	o.exact("diff", l.Diff)
	o.exact("se", l.SE)
	o.exact("t", l.T)
	o.omitEmpty("insufficient", l.Insufficient)
	l.Clustered.write(&o)
	return o.close(), nil
}

// MarshalJSON writes h with undefined numbers as null; hold times are in seconds.
func (h HoldingLosers) MarshalJSON() ([]byte, error) {
	o := open(nil)
	o.int("winners", h.Winners)
	o.int("losers", h.Losers)
	o.exact("meanWinnerHoldSeconds", h.MeanWinnerHold.Seconds())
	o.exact("meanLoserHoldSeconds", h.MeanLoserHold.Seconds())
	o.exact("ratio", h.Ratio)
	o.omitEmpty("insufficient", h.Insufficient)
	return o.close(), nil
}

// write adds c to o as the object "clustered", with undefined numbers as null.
func (c Clustered) write(o *jsonObj) {
	o.begin("clustered")
	o.int("clusters", c.Clusters)
	o.exact("se", c.SE)
	o.exact("t", c.T)
	o.end()
}

// UnmarshalJSON reads what MarshalJSON writes, null as NaN, so that a payload carrying d (a
// digest's) reads back as it was.
func (d *Disposition) UnmarshalJSON(b []byte) error {
	var w struct {
		Moments      int               `json:"moments"`
		Excluded     int               `json:"excluded"`
		RG           int               `json:"rg"`
		RL           int               `json:"rl"`
		PG           int               `json:"pg"`
		PL           int               `json:"pl"`
		PaperUnknown int               `json:"paperUnknown"`
		PGR          *float64          `json:"pgr"`
		PLR          *float64          `json:"plr"`
		DE           *float64          `json:"de"`
		SE           *float64          `json:"se"`
		T            *float64          `json:"t"`
		Insufficient string            `json:"insufficient"`
		Clustered    clusteredNullable `json:"clustered"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = Disposition{Moments: w.Moments, Excluded: w.Excluded, RG: w.RG, RL: w.RL, PG: w.PG, PL: w.PL,
		PaperUnknown: w.PaperUnknown, PGR: orNaN(w.PGR), PLR: orNaN(w.PLR), DE: orNaN(w.DE), SE: orNaN(w.SE),
		T: orNaN(w.T), Insufficient: w.Insufficient, Clustered: w.Clustered.value()}
	return nil
}

// UnmarshalJSON reads what MarshalJSON writes, null as NaN.
func (l *LossChasing) UnmarshalJSON(b []byte) error {
	var w struct {
		AfterLoss    int               `json:"afterLoss"`
		AfterGain    int               `json:"afterGain"`
		BigAfterLoss int               `json:"bigAfterLoss"`
		BigAfterGain int               `json:"bigAfterGain"`
		PLoss        *float64          `json:"pLoss"`
		PGain        *float64          `json:"pGain"`
		Diff         *float64          `json:"diff"`
		SE           *float64          `json:"se"`
		T            *float64          `json:"t"`
		Insufficient string            `json:"insufficient"`
		Clustered    clusteredNullable `json:"clustered"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*l = LossChasing{AfterLoss: w.AfterLoss, AfterGain: w.AfterGain, BigAfterLoss: w.BigAfterLoss, BigAfterGain: w.BigAfterGain,
		PLoss: orNaN(w.PLoss), PGain: orNaN(w.PGain), Diff: orNaN(w.Diff), SE: orNaN(w.SE), T: orNaN(w.T),
		Insufficient: w.Insufficient, Clustered: w.Clustered.value()}
	return nil
}

// clusteredNullable is Clustered as JSON has it, null for NaN.
type clusteredNullable struct {
	Clusters int      `json:"clusters"`
	SE       *float64 `json:"se"`
	T        *float64 `json:"t"`
}

func (c clusteredNullable) value() Clustered {
	return Clustered{Clusters: c.Clusters, SE: orNaN(c.SE), T: orNaN(c.T)}
}

// orNaN is *p, or NaN for a JSON null.
func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// MarshalJSON writes c with undefined numbers as null.
func (c Clustered) MarshalJSON() ([]byte, error) {
	o := open(nil)
	o.int("clusters", c.Clusters)
	o.exact("se", c.SE)
	o.exact("t", c.T)
	return o.close(), nil
}

// UnmarshalJSON reads what MarshalJSON writes, null as NaN.
func (c *Clustered) UnmarshalJSON(b []byte) error {
	var w clusteredNullable
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = w.value()
	return nil
}
