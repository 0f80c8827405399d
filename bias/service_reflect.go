package bias

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
)

// scoreVia scores trades, labelling those from labelFrom, on the candles of snap through the
// Service's Coach (what ScoreUser and Rescore both do): the same Result from InProcess, or from the
// AI-coach service.
func (s *Service) scoreVia(ctx context.Context, snap coach.CandleSnapshot, trades []coach.Trade, labelFrom time.Time, cfg Config) (Result, error) {
	return s.ai.Score(ctx, ScoreRequest{Trades: trades, Candles: coach.SeriesOf(snap.Candles), Config: cfg, Since: labelFrom})
}

// reflectEvents asks the Coach for the reflections of the tags at the indices fresh of tags, in
// one call, and makes events[at[k]] the coach.reflect event of the tag tags[fresh[k]]. It runs
// inside the transaction that writes the tags, so a Coach that fails leaves neither tags nor
// events behind.
func (s *Service) reflectEvents(ctx context.Context, userID string, tags []coach.BiasTag, fresh []int, events []coach.Event, at []int) error {
	if len(fresh) == 0 {
		return nil
	}
	ask := make([]coach.BiasTag, len(fresh))
	for k, i := range fresh {
		ask[k] = tags[i]
	}
	texts, err := s.ai.Reflect(ctx, ask)
	if err != nil {
		return err
	}
	if len(texts) != len(ask) {
		return coach.Errorf(coach.EINTERNAL, "bias: Coach.Reflect gave %d texts for %d tags", len(texts), len(ask))
	}
	for k, g := range ask {
		ev, err := coach.NewEvent(userID, coach.EventCoachReflect, 1, coach.ReflectPayload{
			TagID: g.ID, TradeID: g.TradeID, Label: g.Label, Confidence: g.Confidence, Text: texts[k],
		})
		if err != nil {
			return err
		}
		events[at[k]] = ev
	}
	return nil
}
