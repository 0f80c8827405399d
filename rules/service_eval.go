package rules

import (
	"context"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/ledger"
	"github.com/tradecoach/coach/storage"
)

// Report is what EvaluateUser found.
type Report struct {
	// From and To are the window evaluated; a zero bound is open.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Evaluation has the verdicts decided in the window.
	Evaluation *Evaluation `json:"evaluation"`
	// Streaks are those of the window, in the user's time zone.
	Streaks StreakReport `json:"streaks"`
	// Invalid lists the stored rules that no longer parse (say, a kind since withdrawn); they are
	// left out of the evaluation, never silently counted as followed.
	Invalid []InvalidRule `json:"invalid,omitempty"`
}

// InvalidRule is a stored rule Parse rejects, with Parse's message.
type InvalidRule struct {
	RuleID  string `json:"ruleId"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// EvaluateUser evaluates the user's stored active rules and returns the verdicts decided in
// [from, to) (a zero bound is open; Verdict.At decides) with their streaks, days in the user's
// time zone. Every trade before to is read, so that losses, positions and trade counts before
// from are known; candles of the traded symbols (of ServiceConfig.Interval) come from
// ServiceConfig.Candles, from the longest avoidSpikeOverPct lookback before the first trade judged
// (or before the oldest position still open at from) up to to, or up to now when to is zero.
// Without a candle source the verdicts that need candles are undecided. A symbol the source does not know
// (ENOTFOUND) only leaves its trades without candles.
//
// Errors: EINVALID for a bad user id or from not before to; ENOTFOUND for an unknown user; the
// store's and the candle source's errors otherwise.
func (s *Service) EvaluateUser(ctx context.Context, userID string, from, to time.Time) (Report, error) {
	if !s.constructed() {
		return Report{}, errNotConstructed
	}
	start := time.Now()
	rep, err := s.evaluateUser(ctx, userID, from, to)
	s.metrics.Observe(coach.MetricEvaluateDuration, time.Since(start), "outcome", coach.Outcome(err))
	if coach.ErrorCode(err) == coach.EINTERNAL {
		s.log.ErrorContext(ctx, "rules: evaluation failed", "userId", userID, "err", err)
	}
	return rep, err
}

func (s *Service) evaluateUser(ctx context.Context, userID string, from, to time.Time) (Report, error) {
	switch {
	case !coach.ValidID(userID):
		return Report{}, coach.Errorf(coach.EINVALID, "userId: required")
	case !from.IsZero() && !to.IsZero() && !from.Before(to):
		return Report{}, coach.Errorf(coach.EINVALID, "evaluate: from must be before to")
	}
	interval := s.interval
	u, err := s.store.Users().ByID(ctx, userID)
	if err != nil {
		return Report{}, err
	}
	loc := u.Location()
	stored, err := s.store.Rules().List(ctx, userID)
	if err != nil {
		return Report{}, err
	}
	rep := Report{From: from, To: to}
	var rules []Rule
	for _, sr := range stored {
		r, err := Parse(sr)
		if err != nil {
			rep.Invalid = append(rep.Invalid, InvalidRule{RuleID: sr.ID, Kind: sr.Kind, Message: coach.ErrorMessage(err)})
			continue
		}
		if r.Active {
			rules = append(rules, r)
		}
	}
	end := to
	if end.IsZero() {
		end = s.now()
	}
	trades, err := storage.ListAll(ctx, s.store.Trades(), userID, storage.TradeFilter{To: end})
	if err != nil {
		return Report{}, err
	}
	var series CandleSeries
	if s.candles != nil && len(trades) > 0 {
		series, err = s.fetch(ctx, s.candles, interval, trades, rules, from, end)
		if err != nil {
			return Report{}, err
		}
	}
	ev, err := Evaluate(trades, series, rules, loc)
	if err != nil {
		return Report{}, err
	}
	rep.Evaluation = ev.Window(from, to)
	rep.Streaks = Streaks(rep.Evaluation, loc)
	return rep, nil
}

// fetch gets the candles the rules need for the traded symbols: from the longest lookback before
// the first trade judged (or the oldest position open at from) up to end.
func (s *Service) fetch(ctx context.Context, src coach.CandleSource, interval coach.Interval, trades []coach.Trade, rules []Rule, from, end time.Time) (CandleSeries, error) {
	var lookback time.Duration
	need := false
	stops := false
	for _, r := range rules {
		switch p := r.Params.(type) {
		case AvoidSpikeOverPct:
			need = true
			lookback = max(lookback, time.Duration(p.LookbackHours)*time.Hour)
		case StopLossPct:
			need, stops = true, true
		}
	}
	if !need {
		return nil, nil
	}
	step := interval.Duration()
	start := trades[0].TS
	if from.After(start) {
		start = from
		if stops {
			// Positions still open at from were opened earlier: their stops need their candles.
			i, _ := slices.BinarySearchFunc(trades, from, func(t coach.Trade, at time.Time) int { return t.TS.Compare(at) })
			if res, _ := ledger.New(ledger.FIFO).Apply(trades[:i]); res != nil {
				for _, l := range res.Lots {
					if l.OpenedAt.Before(start) {
						start = l.OpenedAt
					}
				}
			}
		}
	}
	start = start.Truncate(step).Add(-lookback - step)
	var syms []coach.Symbol
	for i := range trades {
		syms = append(syms, trades[i].Symbol)
	}
	slices.Sort(syms)
	syms = slices.Compact(syms)
	series := make(CandleSeries, len(syms))
	for _, sym := range syms {
		if !sym.Valid() {
			continue
		}
		cs, err := src.Candles(ctx, sym, interval, start, end)
		switch {
		case coach.ErrorCode(err) == coach.ENOTFOUND:
			continue
		case err != nil:
			return nil, err
		}
		// A bar still open at end would tell what happened after it. (The source's slice is
		// not modified: it may be shared.)
		kept := make([]coach.Candle, 0, len(cs))
		for _, c := range cs {
			if !c.CloseTime().After(end) {
				kept = append(kept, c)
			}
		}
		series[sym] = kept
	}
	return series, nil
}
