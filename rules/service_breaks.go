package rules

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// RecordBreaks evaluates the user's rules over [from, to) as EvaluateUser does and appends one
// rule.broken event (coach.RuleBrokenPayload) for each verdict Broken that was not recorded
// before (storage.Rules.MarkBroken), in one transaction: evaluating again, over the same window
// or an overlapping one, appends nothing twice. It returns how many events it appended. A
// verdict that can change later (a stop-loss decided after the trade) is told when it breaks.
// Errors are EvaluateUser's and the store's.
func (s *Service) RecordBreaks(ctx context.Context, userID string, from, to time.Time) (int, error) {
	if !s.constructed() {
		return 0, errNotConstructed
	}
	rep, err := s.EvaluateUser(ctx, userID, from, to)
	if err != nil {
		return 0, err
	}
	var (
		breaks   []storage.RuleBreak
		verdicts = map[[2]string]Verdict{}
	)
	for _, v := range rep.Evaluation.Verdicts {
		if v.Outcome != Broken {
			continue
		}
		k := [2]string{v.RuleID, v.TradeID}
		if _, dup := verdicts[k]; dup {
			continue
		}
		verdicts[k] = v
		breaks = append(breaks, storage.RuleBreak{RuleID: v.RuleID, TradeID: v.TradeID, At: v.At})
	}
	if len(breaks) == 0 {
		return 0, nil
	}
	n := 0
	err = s.store.InTx(ctx, func(tx storage.Tx) error {
		n = 0
		fresh, err := tx.Rules().MarkBroken(ctx, userID, breaks)
		if err != nil {
			return err
		}
		evs := make([]coach.Event, 0, len(fresh))
		for _, b := range fresh {
			v := verdicts[[2]string{b.RuleID, b.TradeID}]
			ev, err := coach.NewEvent(userID, coach.EventRuleBroken, 1, coach.RuleBrokenPayload{RuleID: v.RuleID, Kind: v.Kind,
				TradeID: v.TradeID, At: v.At.UTC(), Evidence: evidenceOrEmpty(v.Evidence)})
			if err != nil {
				return err
			}
			evs = append(evs, ev)
		}
		if len(evs) == 0 {
			return nil
		}
		if _, err := tx.Events().Append(ctx, evs...); err != nil {
			return err
		}
		n = len(evs)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// evidenceOrEmpty returns e, or {} when the verdict carries none.
func evidenceOrEmpty(e []byte) []byte {
	if len(e) == 0 {
		return []byte(`{}`)
	}
	return e
}
