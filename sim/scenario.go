package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/tradecoach/coach"
)

// Scenario kinds.
const (
	// KindSkipLabel removes every buy carrying Label, with the quantity later sold out of its lot.
	KindSkipLabel = "skipLabel"
	// KindHoldInstead keeps the quantity of every sell carrying Label until Until.
	KindHoldInstead = "holdInstead"
	// KindFollowRule blocks the buys that broke the trader's rules and exits positions at a stop
	// loss or take profit.
	KindFollowRule = "followRule"
	// KindNoRevenge is KindSkipLabel for coach.LabelRevenge.
	KindNoRevenge = "noRevenge"
)

// Until values of a holdInstead scenario.
const (
	// UntilNCandles sells the held quantity at the close of the Nth candle after the one that
	// contains the labelled sell.
	UntilNCandles = "nCandles"
	// UntilNextSell sells it together with the next sell of the same symbol that does not carry
	// the label.
	UntilNextSell = "nextSell"
	// UntilWindowEnd never sells it: it is marked to market at the window end.
	UntilWindowEnd = "windowEnd"
)

// Scenario bounds.
const (
	// MaxN bounds Scenario.N: a year of one-minute candles.
	MaxN = 525_600
	// MaxRuleIDs bounds Scenario.RuleIDs.
	MaxRuleIDs = 50
	// MaxTakeProfitPct bounds Scenario.TakeProfitPct.
	MaxTakeProfitPct = 10_000
	// maxScenarioBytes bounds the JSON ParseScenario reads.
	maxScenarioBytes = 4 << 10
)

// Scenario is one what-if intervention, a tagged struct: Kind says which, and only the fields of
// that kind may be set.
//
//	{"kind":"skipLabel","label":"FOMO"}
//	{"kind":"holdInstead","label":"PANIC","until":"nCandles","n":24}
//	{"kind":"holdInstead","label":"PANIC","until":"nextSell"}
//	{"kind":"followRule","ruleIds":["…"],"stopLossPct":5,"takeProfitPct":10}
//	{"kind":"noRevenge"}
//
// The package doc says what each kind does to the trades.
type Scenario struct {
	Kind string `json:"kind"`
	// Label is the bias label (skipLabel, holdInstead): 1-32 upper-case letters or '_'.
	Label string `json:"label,omitempty"`
	// Until is UntilNCandles, UntilNextSell or UntilWindowEnd (holdInstead).
	Until string `json:"until,omitempty"`
	// N is the number of candles to hold, in [1, MaxN] (holdInstead with UntilNCandles).
	N int `json:"n,omitempty"`
	// RuleIDs are the trader's rules to follow (followRule); none means every active rule.
	RuleIDs []string `json:"ruleIds,omitempty"`
	// StopLossPct is the stop below each entry's price in percent, in [0, 100) (followRule). 0
	// means none, unless a stopLossPct rule is followed: then its Pct is the stop.
	StopLossPct float64 `json:"stopLossPct,omitempty"`
	// TakeProfitPct is the take profit above each entry's price in percent, in [0,
	// MaxTakeProfitPct] (followRule); 0 means none.
	TakeProfitPct float64 `json:"takeProfitPct,omitempty"`
}

// Validate reports the first invalid field of s as EINVALID, naming it ("scenario.until: …").
func (s Scenario) Validate() error {
	switch s.Kind {
	case KindSkipLabel:
		if err := s.only("label"); err != nil {
			return err
		}
		if err := checkLabel(s.Label); err != nil {
			return err
		}
		return perTrade(s.Label)
	case KindNoRevenge:
		return s.only()
	case KindHoldInstead:
		if err := checkLabel(s.Label); err != nil {
			return err
		}
		if err := perTrade(s.Label); err != nil {
			return err
		}
		switch s.Until {
		case UntilNCandles:
			if s.N < 1 || s.N > MaxN {
				return fieldErr("n", "must be in [1, %d]", MaxN)
			}
			return s.only("label", "until", "n")
		case UntilNextSell, UntilWindowEnd:
			return s.only("label", "until")
		case "":
			return fieldErr("until", "required: one of nCandles, nextSell, windowEnd")
		}
		return fieldErr("until", "want one of nCandles, nextSell, windowEnd")
	case KindFollowRule:
		if err := s.only("ruleIds", "stopLossPct", "takeProfitPct"); err != nil {
			return err
		}
		if len(s.RuleIDs) > MaxRuleIDs {
			return fieldErr("ruleIds", "at most %d rules", MaxRuleIDs)
		}
		for i, id := range s.RuleIDs {
			if !coach.ValidID(id) {
				return coach.Errorf(coach.EINVALID, "scenario.ruleIds[%d]: malformed id", i)
			}
			if slices.Index(s.RuleIDs, id) < i {
				return coach.Errorf(coach.EINVALID, "scenario.ruleIds[%d]: repeated", i)
			}
		}
		if !finite(s.StopLossPct) || s.StopLossPct < 0 || s.StopLossPct >= 100 {
			return fieldErr("stopLossPct", "must be in [0, 100)")
		}
		if !finite(s.TakeProfitPct) || s.TakeProfitPct < 0 || s.TakeProfitPct > MaxTakeProfitPct {
			return fieldErr("takeProfitPct", "must be in [0, %d]", MaxTakeProfitPct)
		}
		return nil
	case "":
		return fieldErr("kind", "required: one of skipLabel, holdInstead, followRule, noRevenge")
	}
	return fieldErr("kind", "want one of skipLabel, holdInstead, followRule, noRevenge")
}

