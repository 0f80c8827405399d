package digest

import (
	"encoding/json"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
)

// PayloadVersion is the version of the Payload shape, written as "v". A change that alters the
// meaning of a published field gets a new version.
const PayloadVersion = 1

// Payload is the content of a weekly digest, stored as coach.Digest.Payload. Build makes it; its
// JSON field names are stable (see the package doc for each one). Money figures are decimal
// strings in Quote; figures of trades in another quote asset are never added in (DataQuality
// counts them).
type Payload struct {
	V           int        `json:"v"`
	Week        string     `json:"week"`
	TimeZone    string     `json:"timeZone"`
	PeriodStart coach.Date `json:"periodStart"`
	PeriodEnd   coach.Date `json:"periodEnd"`
	// Quote is the asset of every money figure: the quote asset most of the week's trades use
	// (ties: alphabetical), "" for a week without trades.
	Quote string `json:"quote"`
	// TradeCount is the number of the week's fills; ActiveDays the local days with at least one.
	TradeCount int `json:"tradeCount"`
	ActiveDays int `json:"activeDays"`
	// Closes counts the week's fills that realized P/L (in Quote); Realized is their realized P/L
	// (FIFO ledger), Fees the fees charged on the week's fills.
	Closes   int             `json:"closes"`
	Realized decimal.Decimal `json:"realized"`
	Fees     decimal.Decimal `json:"fees"`
	// CountsByBias counts the week's orders carrying each label (only labels with at least one):
	// the fills of one order (bias.OrderKey) carry the same labels and count once.
	CountsByBias map[string]int `json:"countsByBias"`
	// PnLByBias attributes realized P/L to each label; see Bucket. A trade with two labels counts
	// in both, so the buckets do not add up to Realized: Labelled (each portion of P/L once) plus
	// Unlabelled does.
	PnLByBias  map[string]Bucket `json:"pnlByBias"`
	Labelled   Bucket            `json:"labelled"`
	Unlabelled Bucket            `json:"unlabelled"`
	// Days has the seven days of the week, Monday first.
	Days []Day `json:"days"`
	// Streaks are the trader's rule streaks at the end of the week; nil without rules.
	Streaks *Streaks `json:"streaks"`
	// RuleViolations has one entry per rule evaluated, most broken first.
	RuleViolations []Violation `json:"ruleViolations"`
	// VsPreviousWeek compares with the week before; nil when there is nothing to compare with.
	VsPreviousWeek *Comparison `json:"vsPreviousWeek,omitempty"`
	Suggestion     Suggestion  `json:"suggestion"`
	DataQuality    DataQuality `json:"dataQuality"`
	// InCurrency has the week's money in the user's reporting currency, with the evidence of each
	// conversion and what could not be converted; absent when Build had no Input.Converter.
	InCurrency *CurrencyFigures `json:"inCurrency,omitempty"`
	// Account is the account effects of the last month that ended by the end of the week;
	// absent when Build had no Input.Windows or no month has ended yet.
	Account *AccountMonth `json:"account,omitempty"`
}

// Bucket is realized P/L attributed to a group of trades.
//
// Attribution follows positions: the P/L a closing fill realizes is split into portions by the
// FIFO lots it closed, the lots of entries with the same labels taken together (Σ quantity ×
// (exit price − entry price), less the close's fees pro-rated by quantity; the last portion is
// the remainder, so the portions add up exactly), and each portion is attributed to the labels of
// the closing fill and of the fills that opened its lots. So a FOMO buy is charged with what its position made or lost
// when it was sold, and a PANIC sell with what it realized. Only closes of this week count, even
// when the entry was earlier.
type Bucket struct {
	// Realized is the P/L attributed, in Payload.Quote.
	Realized decimal.Decimal `json:"realized"`
	// Trades counts the week's fills in the group (for a label: those carrying it).
	Trades int `json:"trades"`
	// Closes counts the week's closing fills with at least one portion attributed to the group.
	// A close split between groups counts in each.
	Closes int `json:"closes"`
	// Excluded counts, for a label, the fills of Trades that the trader took out of the label's
	// attribution (a coach.TagDispute with ExcludeFromAttribution): the P/L of their lots is not in
	// Realized or Closes. Absent when zero.
	Excluded int `json:"excluded,omitempty"`
}

