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

// ServiceConfig is what a Service needs.
type ServiceConfig struct {
	// Store holds the users, trades, tags and rules. Required.
	Store storage.Store
	// Candles is the market data simulated over (broker.MarketData satisfies it). Required.
	Candles coach.CandleSource
	// Cache keeps results under CacheKey for TTL; nil caches nothing.
	Cache storage.Cache
	// TTL is how long a result is cached (DefaultTTL when 0; negative is refused).
	TTL time.Duration
	// Logger receives cache failures, which do not fail a simulation; nil discards them.
	Logger *slog.Logger
	// Metrics receives sim_simulate_duration_seconds (coach.MetricTable); nil means
	// coach.NopMetrics.
	Metrics coach.Metrics
}

// Service runs simulations for stored users: it loads the trades, tags and rules through the
// store, the candles through a coach.CandleSource, runs Run, and caches the result. Build it with
// New; a Service not built by New returns EINVALID from every method.
type Service struct {
	store   storage.Store
	candles coach.CandleSource
	cache   storage.Cache
	ttl     time.Duration
	log     *slog.Logger
	metrics coach.Metrics
}

// New returns a Service, or an EINVALID error naming the first missing or invalid field of cfg.
func New(cfg ServiceConfig) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "sim: ServiceConfig.Store is required")
	case cfg.Candles == nil:
		return nil, coach.Errorf(coach.EINVALID, "sim: ServiceConfig.Candles is required")
	case cfg.TTL < 0:
		return nil, coach.Errorf(coach.EINVALID, "sim: ServiceConfig.TTL: negative (%s)", cfg.TTL)
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = coach.NopMetrics{}
	}
	return &Service{store: cfg.Store, candles: cfg.Candles, cache: cfg.Cache, ttl: cfg.TTL, log: cfg.Logger, metrics: cfg.Metrics}, nil
}

// errNotConstructed is what a Service not built by New answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "sim: Service not constructed; use sim.New")

// Simulate runs req for the user over their trades with TS in [req.From, req.To), their tags of
// the scenario's label, their rules (followRule) and the candles of the symbols traded at
// req.Interval (coach.Hour1 when empty), fetched from the window start (for followRule, from the
// longest lookback of the rules before it) to the window end. Both books are also converted into
// the user's reporting currency (Result.InCurrency) through the candles of the pairs that may
// join their quote and fee assets to it (ledger.ConverterConfig.Symbols), from a day
// (ledger.DefaultMaxAge) before the window to its end.
//
// The result is cached under CacheKey(userID, scenario, params, candles and trades hashes, the
// reporting currency and the hash of the conversion candles): a second call with the same request
// and the same data is answered from the cache (Result.Cached true) without simulating again; new
// trades, tags, rules or candles, conversion candles included, or another reporting currency give
// a new key. A cache that fails is logged and bypassed.
//
// Errors: EINVALID for a bad user id or request, or a window of more than MaxBars candles;
// ENOTFOUND for an unknown user or rule id; the store's and the candle source's errors otherwise
// (a symbol the source does not know, ENOTFOUND, only leaves it without candles).
func (s *Service) Simulate(ctx context.Context, userID string, req Request) (Result, error) {
	if s == nil || s.store == nil {
		return Result{}, errNotConstructed
	}
	start := time.Now()
	res, err := s.simulate(ctx, userID, req)
	outcome := coach.Outcome(err)
	if err == nil && res.Cached {
		outcome = "cached"
	}
	s.metrics.Observe(coach.MetricSimulateDuration, time.Since(start), "outcome", outcome)
	if coach.ErrorCode(err) == coach.EINTERNAL {
		s.log.ErrorContext(ctx, "sim: simulation failed", "userId", userID, "err", err)
	}
	return res, err
}

func (s *Service) simulate(ctx context.Context, userID string, req Request) (Result, error) {
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
	u, err := s.store.Users().ByID(ctx, userID)
	if err != nil {
		return Result{}, err
	}
	in := Input{Scenario: req.Scenario, Params: req.Params, Location: u.Location()}
	if in.Trades, err = storage.ListAll(ctx, s.store.Trades(), userID, storage.TradeFilter{From: req.From, To: req.To}); err != nil {
		return Result{}, err
	}
	switch req.Scenario.Kind {
	case KindSkipLabel, KindNoRevenge, KindHoldInstead:
		in.Tags, err = s.store.Tags().List(ctx, userID, storage.TagFilter{From: req.From, To: req.To, Label: req.Scenario.label()})
	case KindFollowRule:
		in.Rules, err = s.store.Rules().List(ctx, userID)
	}
	if err != nil {
		return Result{}, err
	}
	if in.Candles, err = s.fetch(ctx, req, in.Trades, in.Rules); err != nil {
		return Result{}, err
	}
	conv, convCandles, err := s.converter(ctx, u, req, in.Trades)
	if err != nil {
		return Result{}, err
	}
	in.Converter = conv
	r, err := newRun(&in, nil)
	if err != nil {
		return Result{}, err
	}
	r.res.Data.CandlesSHA256 = hashSet(r.cs)
	key := CacheKey(userID, req.Scenario, req.Params, r.res.Data.CandlesSHA256+"."+r.res.Data.TradesSHA256+"."+conversionKey(conv, convCandles))
	if res, ok := s.cached(ctx, key); ok {
		return res, nil
	}
	res, err := r.finish()
	if err != nil {
		return Result{}, err
	}
	s.keep(ctx, key, res)
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
		cs, err := s.candles.Candles(ctx, sym, req.Interval, from, req.To)
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
	if s.cache == nil {
		return Result{}, false
	}
	b, err := s.cache.Get(ctx, key)
	switch {
	case coach.ErrorCode(err) == coach.ENOTFOUND:
		return Result{}, false
	case err != nil:
		s.log.WarnContext(ctx, "sim: cache get failed; simulating", "code", coach.ErrorCode(err), "err", err)
		return Result{}, false
	}
	var res Result
	if err := json.Unmarshal(b, &res); err != nil || res.Version != Version {
		s.log.WarnContext(ctx, "sim: cached result unreadable; simulating", "err", errors.WithStack(err))
		return Result{}, false
	}
	res.Cached = true
	return res, true
}

// keep caches res under key.
func (s *Service) keep(ctx context.Context, key string, res Result) {
	if s.cache == nil {
		return
	}
	b, err := json.Marshal(res)
	if err == nil {
		err = s.cache.Set(ctx, key, b, s.ttl)
	}
	if err != nil {
		s.log.WarnContext(ctx, "sim: cache set failed", "code", coach.ErrorCode(err), "err", err)
	}
}
