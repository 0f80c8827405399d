package brokertest

import (
	"encoding/json"
	"time"

	"github.com/tradecoach/coach"
)

// The validation persona's own decision rules and thresholds (issue 14, point 4).
//
// They were committed before any tuning of the bias definitions and are not to be changed to make
// a scorer look good: the persona is a yardstick. They are chosen from how a retail trader acts,
// not from the features package bias reads, and the trader decides on intent — a random draw,
// once per occasion, whether this occasion triggers the behaviour — so that the same market
// picture gives a labelled order on one day and a neutral or planned one on another.
//
// The trader watches the closes of the minute bars that closed before it acts; an order placed
// in minute t fills inside bar t (market orders near its open, resting stop and target orders at
// their level). The decision rules, in the order the trader applies them each minute:
//
//  1. Exits of open positions (one position per symbol at most):
//     - a planned position whose bar touches its stop: with probability vpBagProb the trader
//     cancels the stop and keeps the loser (a "bag", HOLDING_LOSERS on its eventual sale);
//     otherwise the stop fills at its level (DISCIPLINE; during a sharp drop this is the
//     near-miss of PANIC);
//     - a planned position whose bar touches its target: the target fills (DISCIPLINE);
//     - a sharp drop (the last close at least vpPanicDrop below the highest close of the last
//     vpPanicLookback) while the position is at least vpPanicMinLoss under water at the last
//     close (and, for a planned position, still above its stop): once per drop, the trader
//     sells the whole position at market with probability vpPanicProbPlanned (planned) or
//     vpPanicProbImpulsive (FOMO or REVENGE entries, which have no stop): PANIC;
//     - a "nervous" planned position (drawn at entry, vpNervousProb) sells at market as soon as
//     it is vpNervousGainMin–vpNervousGainMax in profit within vpNervousWindow: neutral (a
//     quick gain, off plan but no label);
//     - a bag sells when the price is back to within vpGetEven of its entry, or after its
//     holding limit (vpBagHoldMin–vpBagHoldMax days): HOLDING_LOSERS;
//     - an impulsive position takes vpImpulsiveTarget of profit, or at vpImpulsiveCut of loss
//     becomes a bag with probability vpBagProbImpulsive (else sells: neutral), or sells at
//     its time limit (vpImpulsiveHoldMin–vpImpulsiveHoldMax hours): neutral;
//     - a scalp sells after its holding time (vpScalpHoldMin–vpScalpHoldMax minutes): OVERTRADING.
//  2. Revenge: after a realized loss of at least vpRevengeMinLoss of the position's cost, with
//     probability vpRevengeProb the trader buys again vpRevengeDelayMin–vpRevengeDelayMax minutes
//     later, vpRevengeSizeMin–vpRevengeSizeMax times its plan size, in the same symbol if free,
//     else another free one: REVENGE.
//  3. Chasing a rally: when the last close is at least vpChaseRise above the lowest close of the
//     last vpChaseLookback and within vpChaseNearHigh of the highest, once per rally (not again
//     on that symbol for vpChaseRearm) the trader buys at market with probability vpChaseProb,
//     vpChaseSizeMin–vpChaseSizeMax times its plan size, without a stop: FOMO.
//  4. Overtrading: on a day drawn with probability vpSpreeProb the trader drops its plan and
//     scalps vpSpreeMin–vpSpreeMax round trips of vpScalpSizeMin–vpScalpSizeMax times its plan
//     size, spread over vpSpreeHoursMin–vpSpreeHoursMax hours: OVERTRADING on each scalp order
//     (REVENGE too when a scalp is a revenge entry).
//  5. The written plan, checked at the top of each hour, never on a spree day, never within its
//     cooldown after a realized loss: a pullback in an uptrend (the last close at least
//     vpTrendMin above the close vpTrendLookback earlier and vpPullbackMin–vpPullbackMax below
//     the highest close of the last vpPullbackLookback) taken with probability vpPullbackProb;
//     or a continuation after a rally (a rally per rule 3 seen vpAfterRallyMin–vpAfterRallyMax
//     ago, the last vpConsolidation of closes within a range of vpConsolidationRange, the close
//     within vpAfterRallyNear of the rally's high) taken with probability vpAfterRallyProb —
//     the near-miss of FOMO. Entries are planNotional, or planConvictionNotional when the trend
//     is at least vpConvictionTrend (a larger size that is not after a loss: the near-miss of
//     REVENGE), with the stop and target of the plan: DISCIPLINE.
//
// Fills: an order fills in one piece, or with probability vpSplitProb in vpSplitMin–vpSplitMax
// partial fills of the same time and symbol, each a tick or two worse than the last.
const (
	// The written plan (ValidationPlan gives it as coach.Rule values).
	planStopPct            = 2.5    // stopLossPct: stop 2.5% under the entry
	planTargetPct          = 4.0    // takeProfitPct: target 4% over the entry
	planCooldown           = 60     // cooldownAfterLoss: minutes without an entry after a realized loss
	planMaxNotional        = 2500.0 // maxNotionalPerTrade, USDT
	planNotionalUSDT       = 1000.0 // the plan's usual entry, USDT
	planConvictionNotional = 2000.0 // the plan's entry for a strong trend, USDT

	// Planned setups.
	vpTrendLookback      = 24 * time.Hour
	vpTrendMin           = 0.01
	vpConvictionTrend    = 0.06
	vpPullbackLookback   = 6 * time.Hour
	vpPullbackMin        = 0.012
	vpPullbackMax        = 0.03
	vpPullbackProb       = 0.3
	vpAfterRallyMin      = 3 * time.Hour
	vpAfterRallyMax      = 8 * time.Hour
	vpConsolidation      = 2 * time.Hour
	vpConsolidationRange = 0.015
	vpAfterRallyNear     = 0.03
	vpAfterRallyProb     = 0.6

	// FOMO: chasing a rally.
	vpChaseLookback = 3 * time.Hour
	vpChaseRise     = 0.04
	vpChaseNearHigh = 0.01
	vpChaseProb     = 0.5
	vpChaseRearm    = 6 * time.Hour
	vpChaseSizeMin  = 1.0
	vpChaseSizeMax  = 2.0

	// PANIC: bailing out in fear.
	vpPanicLookback      = 2 * time.Hour
	vpPanicDrop          = 0.04
	vpPanicMinLoss       = 0.01
	vpPanicProbPlanned   = 0.5
	vpPanicProbImpulsive = 0.75
	vpPanicRearm         = 2 * time.Hour

	// REVENGE: sizing up after a loss.
	vpRevengeMinLoss  = 0.01
	vpRevengeProb     = 0.45
	vpRevengeDelayMin = 3  // minutes
	vpRevengeDelayMax = 40 // minutes
	vpRevengeSizeMin  = 2.2
	vpRevengeSizeMax  = 3.5

	// OVERTRADING: scalping sprees.
	vpSpreeProb     = 0.1
	vpSpreeMin      = 12
	vpSpreeMax      = 24
	vpSpreeHoursMin = 6
	vpSpreeHoursMax = 10
	vpScalpSizeMin  = 0.4
	vpScalpSizeMax  = 1.0
	vpScalpHoldMin  = 2  // minutes
	vpScalpHoldMax  = 40 // minutes

	// HOLDING_LOSERS: bags held hoping to get even.
	vpBagProb          = 0.2
	vpBagProbImpulsive = 0.5
	vpGetEven          = 0.004
	vpBagHoldMin       = 2 // days
	vpBagHoldMax       = 6 // days

	// Quick gains of nervous planned positions (neutral).
	vpNervousProb    = 0.3
	vpNervousGainMin = 0.006
	vpNervousGainMax = 0.010
	vpNervousWindow  = 3 * time.Hour

	// Impulsive (FOMO and REVENGE) positions, which have no stop.
	vpImpulsiveTarget  = 0.03
	vpImpulsiveCut     = 0.05
	vpImpulsiveHoldMin = 6  // hours
	vpImpulsiveHoldMax = 30 // hours

	// Partial fills.
	vpSplitProb = 0.3
	vpSplitMin  = 2
	vpSplitMax  = 6

	// The null trader: entries at random times (a Poisson process of nullEntriesPerDay on each
	// symbol that is flat), notionals log-normal around nullMedianNotional (σ nullSizeSigma of
	// the log, clipped to [nullMinNotional, nullMaxNotional]), holding times exponential with
	// mean nullMeanHold, clipped to [nullMinHold, nullMaxHold]. Its fills split like the persona's.
	nullEntriesPerDay  = 1.0
	nullMedianNotional = 1000.0
	nullSizeSigma      = 0.5
	nullMinNotional    = 200.0
	nullMaxNotional    = 5000.0
	nullMeanHold       = 8 * time.Hour
	nullMinHold        = 2 * time.Minute
	nullMaxHold        = 5 * 24 * time.Hour
)

