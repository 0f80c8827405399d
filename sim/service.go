package sim

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"time"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/storage"
)

// Service defaults and bounds.
const (
	// DefaultTTL is how long the Service caches a result when TTL is 0.
	DefaultTTL = time.Hour
	// MaxBars bounds the candles per symbol a Service request may need: (To − From) ÷ Interval.
	MaxBars = 1 << 20
)

// CandleSource gives candles. broker.MarketData satisfies it (sim does not import broker).
type CandleSource interface {
	// Candles returns the candles of symbol and interval with OpenTime in [from, to), in time
	// order, as many as the source has (gaps are absent). ENOTFOUND for a symbol it does not know.
	Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error)
}

// Service runs simulations for stored users: it loads the trades, tags and rules through the
// store, the candles through a CandleSource, runs Run, and caches the result.
type Service struct {
	Store   storage.Store
	Candles CandleSource
	// Cache keeps results under CacheKey for TTL; nil caches nothing.
	Cache storage.Cache
	// TTL is how long a result is cached (DefaultTTL when 0).
	TTL time.Duration
	// Log receives cache failures, which do not fail a simulation (nil: slog.Default()).
	Log *slog.Logger
}

// Simulate runs req for the user over their trades with TS in [req.From, req.To), their tags of
// the scenario's label, their rules (followRule) and the candles of the symbols traded at
// req.Interval (coach.Hour1 when empty), fetched from the window start (for followRule, from the
// longest lookback of the rules before it) to the window end.
//
// The result is cached under CacheKey(userID, scenario, params, candles and trades hashes): a
// second call with the same request and the same data is answered from the cache (Result.Cached
// true) without simulating again; new trades, tags, rules or candles give a new key. A cache that
// fails is logged and bypassed.
//
// Errors: EINVALID for a bad user id or request, or a window of more than MaxBars candles;
// ENOTFOUND for an unknown user or rule id; the store's and the candle source's errors otherwise
// (a symbol the source does not know, ENOTFOUND, only leaves it without candles).
func (s *Service) Simulate(ctx context.Context, userID string, req Request) (Result, error) {
	if !coach.ValidID(userID) {
		return Result{}, coach.Errorf(coach.EINVALID, "userId: required")
	}
	if req.Interval == "" {
		req.Interval = coach.Hour1
	}
	if err := req.Validate(); err != nil {
		return Result{}, err
	}
	if bars := req.To.Sub(req.From) / req.Interval.Duration(); bars > MaxBars {
		return Result{}, coach.Errorf(coach.EINVALID, "to: the window holds %d candles of %s, more than %d; choose a wider interval", bars, req.Interval, MaxBars)
	}
	u, err := s.Store.Users().ByID(ctx, userID)
	if err != nil {
		return Result{}, err
	}
	in := Input{Scenario: req.Scenario, Params: req.Params, Location: u.Location()}
	if in.Trades, err = storage.ListAll(ctx, s.Store.Trades(), userID, storage.TradeFilter{From: req.From, To: req.To}); err != nil {
		return Result{}, err
	}
	switch req.Scenario.Kind {
	case KindSkipLabel, KindNoRevenge, KindHoldInstead:
		in.Tags, err = s.Store.Tags().List(ctx, userID, storage.TagFilter{From: req.From, To: req.To, Label: req.Scenario.label()})
	case KindFollowRule:
		in.Rules, err = s.Store.Rules().List(ctx, userID)
	}
	if err != nil {
		return Result{}, err
	}
	if in.Candles, err = s.fetch(ctx, req, in.Trades, in.Rules); err != nil {
		return Result{}, err
	}
	r, err := newRun(&in, nil)
	if err != nil {
		return Result{}, err
	}
	r.res.Data.CandlesSHA256 = hashSet(r.cs)
	key := CacheKey(userID, req.Scenario, req.Params, r.res.Data.CandlesSHA256+"."+r.res.Data.TradesSHA256)
	if res, ok := s.cached(ctx, key); ok {
		return res, nil
	}
	res, err := r.finish()
	if err != nil {
		return Result{}, err
	}
	s.store(ctx, key, res)
	return res, nil
}

// fetch gets the candles of every symbol traded and of every third asset fees were charged in.
func (s *Service) fetch(ctx context.Context, req Request, trades []coach.Trade, rs []coach.Rule) ([]coach.Candle, error) {
	var syms []coach.Symbol
	for i := range trades {
		t := &trades[i]
		syms = append(syms, t.Symbol)
		if t.FeeAsset != "" && t.FeeAsset != t.Symbol.Base() && t.FeeAsset != t.Symbol.Quote() {
			syms = append(syms, coach.Symbol(t.FeeAsset+"-"+t.Symbol.Quote()))
		}
	}
	slices.Sort(syms)
	syms = slices.Compact(syms)
	from := req.From.Add(-lookback(req.Scenario, rs))
	var out []coach.Candle
	for _, sym := range syms {
		if !sym.Valid() {
			continue
		}
		cs, err := s.Candles.Candles(ctx, sym, req.Interval, from, req.To)
		switch {
		case coach.ErrorCode(err) == coach.ENOTFOUND:
			continue
		case err != nil:
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// lookback is how much history before the window the rules a followRule scenario follows read:
// the longest avoidSpikeOverPct lookback, plus a day for the candle the fill falls in.
func lookback(sc Scenario, rs []coach.Rule) time.Duration {
	if sc.Kind != KindFollowRule {
		return 0
	}
	var longest time.Duration
	for _, c := range rs {
		if len(sc.RuleIDs) > 0 && !slices.Contains(sc.RuleIDs, c.ID) || len(sc.RuleIDs) == 0 && !c.Active {
			continue
		}
		p, err := rules.Parse(c)
		if err != nil {
			continue // Run reports it
		}
		if a, ok := p.Params.(rules.AvoidSpikeOverPct); ok {
			longest = max(longest, time.Duration(a.LookbackHours)*time.Hour+24*time.Hour)
		}
	}
	return longest
}

// cached returns the result cached under key, if any.
func (s *Service) cached(ctx context.Context, key string) (Result, bool) {
	if s.Cache == nil {
		return Result{}, false
	}
	b, err := s.Cache.Get(ctx, key)
	switch {
	case coach.ErrorCode(err) == coach.ENOTFOUND:
		return Result{}, false
	case err != nil:
		s.log().WarnContext(ctx, "sim: cache get failed; simulating", "code", coach.ErrorCode(err), "err", err)
		return Result{}, false
	}
	var res Result
	if err := json.Unmarshal(b, &res); err != nil || res.Version != Version {
		s.log().WarnContext(ctx, "sim: cached result unreadable; simulating", "err", errors.WithStack(err))
		return Result{}, false
	}
	res.Cached = true
	return res, true
}

// store caches res under key.
func (s *Service) store(ctx context.Context, key string, res Result) {
	if s.Cache == nil {
		return
	}
	b, err := json.Marshal(res)
	if err == nil {
		ttl := s.TTL
		if ttl <= 0 {
			ttl = DefaultTTL
		}
		err = s.Cache.Set(ctx, key, b, ttl)
	}
	if err != nil {
		s.log().WarnContext(ctx, "sim: cache set failed", "code", coach.ErrorCode(err), "err", err)
	}
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
