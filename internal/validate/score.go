package validate

import (
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/rules"
)

// PlanRules parses a written plan for package rules. Rules of a kind package rules does not know
// (the persona's takeProfitPct) are left out and their kinds returned, so that the report can
// say what the scorer could not read.
func PlanRules(plan []coach.Rule) (parsed []rules.Rule, unknown []string, err error) {
	known := rules.Kinds()
	for _, r := range plan {
		if !slices.Contains(known, r.Kind) {
			unknown = append(unknown, r.Kind)
			continue
		}
		p, err := rules.Parse(r)
		if err != nil {
			return nil, nil, err
		}
		parsed = append(parsed, p)
	}
	return parsed, unknown, nil
}

// subject is one trader's history at one candle interval, ready to be scored under any Config of
// that interval: its rule verdicts are computed once.
type subject struct {
	trader  brokertest.ValidationTrader
	candles coach.CandleSeries
	orderOf map[string]int
	check   bias.RuleChecker
	plan    bias.Plan
}

// newSubject evaluates the plan's rules over the trader's fills and candles; written is the plan
// as the trader wrote it, which the scorer reads through bias.PlanOf.
func newSubject(tr brokertest.ValidationTrader, candles coach.CandleSeries, plan []rules.Rule, written []coach.Rule) (*subject, error) {
	s := &subject{trader: tr, candles: candles, orderOf: tr.OrderOf(), plan: bias.PlanOf(written)}
	if len(tr.Trades) == 0 {
		return s, nil
	}
	ev, err := rules.Evaluate(tr.Trades, candles, plan, time.UTC)
	if err != nil {
		return nil, err
	}
	s.check = func(t coach.Trade) bias.Verdict {
		n, broken := ev.Check(t)
		return bias.Verdict{Checked: n, Broken: broken}
	}
	return s, nil
}

// labels scores the trader under cfg (its Rules replaced by the plan's verdicts, its Plan by the
// written plan) and returns each order's labels: the sorted union of its fills' tags.
func (s *subject) labels(cfg bias.Config) ([][]string, error) {
	cfg.Rules, cfg.Plan = s.check, s.plan
	res, err := bias.Score(s.trader.Trades, s.candles, cfg)
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(s.trader.Orders))
	for _, g := range res.Tags {
		i, ok := s.orderOf[g.TradeID]
		if !ok {
			return nil, coach.Errorf(coach.EINTERNAL, "validate: tag on trade %s, which is no order's fill", g.TradeID)
		}
		if !slices.Contains(out[i], g.Label) {
			out[i] = append(out[i], g.Label)
		}
	}
	for i := range out {
		slices.Sort(out[i])
	}
	return out, nil
}

// outcomes pairs each order's intents with its labels.
func outcomes(tr brokertest.ValidationTrader, labels [][]string) []Outcome {
	out := make([]Outcome, len(tr.Orders))
	for i, o := range tr.Orders {
		out[i] = Outcome{Side: o.Side, Intended: o.Intents, Labelled: labels[i]}
	}
	return out
}