// Day is one local day of the week.
type Day struct {
	Date   coach.Date `json:"date"`
	Trades int        `json:"trades"`
	// Realized is the day's realized P/L; Cumulative the week's up to the end of the day.
	Realized   decimal.Decimal `json:"realized"`
	Cumulative decimal.Decimal `json:"cumulative"`
}

// Streak is the current and longest run of trades and of days that kept the rules (see
// rules.Standing: undecided trades and days without trades neither break nor extend a run).
type Streak struct {
	// RuleID and Kind name the rule; both are "" for the overall streak.
	RuleID        string `json:"ruleId,omitempty"`
	Kind          string `json:"kind,omitempty"`
	CurrentTrades int    `json:"currentTrades"`
	BestTrades    int    `json:"bestTrades"`
	CurrentDays   int    `json:"currentDays"`
	BestDays      int    `json:"bestDays"`
}

// Streaks holds the overall streak and one per rule, in the rules' order.
type Streaks struct {
	Overall Streak   `json:"overall"`
	Rules   []Streak `json:"rules"`
}

// Violation counts one rule's verdicts on the week's trades.
type Violation struct {
	RuleID string `json:"ruleId"`
	Kind   string `json:"kind"`
	// Count is the number of broken verdicts; Checked the decided ones (followed or broken);
	// Undecided those the data could not decide.
	Count     int `json:"count"`
	Checked   int `json:"checked"`
	Undecided int `json:"undecided"`
}

// Comparison is this week minus the previous week.
type Comparison struct {
	// Week and PeriodStart name the previous week.
	Week        string     `json:"week"`
	PeriodStart coach.Date `json:"periodStart"`
	TradeCount  int        `json:"tradeCount"`
	ActiveDays  int        `json:"activeDays"`
	// Realized and Fees are nil when the two weeks' money is in different quote assets.
	Realized *decimal.Decimal `json:"realized"`
	Fees     *decimal.Decimal `json:"fees"`
	// CountsByBias has a delta for every label of either week.
	CountsByBias map[string]int `json:"countsByBias"`
	// RuleViolations is the change in broken verdicts over all rules.
	RuleViolations int `json:"ruleViolations"`
}

// Suggestion kinds.
const (
	// SuggestLabel: work on one bias label (Suggestion.Label).
	SuggestLabel = "label"
	// SuggestRule: keep one rule that was broken (Suggestion.RuleID).
	SuggestRule = "rule"
	// SuggestKeep: the week's trades kept the trader's rules; keep going.
	SuggestKeep = "keep"
	// SuggestNone: nothing stood out (or no trades).
	SuggestNone = "none"
)

// Suggestion is the one thing the digest suggests, chosen deterministically from the evidence by
// the first of these that applies:
//
//  1. a label of the week (other than DISCIPLINE) with a simulation that would have done better
//     (a positive Delta in the digest's quote asset): the one with the largest Delta, citing it;
//  2. a label whose attributed P/L is a loss: the largest loss;
//  3. a rule broken this week: the most broken;
//  4. any other label of the week: the most frequent;
//  5. DISCIPLINE trades and no broken rule: keep going (SuggestKeep);
//  6. nothing: a quiet week (SuggestNone).
//
// Ties go to the larger count, then the label or rule id in byte order. Text is at most
// MaxSuggestion characters and speaks of a pattern only when the evidence counts at least
// bias.MinTrendEvents trades over at least two days and DataQuality.Insufficient is not set;
// otherwise it states what happened this week and nothing about trends.
type Suggestion struct {
	Kind   string `json:"kind"`
	Label  string `json:"label,omitempty"`
	RuleID string `json:"ruleId,omitempty"`
	Text   string `json:"text"`
	// Evidence holds the numbers the choice rests on.
	Evidence Evidence `json:"evidence"`
	// Scenario and SimulationDelta are the what-if simulation cited, when there is one: how much
	// better (in Payload.Quote) the week would have been under Scenario.
	Scenario        string           `json:"scenario,omitempty"`
	SimulationDelta *decimal.Decimal `json:"simulationDelta,omitempty"`
	// Note is one plain sentence saying why SimulationDelta and the label's realized P/L
	// (Evidence.Realized) differ, with both figures, when they differ materially (see
	// SimulationNote); absent otherwise. Hosts show it beside the two figures.
	Note string `json:"note,omitempty"`
}