// The rule kinds of the validation persona's written plan. TakeProfitPct is not a kind package
// rules knows (yet): a scorer that reads the plan through rules.Parse skips it.
const (
	RuleKindStopLossPct         = "stopLossPct"
	RuleKindTakeProfitPct       = "takeProfitPct"
	RuleKindCooldownAfterLoss   = "cooldownAfterLoss"
	RuleKindMaxNotionalPerTrade = "maxNotionalPerTrade"
)

// ValidationPlan returns the validation persona's written plan as the trader's active rules, for
// userID, with fixed ids ("plan-stop", "plan-target", "plan-cooldown", "plan-size") and
// CreatedAt at: a stop 2.5% under each entry, a target 4% over it, no entry within 60 minutes of
// a realized loss, no entry above 2,500 USDT. The persona's DISCIPLINE orders keep every one of
// them, and its planned exits fill at the stop or target level.
func ValidationPlan(userID string, at time.Time) []coach.Rule {
	rule := func(id, kind string, params any) coach.Rule {
		b, _ := json.Marshal(params) // maps of numbers and strings always marshal
		return coach.Rule{ID: id, UserID: userID, Kind: kind, Params: b, Active: true, CreatedAt: at}
	}
	return []coach.Rule{
		rule("plan-stop", RuleKindStopLossPct, map[string]float64{"pct": planStopPct}),
		rule("plan-target", RuleKindTakeProfitPct, map[string]float64{"pct": planTargetPct}),
		rule("plan-cooldown", RuleKindCooldownAfterLoss, map[string]int{"minutes": planCooldown}),
		rule("plan-size", RuleKindMaxNotionalPerTrade, map[string]string{"amount": "2500", "quote": "USDT"}),
	}
}
