package bias

import "math"

// DispositionCounts are the counts behind Disposition's ratios, with the JSON names of its
// fields. Counts from several accounts add up (Add) to the counts of the pooled sample.
type DispositionCounts struct {
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
}

// Counts returns the counts d was computed from: DispositionFromCounts(d.Counts(), minEvents)
// gives d again, bit for bit, with the minEvents (Config.MinEvents) it was scored with.
func (d Disposition) Counts() DispositionCounts {
	return DispositionCounts{Moments: d.Moments, Excluded: d.Excluded, RG: d.RG, RL: d.RL, PG: d.PG, PL: d.PL,
		PaperUnknown: d.PaperUnknown}
}

// Add returns the sum of c and o, field by field.
func (c DispositionCounts) Add(o DispositionCounts) DispositionCounts {
	return DispositionCounts{
		Moments: c.Moments + o.Moments, Excluded: c.Excluded + o.Excluded,
		RG: c.RG + o.RG, RL: c.RL + o.RL, PG: c.PG + o.PG, PL: c.PL + o.PL,
		PaperUnknown: c.PaperUnknown + o.PaperUnknown,
	}
}

// DispositionFromCounts computes Odean's (1998) statistic from counts: PGR = RG/(RG+PG),
// PLR = RL/(RL+PL), DE = PGR − PLR, SE = √(PGR(1−PGR)/(RG+PG) + PLR(1−PLR)/(RL+PL)) and
// T = DE/SE (ProportionDiff), exactly as Score computes an account's. Undefined values are NaN,
// never 0: a proportion with no gains (RG+PG = 0) or no losses (RL+PL = 0), and T when SE = 0.
// Counts have no positions, so Clustered is undefined (Clusters 0, SE and T NaN).
// Insufficient says why when there are fewer than minEvents gains (realized or paper) or losses
// (a minEvents below 1 counts as 1), when SE is 0, or when a count is negative (then every ratio
// is NaN).
func DispositionFromCounts(c DispositionCounts, minEvents int) Disposition {
	d := Disposition{Moments: c.Moments, Excluded: c.Excluded, RG: c.RG, RL: c.RL, PG: c.PG, PL: c.PL,
		PaperUnknown: c.PaperUnknown, Clustered: Clustered{SE: math.NaN(), T: math.NaN()}}
	if c.RG < 0 || c.RL < 0 || c.PG < 0 || c.PL < 0 {
		nan := math.NaN()
		d.PGR, d.PLR, d.DE, d.SE, d.T = nan, nan, nan, nan, nan
		d.Insufficient = "invalid: a count of gains or losses is negative"
		return d
	}
	d.PGR, d.PLR, d.DE, d.SE, d.T = ProportionDiff(c.RG, c.RG+c.PG, c.RL, c.RL+c.PL)
	d.Insufficient = insufficientProps("gains (realized or paper)", c.RG+c.PG, "losses", c.RL+c.PL, max(minEvents, 1), d.SE)
	return d
}

// PoolDisposition pools accounts as Odean (1998) pooled his 10,000: it sums their counts and
// computes PGR, PLR, DE, Odean's SE and t from the sums (DispositionFromCounts with
// DefaultConfig's MinEvents, 5; for another minimum, sum with Add and call
// DispositionFromCounts). It is not an average of the accounts' own ratios: an account with many
// decisions weighs more. Like Odean, it treats every decision in every account as an independent
// event, which understates SE when an account's decisions are correlated.
func PoolDisposition(accounts ...DispositionCounts) Disposition {
	var sum DispositionCounts
	for _, a := range accounts {
		sum = sum.Add(a)
	}
	return DispositionFromCounts(sum, DefaultConfig().MinEvents)
}