// Evidence is what a suggestion rests on.
type Evidence struct {
	// Count is the number of trades with the label, or of broken verdicts of the rule.
	Count int `json:"count"`
	// Days is the number of local days they fell on.
	Days int `json:"days"`
	// Realized is the P/L attributed to the label (zero for a rule).
	Realized decimal.Decimal `json:"realized"`
	// Pattern is true when Count and Days are enough to speak of a pattern.
	Pattern bool `json:"pattern"`
}

// DataQuality says what the figures could not account for.
type DataQuality struct {
	// Insufficient is set when the week is too thin for trend language: fewer than two active
	// days or fewer than bias.MinTrendEvents trades. Reasons says why.
	Insufficient bool     `json:"insufficient"`
	Reasons      []string `json:"reasons"`
	// UnknownFees counts the week's fills with no fee reported (counted as zero); UnvaluedFees
	// those whose fee is in a third asset (not in Fees).
	UnknownFees  int `json:"unknownFees"`
	UnvaluedFees int `json:"unvaluedFees"`
	// UncoveredSells counts the week's sells beyond the holdings the history shows (their excess
	// has no P/L); LedgerErrors the fills the ledger could not take in full.
	UncoveredSells int `json:"uncoveredSells"`
	LedgerErrors   int `json:"ledgerErrors"`
	// OtherQuoteTrades counts the week's fills in a quote asset other than Quote: they count in
	// TradeCount and CountsByBias but in no money figure.
	OtherQuoteTrades int `json:"otherQuoteTrades"`
	// UnattributedCloses counts closes whose lots could not be traced to their entries; their
	// P/L is attributed to the closing fill's labels only.
	UnattributedCloses int `json:"unattributedCloses"`
}

// ParsePayload reads a stored digest payload. Anything but a JSON object of this shape and
// version, or an amount beyond what money takes (coach.MoneyOK), is EINVALID.
func ParsePayload(b []byte) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		return Payload{}, coach.Errorf(coach.EINVALID, "digest payload: not a valid payload")
	}
	if p.V != PayloadVersion {
		return Payload{}, coach.Errorf(coach.EINVALID, "digest payload: version %d, want %d", p.V, PayloadVersion)
	}
	if err := p.checkAmounts(); err != nil {
		return Payload{}, err
	}
	return p, nil
}

// checkAmounts reports an amount out of the range money takes (coach.MoneyOK: what Build makes
// of valid trades), which a hand-made or tampered payload could hold and which must never be
// written out in full.
func (p *Payload) checkAmounts() error {
	ok := coach.MoneyOK
	bad := func(field string) error {
		return coach.Errorf(coach.EINVALID, "digest payload: %s: amount out of range", field)
	}
	if !ok(p.Realized) || !ok(p.Fees) || !ok(p.Labelled.Realized) || !ok(p.Unlabelled.Realized) {
		return bad("realized or fees")
	}
	for _, b := range p.PnLByBias {
		if !ok(b.Realized) {
			return bad("pnlByBias")
		}
	}
	for _, d := range p.Days {
		if !ok(d.Realized) || !ok(d.Cumulative) {
			return bad("days")
		}
	}
	if c := p.VsPreviousWeek; c != nil && (c.Realized != nil && !ok(*c.Realized) || c.Fees != nil && !ok(*c.Fees)) {
		return bad("vsPreviousWeek")
	}
	if s := p.Suggestion; !ok(s.Evidence.Realized) || s.SimulationDelta != nil && !ok(*s.SimulationDelta) {
		return bad("suggestion")
	}
	if c := p.InCurrency; c != nil && !c.amountsOK(ok) {
		return bad("inCurrency")
	}
	return nil
}
