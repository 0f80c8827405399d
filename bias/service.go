package bias

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// ServiceConfig is what a Service needs.
type ServiceConfig struct {
	// Store holds the trades, tags and events. Required.
	Store storage.Store
	// Candles is the market data the definitions read (broker.MarketData satisfies it). Required.
	Candles coach.CandleSource
	// Config holds the definitions. A Config with neither Version nor Interval set means
	// DefaultConfig() (with this Config's Rules); any other is checked by New.
	Config Config
	// Clock stamps new tags; nil means coach.SystemClock.
	Clock coach.Clock
	// Logger receives the service's log lines; nil discards them.
	Logger *slog.Logger
	// Metrics receives bias_trades_scored_total and bias_score_duration_seconds (coach.MetricTable);
	// nil means coach.NopMetrics.
	Metrics coach.Metrics
}

// Service scores a stored user's trades and records the tags. Build it with New; a Service not
// built by New returns EINVALID from every method.
type Service struct {
	store   storage.Store
	candles coach.CandleSource
	config  Config
	clock   coach.Clock
	log     *slog.Logger
	metrics coach.Metrics
}

// New returns a Service, or an EINVALID error naming the first missing or invalid field of cfg.
func New(cfg ServiceConfig) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "bias: ServiceConfig.Store is required")
	case cfg.Candles == nil:
		return nil, coach.Errorf(coach.EINVALID, "bias: ServiceConfig.Candles is required")
	}
	if cfg.Config.Version == "" && cfg.Config.Interval == "" {
		rules := cfg.Config.Rules
		cfg.Config = DefaultConfig()
		cfg.Config.Rules = rules
	}
	if err := cfg.Config.Validate(); err != nil {
		return nil, coach.Errorf(coach.EINVALID, "bias: ServiceConfig.Config: %s", coach.ErrorMessage(err))
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = coach.NopMetrics{}
	}
	return &Service{store: cfg.Store, candles: cfg.Candles, config: cfg.Config, clock: cfg.Clock, log: cfg.Logger, metrics: cfg.Metrics}, nil
}

// errNotConstructed is what a Service not built by New answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "bias: Service not constructed; use bias.New")

func (s *Service) constructed() bool { return s != nil && s.store != nil }

// Report is what ScoreUser did.
type Report struct {
	// Trades is the number of trades scored (those in [from, to)).
	Trades int `json:"trades"`
	// Tags is the number of tags those trades now have; New how many of them are new (each got a
	// coach.reflect event); Removed how many earlier tags no longer hold.
	Tags    int `json:"tags"`
	New     int `json:"new"`
	Removed int `json:"removed"`
	// Skipped, Account, Data and Ledger are Score's (see Result).
	Skipped []Skip       `json:"skipped"`
	Account Account      `json:"account"`
	Data    DataReport   `json:"data"`
	Ledger  LedgerReport `json:"ledger"`
}

// warmupBars is how many bars before the first trade scored the Service fetches: the longest
// lookback, and ten RSI periods more so that Wilder's smoothing no longer depends on where the
// candles start.
func (c Config) warmupBars() int { return c.Warmup() + 10*c.RSIBars }

// ScoreUser scores the user's trades with TS in [from, to) (a zero bound is open) and stores
// their tags. Earlier trades are read as history: they feed the ledger and the trader's baselines
// but are not relabelled. Candles are fetched for every symbol traded, from Config.Warmup() plus
// ten RSI periods of bars before the first trade scored up to the last one.
//
// In one transaction, ScoreUser replaces the tags of the trades scored (Tags.Replace: re-scoring
// replaces, never duplicates) and appends a coach.reflect event for each new tag. A tag whose
// trade already had a tag of the same label is not new: it keeps its ID and CreatedAt, so running
// ScoreUser again on the same data changes nothing and emits no event.
//
// Days and months of the account metrics are the user's (User.TimeZone, when set, replaces
// Config.TimeZone).
//
// Errors: EINVALID for a bad user id, range or Config; ENOTFOUND for an unknown user; the store's and the candle source's errors
// otherwise (a symbol the source does not know, ENOTFOUND, only leaves its trades without candles).
func (s *Service) ScoreUser(ctx context.Context, userID string, from, to time.Time) (Report, error) {
	if !s.constructed() {
		return Report{}, errNotConstructed
	}
	start := time.Now()
	rep, err := s.scoreUser(ctx, userID, from, to)
	s.metrics.Observe(coach.MetricScoreDuration, time.Since(start), "outcome", coach.Outcome(err))
	if err != nil {
		if coach.ErrorCode(err) == coach.EINTERNAL {
			s.log.ErrorContext(ctx, "bias: scoring failed", "userId", userID, "err", err)
		}
		return rep, err
	}
	s.metrics.Count(coach.MetricTradesScored, int64(rep.Trades))
	s.log.DebugContext(ctx, "bias: scored", "userId", userID, "trades", rep.Trades, "tags", rep.Tags, "new", rep.New)
	return rep, nil
}

