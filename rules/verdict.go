package rules

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/tradecoach/coach"
)

// Outcome is what a rule made of a trade.
type Outcome uint8

// Outcomes.
const (
	// Followed: the rule applied and the trade kept it.
	Followed Outcome = iota + 1
	// Broken: the rule applied and the trade broke it.
	Broken
	// Undecided: the rule applied but the data to decide were missing (Verdict.Reason says
	// which). It is never counted as followed.
	Undecided
)

// String returns "followed", "broken" or "undecided".
func (o Outcome) String() string {
	switch o {
	case Followed:
		return "followed"
	case Broken:
		return "broken"
	case Undecided:
		return "undecided"
	}
	return "unknown"
}

// MarshalText writes the outcome's String.
func (o Outcome) MarshalText() ([]byte, error) {
	if o < Followed || o > Undecided {
		return nil, coach.Errorf(coach.EINVALID, "outcome: unknown value %d", o)
	}
	return []byte(o.String()), nil
}

// UnmarshalText reads "followed", "broken" or "undecided".
func (o *Outcome) UnmarshalText(b []byte) error {
	for _, c := range []Outcome{Followed, Broken, Undecided} {
		if string(b) == c.String() {
			*o = c
			return nil
		}
	}
	return coach.Errorf(coach.EINVALID, "outcome: want followed, broken or undecided")
}

// Reasons a verdict is Undecided.
const (
	// ReasonNoCandles: no candle of the symbol closed at or before the time needed.
	ReasonNoCandles = "noCandles"
	// ReasonMissingCandle: a candle the rule needs is missing (a gap in the data).
	ReasonMissingCandle = "missingCandle"
	// ReasonNoEntry: a sell of a position whose entry the trades do not show (the history
	// starts mid-position, or the fill could not be taken by the ledger).
	ReasonNoEntry = "noEntry"
	// ReasonOpen: the position is still open and has not reached its stop.
	ReasonOpen = "open"
)

// Verdict is one rule's judgement of one trade.
type Verdict struct {
	RuleID string `json:"ruleId"`
	Kind   string `json:"kind"`
	// TradeID is the trade's ID, or its ExtID when it has no ID.
	TradeID string `json:"tradeId"`
	// At is when the verdict was decided: the trade's TS, except for stopLossPct on a buy (see
	// StopLossPct). Days of streaks are the days of At.
	At      time.Time `json:"at"`
	Outcome Outcome   `json:"outcome"`
	// Reason is one of the Reason constants when Outcome is Undecided, "" otherwise.
	Reason string `json:"reason,omitempty"`
	// Evidence is a compact JSON object with the numbers that decided the verdict, keys in a
	// fixed order per kind.
	Evidence json.RawMessage `json:"evidence"`
}

// RuleRef names a rule that was evaluated.
type RuleRef struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
}

// Evaluation is the outcome of Evaluate. It is immutable once returned and safe for concurrent
// use.
type Evaluation struct {
	// Rules are the active rules evaluated, in the order given.
	Rules []RuleRef `json:"rules"`
	// Verdicts are grouped by trade, trades in the trade order (TS, Broker, ExtID, ID), and
	// within a trade in the order of Rules. A rule that does not apply to a trade gives none.
	Verdicts []Verdict `json:"verdicts"`
	// Trades is the number of trades evaluated.
	Trades int `json:"trades"`
	// Data reports what was done with the candles.
	Data DataReport `json:"data"`

	// seq is each verdict's trade position in the trade order (nil for an Evaluation not made by
	// Evaluate).
	seq []int32

	once  sync.Once
	index map[string][2]int32 // trade key → [first, end) of its verdicts
}

// DataReport counts what Evaluate did with the candles of the symbols traded.
type DataReport struct {
	// Candles is the number of bars used.
	Candles int `json:"candles"`
	// Invalid bars were dropped: a price or volume not finite, a price not > 0, low above open,
	// close or high, a negative volume, an unknown interval or an OpenTime not aligned to it, or
	// a Symbol other than the series'.
	Invalid int `json:"invalid"`
	// OtherInterval bars were dropped because the symbol had bars of a shorter interval: of
	// each symbol's candles, those of the shortest interval given are used.
	OtherInterval int `json:"otherInterval"`
	// Duplicates were identical repeats of a bar; one copy is kept.
	Duplicates int `json:"duplicates"`
	// Conflicting bars were given more than once with different values; every copy is dropped,
	// so the bar is a gap.
	Conflicting int `json:"conflicting"`
}

// Window returns the verdicts of e with At in [from, to) (a zero bound is open), as an
// Evaluation of the same rules. Trades counts the trades that still have a verdict.
func (e *Evaluation) Window(from, to time.Time) *Evaluation {
	out := &Evaluation{Rules: e.Rules, Data: e.Data, Verdicts: []Verdict{}}
	last := int32(-1)
	lastKey := ""
	for i := range e.Verdicts {
		v := &e.Verdicts[i]
		if !from.IsZero() && v.At.Before(from) || !to.IsZero() && !v.At.Before(to) {
			continue
		}
		out.Verdicts = append(out.Verdicts, *v)
		if e.seq != nil {
			out.seq = append(out.seq, e.seq[i])
			if e.seq[i] != last {
				out.Trades++
				last = e.seq[i]
			}
		} else if v.TradeID != lastKey || out.Trades == 0 {
			out.Trades++
			lastKey = v.TradeID
		}
	}
	return out
}

// Of returns the verdicts on the trade with ID (or, without one, ExtID) id, in the order of
// Rules; nil when no rule applied to it.
func (e *Evaluation) Of(id string) []Verdict {
	e.once.Do(e.buildIndex)
	r, ok := e.index[id]
	if !ok {
		return nil
	}
	return e.Verdicts[r[0]:r[1]:r[1]]
}

func (e *Evaluation) buildIndex() {
	e.index = make(map[string][2]int32)
	for i := 0; i < len(e.Verdicts); {
		j := i + 1
		for j < len(e.Verdicts) && e.sameTrade(i, j) {
			j++
		}
		if _, seen := e.index[e.Verdicts[i].TradeID]; !seen {
			e.index[e.Verdicts[i].TradeID] = [2]int32{int32(i), int32(j)}
		}
		i = j
	}
}

// sameTrade reports whether verdicts i and j judge the same trade.
func (e *Evaluation) sameTrade(i, j int) bool {
	if e.seq != nil {
		return e.seq[i] == e.seq[j]
	}
	return e.Verdicts[i].TradeID == e.Verdicts[j].TradeID
}

// Check gives the trader's rules' verdict on t for the DISCIPLINE label of package bias
// (bias.RuleChecker, see the package doc): checked is how many rules were decided on t and
// broken the kinds of those it broke, in rule order. It uses only verdicts decided at or before
// t.TS (so not whether a buy's position was later held past its stop), which keeps to bias's
// rule that a checker uses nothing after t. When a rule applied but could not be decided and
// none was broken, checked is 0: a trade is vouched for only when every rule that applied to it
// was decided. t is found by ID, or ExtID when it has none.
func (e *Evaluation) Check(t coach.Trade) (checked int, broken []string) {
	key := t.ID
	if key == "" {
		key = t.ExtID
	}
	undecided := false
	for _, v := range e.Of(key) {
		if v.At.After(t.TS) {
			continue
		}
		switch v.Outcome {
		case Followed:
			checked++
		case Broken:
			checked++
			broken = append(broken, v.Kind)
		default:
			undecided = true
		}
	}
	if undecided && len(broken) == 0 {
		return 0, nil
	}
	return checked, broken
}