// only reports the first field of s that is set but not among allowed.
func (s Scenario) only(allowed ...string) error {
	set := []struct {
		name string
		set  bool
	}{
		{"label", s.Label != ""},
		{"until", s.Until != ""},
		{"n", s.N != 0},
		{"ruleIds", len(s.RuleIDs) > 0},
		{"stopLossPct", s.StopLossPct != 0},
		{"takeProfitPct", s.TakeProfitPct != 0},
	}
	for _, f := range set {
		if f.set && !slices.Contains(allowed, f.name) {
			return fieldErr(f.name, "not allowed with kind %s", s.Kind)
		}
	}
	return nil
}

// label returns the label whose trades the scenario changes ("" for followRule).
func (s Scenario) label() string {
	if s.Kind == KindNoRevenge {
		return coach.LabelRevenge
	}
	return s.Label
}

// canonical returns s with its rule ids sorted (their order does not matter) and an empty list
// written as none.
func (s Scenario) canonical() Scenario {
	if len(s.RuleIDs) == 0 {
		s.RuleIDs = nil
	} else {
		s.RuleIDs = slices.Sorted(slices.Values(s.RuleIDs))
	}
	return s
}

// ParseScenario reads a scenario from its JSON form strictly: a single object of at most 4 KiB
// with known fields only, each of the right type, then Validate. Any other input is EINVALID with
// a message naming the problem.
func ParseScenario(b []byte) (Scenario, error) {
	var s Scenario
	if err := decodeStrict(b, maxScenarioBytes, "scenario", &s); err != nil {
		return Scenario{}, err
	}
	if err := s.Validate(); err != nil {
		return Scenario{}, err
	}
	if len(s.RuleIDs) == 0 {
		s.RuleIDs = nil // [] and none mean the same
	}
	return s, nil
}

// decodeStrict decodes one JSON object of at most limit bytes into v, rejecting unknown fields,
// null and trailing data.
func decodeStrict(b []byte, limit int, what string, v any) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > limit:
		return coach.Errorf(coach.EINVALID, "%s: larger than %d bytes", what, limit)
	case len(b) == 0 || b[0] != '{':
		return coach.Errorf(coach.EINVALID, "%s: want a JSON object", what)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return coach.Errorf(coach.EINVALID, "%s: %s", what, jsonProblem(err))
	}
	if dec.More() {
		return coach.Errorf(coach.EINVALID, "%s: data after the JSON object", what)
	}
	if _, err := dec.Token(); err == nil {
		return coach.Errorf(coach.EINVALID, "%s: data after the JSON object", what)
	}
	return nil
}

// jsonProblem describes a decoding error without echoing the input at length.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		if te.Field != "" {
			return clip(te.Field, 64) + ": wrong type, got JSON " + te.Value
		}
		return "wrong type, got JSON " + te.Value
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON"
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + clip(f, 64)
	}
	return clip(strings.TrimPrefix(err.Error(), "json: "), 120)
}

func fieldErr(field, format string, args ...any) error {
	return coach.Errorf(coach.EINVALID, "scenario."+field+": "+format, args...)
}

// checkLabel validates a bias label as coach.BiasTag does.
// perTrade refuses the account effects: DISPOSITION and LOSS_CHASING are account metrics with a
// window (bias.AccountWindow), not labels of trades, so "the trades that carry it" means nothing,
// and the tags of them stored under earlier definitions are retired. The account metrics say which
// window shows the effect; a what-if for it is a followRule scenario (a stop for the losers held, a
// maximum notional for the entries after a loss).
func perTrade(l string) error {
	if l == coach.LabelDisposition || l == coach.LabelLossChasing {
		return fieldErr("label", "%s is an account effect measured over a window, not a label of trades: it cannot be skipped or held; try followRule", l)
	}
	return nil
}

func checkLabel(l string) error {
	if l == "" {
		return fieldErr("label", "required")
	}
	if len(l) > 32 {
		return fieldErr("label", "want 1-32 upper-case letters or '_'")
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !(c >= 'A' && c <= 'Z' || c == '_') {
			return fieldErr("label", "want 1-32 upper-case letters or '_'")
		}
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// clip shortens untrusted input quoted in an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