func (s *Service) scoreUser(ctx context.Context, userID string, from, to time.Time) (Report, error) {
	cfg := s.config
	switch {
	case !coach.ValidID(userID):
		return Report{}, coach.Errorf(coach.EINVALID, "userId: required")
	case !from.IsZero() && !to.IsZero() && !from.Before(to):
		return Report{}, coach.Errorf(coach.EINVALID, "score: from must be before to")
	}
	u, err := s.store.Users().ByID(ctx, userID)
	if err != nil {
		return Report{}, err
	}
	if u.TimeZone != "" {
		cfg.TimeZone = u.TimeZone
	}
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	trades, err := storage.ListAll(ctx, s.store.Trades(), userID, storage.TradeFilter{To: to})
	if err != nil {
		return Report{}, err
	}
	trades, invalid := scorable(trades, from)
	first := len(trades)
	for i := range trades {
		if !trades[i].TS.Before(from) {
			first = i
			break
		}
	}
	scored := trades[first:]
	if len(scored) == 0 {
		return Report{Skipped: append([]Skip{}, invalid...)}, nil
	}
	series, err := s.fetch(ctx, cfg, trades, scored)
	if err != nil {
		return Report{}, err
	}
	m, err := Prepare(series, cfg)
	if err != nil {
		return Report{}, err
	}
	res, err := m.ScoreSince(trades, scored[0].TS)
	if err != nil {
		return Report{}, err
	}
	if len(invalid) > 0 {
		res.Skipped = append(invalid, res.Skipped...)
	}
	rep := Report{Trades: len(scored), Skipped: res.Skipped, Account: res.Account, Data: res.Data, Ledger: res.Ledger}
	ids := make([]string, len(scored))
	for i := range scored {
		ids[i] = scored[i].ID
	}
	err = s.store.InTx(ctx, func(tx storage.Tx) error {
		rep.Tags, rep.New, rep.Removed = 0, 0, 0
		return s.record(ctx, tx, userID, ids, res.Tags, &rep)
	})
	if err != nil {
		return Report{}, err
	}
	return rep, nil
}

// scorable returns the trades that coach.Trade.Validate accepts, and a Skip for each other one
// at or after from: a trade stored before today's ranges were enforced (dated 9999, say) is left
// out with its reason instead of failing the scoring of every other trade of the user.
func scorable(trades []coach.Trade, from time.Time) ([]coach.Trade, []Skip) {
	var (
		kept  []coach.Trade // nil while every trade so far is valid
		skips []Skip
	)
	for i := range trades {
		err := trades[i].Validate()
		switch {
		case err == nil && kept != nil:
			kept = append(kept, trades[i])
		case err != nil:
			if kept == nil {
				kept = append(make([]coach.Trade, 0, len(trades)), trades[:i]...)
			}
			if !trades[i].TS.Before(from) {
				skips = append(skips, Skip{TradeID: trades[i].Ref(), Cause: CauseInvalidTrade, Reason: coach.ErrorMessage(err)})
			}
		}
	}
	if kept == nil {
		return trades, nil
	}
	return kept, skips
}

// fetch gets the candles of every symbol traded, and of every third asset fees were charged in,
// from the warm-up before the first trade scored to the bar of the last one.
func (s *Service) fetch(ctx context.Context, cfg Config, all, scored []coach.Trade) (CandleSeries, error) {
	step := cfg.Interval.Duration()
	start := scored[0].TS.Truncate(step).Add(-time.Duration(cfg.warmupBars()) * step)
	end := scored[len(scored)-1].TS.Truncate(step).Add(step)
	var syms []coach.Symbol
	for i := range all {
		t := &all[i]
		syms = append(syms, t.Symbol)
		if t.FeeAsset != "" && t.FeeAsset != t.Symbol.Base() && t.FeeAsset != t.Symbol.Quote() {
			syms = append(syms, coach.Symbol(t.FeeAsset+"-"+t.Symbol.Quote()))
		}
	}
	slices.Sort(syms)
	syms = slices.Compact(syms)
	series := make(CandleSeries, len(syms))
	for _, sym := range syms {
		if !sym.Valid() {
			continue
		}
		cs, err := s.candles.Candles(ctx, sym, cfg.Interval, start, end)
		switch {
		case coach.ErrorCode(err) == coach.ENOTFOUND:
			continue
		case err != nil:
			return nil, err
		}
		series[sym] = cs
	}
	return series, nil
}

// record replaces the tags of the trades ids with tags and appends an event per new tag.
func (s *Service) record(ctx context.Context, tx storage.Tx, userID string, ids []string, tags []coach.BiasTag, rep *Report) error {
	prev, err := tx.Tags().ByTrades(ctx, userID, ids)
	if err != nil {
		return err
	}
	type key struct{ trade, label string }
	old := make(map[key]coach.BiasTag, len(prev))
	for _, g := range prev {
		old[key{g.TradeID, g.Label}] = g
	}
	now := s.clock.Now().UTC()
	out := make([]coach.BiasTag, len(tags))
	var events []coach.Event
	for i, g := range tags {
		g.UserID = userID
		if p, ok := old[key{g.TradeID, g.Label}]; ok {
			g.ID, g.CreatedAt = p.ID, p.CreatedAt
			delete(old, key{g.TradeID, g.Label})
		} else {
			g.ID, g.CreatedAt = coach.NewID(), now
			ev, err := coach.NewEvent(userID, coach.EventCoachReflect, 1, coach.ReflectPayload{
				TagID: g.ID, TradeID: g.TradeID, Label: g.Label, Confidence: g.Confidence, Text: Reflect(g),
			})
			if err != nil {
				return err
			}
			events = append(events, ev)
		}
		out[i] = g
	}
	if err := tx.Tags().Replace(ctx, userID, ids, out); err != nil {
		return err
	}
	if len(events) > 0 {
		if _, err := tx.Events().Append(ctx, events...); err != nil {
			return err
		}
	}
	rep.Tags, rep.New, rep.Removed = len(out), len(events), len(old)
	return nil
}
