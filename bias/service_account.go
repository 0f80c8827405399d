package bias

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// AccountWindows scores the user's trades before to, on the candles of the Service's source,
// and returns their account windows (Account.Windows: the disposition effect and loss chasing
// per calendar month in the user's zone, each with its SE clustered by position), oldest first.
// It stores nothing and emits no event: the account effects are metrics, not tags. A zero to
// reads every trade. A user without trades has no window. It computes in the caller's process,
// never through ServiceConfig.Coach.
//
// The digest (digest.AccountSource) reads it; a month is fixed once it has ended, so a window
// whose To is at or before to never changes as later trades arrive.
//
// Errors: EINVALID for a bad user id; ENOTFOUND for an unknown user; the store's and the candle
// source's errors otherwise.
func (s *Service) AccountWindows(ctx context.Context, userID string, to time.Time) ([]AccountWindow, error) {
	if !s.constructed() {
		return nil, errNotConstructed
	}
	if !coach.ValidID(userID) {
		return nil, coach.Errorf(coach.EINVALID, "userId: required")
	}
	cfg := s.config
	u, err := s.store.Users().ByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.TimeZone != "" {
		cfg.TimeZone = u.TimeZone
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	trades, err := storage.ListAll(ctx, s.store.Trades(), userID, storage.TradeFilter{To: to})
	if err != nil {
		return nil, err
	}
	trades, _ = scorable(trades, time.Time{})
	if len(trades) == 0 {
		return []AccountWindow{}, nil
	}
	snap, _, err := s.fetch(ctx, cfg, trades, trades)
	if err != nil {
		return nil, err
	}
	// In this process whatever the Service's Coach: the windows are arithmetic over the trades and
	// candles, and a remote coach would be sent the user's whole candle history on every read (a
	// dashboard, each question to the coach), which costs far more than the arithmetic. InProcess
	// answers what every Coach answers, bit for bit.
	res, err := InProcess{}.Score(ctx, ScoreRequest{Trades: trades, Candles: coach.SeriesOf(snap.Candles), Config: cfg, AccountOnly: true})
	if err != nil {
		return nil, err
	}
	return res.Account.Windows, nil
}
