package chat

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
)

// Defaults of StoreSource.
const (
	DefaultWindow  = 30 * 24 * time.Hour
	DefaultMaxTags = 40
)

// StoreSource is a Source over the storage ports: the user's tags of the last Window with their
// trades (the most recent MaxTags), their latest digest, their latest finished simulation, and —
// when Windows and Streaks are set — the account windows the bias service computes and the rule
// streaks.
type StoreSource struct {
	Store   storage.Store // required
	Clock   coach.Clock   // coach.SystemClock when nil
	Window  time.Duration // DefaultWindow when zero
	MaxTags int           // DefaultMaxTags when zero
	// Windows, when set, gives the account windows (bias.Service.AccountWindows).
	Windows func(ctx context.Context, userID string, to time.Time) ([]bias.AccountWindow, error)
	// Streaks, when set, gives the rule streaks over [from, to) (say, over
	// rules.Service.EvaluateUser's report); they are read over the same Window as the tags.
	Streaks func(ctx context.Context, userID string, from, to time.Time) (*rules.StreakReport, error)
	// Config is the bias configuration the windows are reflected under; bias.DefaultConfig()
	// when zero.
	Config bias.Config
}

// Input reads the user's evidence. The question is not used to select what is read: relevance
// is BuildPrompt's.
func (s StoreSource) Input(ctx context.Context, userID, _ string) (Input, error) {
	if s.Store == nil {
		return Input{}, coach.Errorf(coach.EINVALID, "chat: StoreSource.Store is required")
	}
	clock := s.Clock
	if clock == nil {
		clock = coach.SystemClock{}
	}
	window, maxTags := s.Window, s.MaxTags
	if window <= 0 {
		window = DefaultWindow
	}
	if maxTags <= 0 {
		maxTags = DefaultMaxTags
	}
	cfg := s.Config
	if cfg.Version == "" {
		cfg = bias.DefaultConfig()
	}
	now := clock.Now().UTC()
	u, err := s.Store.Users().ByID(ctx, userID)
	if err != nil {
		return Input{}, err
	}
	in := Input{TimeZone: u.TimeZone, Now: now, Config: cfg}
	from := now.Add(-window)
	tags, err := s.Store.Tags().List(ctx, userID, storage.TagFilter{From: from, To: now.Add(time.Second)})
	if err != nil {
		return Input{}, err
	}
	trades, err := s.Store.Trades().List(ctx, userID, storage.TradeFilter{From: from, To: now.Add(time.Second), Limit: storage.MaxLimit})
	if err != nil {
		return Input{}, err
	}
	byID := make(map[string]coach.Trade, len(trades))
	for _, t := range trades {
		byID[t.ID] = t
	}
	for _, g := range tags {
		t, ok := byID[g.TradeID]
		if !ok {
			if t, err = s.Store.Trades().Get(ctx, userID, g.TradeID); err != nil {
				continue // deleted meanwhile
			}
		}
		in.Tags = append(in.Tags, TaggedTrade{Tag: g, Trade: t})
	}
	slices.SortStableFunc(in.Tags, func(a, b TaggedTrade) int { return b.Trade.TS.Compare(a.Trade.TS) })
	in.Tags = in.Tags[:min(len(in.Tags), maxTags)]
	if d, err := s.Store.Digests().Latest(ctx, userID); err == nil {
		var p digest.Payload
		if json.Unmarshal(d.Payload, &p) == nil {
			in.Digest = &p
		}
	} else if coach.ErrorCode(err) != coach.ENOTFOUND {
		return Input{}, err
	}
	runs, err := s.Store.SimulationRuns().List(ctx, userID, storage.RunFilter{Status: coach.SimulationDone, Limit: 1})
	if err != nil {
		return Input{}, err
	}
	for _, r := range runs {
		var res sim.Result
		if json.Unmarshal(r.Result, &res) == nil {
			in.Simulations = append(in.Simulations, res)
		}
	}
	if s.Streaks != nil {
		st, err := s.Streaks(ctx, userID, from, now)
		if err != nil && coach.ErrorCode(err) != coach.ENOTFOUND {
			return Input{}, err
		}
		in.Streaks = st
	}
	if s.Windows != nil {
		ws, err := s.Windows(ctx, userID, now)
		if err != nil && coach.ErrorCode(err) != coach.ENOTFOUND {
			return Input{}, err
		}
		// The last three months: what a conversation about recent trading needs.
		in.Windows = ws[max(0, len(ws)-3):]
	}
	return in, nil
}
