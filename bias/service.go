package bias

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// ServiceConfig is what a Service needs.
type ServiceConfig struct {
	// Store holds the trades, tags and events. Required.
	Store storage.Store
	// Candles is the market data the definitions read (broker.MarketData satisfies it). Required.
	Candles coach.CandleSource
	// Blobs keeps the candle snapshot each tag was scored on (storage.PutSnapshot), so that
	// Rescore can score it again from the blob store alone. nil keeps none: tags still record
	// their snapshot's hash, and Rescore is unavailable.
	Blobs storage.Blobs
	// Config holds the definitions. A Config with neither Version nor Interval set means
	// DefaultConfig() (with this Config's Rules and Plan); any other is checked by New.
	Config Config
	// Clock stamps new tags; nil means coach.SystemClock.
	Clock coach.Clock
	// Logger receives the service's log lines; nil discards them.
	Logger *slog.Logger
	// Metrics receives bias_trades_scored_total and bias_score_duration_seconds (coach.MetricTable);
	// nil means coach.NopMetrics.
	Metrics coach.Metrics
	// Coach scores and writes reflections; nil means InProcess (bias/aicoach's Client runs them
	// in the AI-coach service).
	Coach Coach
}

// Service scores a stored user's trades and records the tags. Build it with New; a Service not
// built by New returns EINVALID from every method.
type Service struct {
	store   storage.Store
	candles coach.CandleSource
	blobs   storage.Blobs
	config  Config
	clock   coach.Clock
	log     *slog.Logger
	metrics coach.Metrics
	ai      Coach
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
		rules, plan := cfg.Config.Rules, cfg.Config.Plan
		cfg.Config = DefaultConfig()
		cfg.Config.Rules, cfg.Config.Plan = rules, plan
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
	if cfg.Coach == nil {
		cfg.Coach = InProcess{}
	}
	return &Service{store: cfg.Store, candles: cfg.Candles, blobs: cfg.Blobs, config: cfg.Config, clock: cfg.Clock, log: cfg.Logger, metrics: cfg.Metrics, ai: cfg.Coach}, nil
}

// errNotConstructed is what a Service not built by New answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "bias: Service not constructed; use bias.New")

func (s *Service) constructed() bool { return s != nil && s.store != nil }

// Report is what ScoreUser did.
type Report struct {
	// Trades is the number of trades scored (those in [from, to)).
	Trades int `json:"trades"`
	// Tags is the number of tags those trades now have; New how many of them are new (each new
	// label of an order got one coach.reflect event, whatever its number of fills); Revised how
	// many got a new revision and Removed how many earlier tags no longer hold (each got a
	// tag.revised event).
	Tags    int `json:"tags"`
	New     int `json:"new"`
	Revised int `json:"revised"`
	Removed int `json:"removed"`
	// CandlesSHA256 names the coach.CandleSnapshot of the candles fetched, which every tag's
	// features record in "input" (see Input).
	CandlesSHA256 string `json:"candlesSha256"`
	// Skipped, Account, Data and Ledger are Score's (see Result).
	Skipped []Skip       `json:"skipped"`
	Account Account      `json:"account"`
	Data    DataReport   `json:"data"`
	Ledger  LedgerReport `json:"ledger"`
}

// warmupBars is how many bars before the first trade scored the Service fetches: the longest
// lookback, and ten RSI periods more so that Wilder's smoothing no longer depends on where the
// candles start.
func (c Config) warmupBars() int { return c.Warmup() + 10*c.bars(c.RSIWindow) }

// ScoreUser scores the user's trades with TS in [from, to) (a zero bound is open) and stores
// their tags. Earlier trades are read as history: they feed the ledger and the trader's baselines
// but are not relabelled. Candles are fetched for every symbol traded, from Config.Warmup() plus
// ten RSI periods of bars before the first trade scored up to the last one.
//
// The trades are scored on the coach.CandleSnapshot of the candles fetched: every tag's features
// end with the Input (the snapshot's SHA-256 and the start of labelling), and the snapshot is
// stored in ServiceConfig.Blobs before the first tag that records it, so that Rescore gives the
// same features again.
//
// In one transaction, ScoreUser makes the tags scored the current tags of the trades scored
// (Tags.Replace: re-scoring never duplicates) and appends an event for each change. A tag whose
// trade had no tag of its label is new: it gets an id and revision 1, and each order's new label
// one coach.reflect event (the order's other fills carry the same tag, not another message). A tag
// whose trade had one keeps its ID: when the confidence and the features but for the Input are
// the stored revision's, that revision stays as it is (so running ScoreUser again on the same data
// changes nothing and emits no event); otherwise — another definition version (Config.Version),
// other candles or trades — it gets the next revision with a tag.revised event, and the earlier
// revision, with the version it was scored under, stays listable (Tags.Revisions). An earlier
// tag whose label no longer holds is withdrawn, with a tag.revised event.
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

// openingOf returns the opening time of the oldest position still open at from (the trades in
// trade order, quantities as the fills give them), or from when none is.
func openingOf(trades []coach.Trade, from time.Time) time.Time {
	if from.IsZero() {
		return from
	}
	type position struct {
		held   decimal.Decimal
		opened time.Time
	}
	open := map[coach.Symbol]*position{}
	for i := range trades {
		t := &trades[i]
		if !t.TS.Before(from) {
			break
		}
		p := open[t.Symbol]
		if p == nil {
			p = &position{}
			open[t.Symbol] = p
		}
		if t.Side == coach.Buy {
			if p.held.Sign() <= 0 {
				p.held, p.opened = decimal.Zero, t.TS
			}
			p.held = p.held.Add(t.Qty)
			continue
		}
		p.held = p.held.Sub(t.Qty)
	}
	earliest := from
	for _, p := range open {
		if p.held.Sign() > 0 && p.opened.Before(earliest) {
			earliest = p.opened
		}
	}
	return earliest
}

// userConfig returns the definitions the Service scores user u with: its Config in u's time
// zone and, when the Config has Rules but no Plan, the plan written in u's stored rules (PlanOf:
// their stopLossPct and takeProfitPct), so that DISCIPLINE and PANIC read each trader's own stop.
func (s *Service) userConfig(ctx context.Context, u coach.User) (Config, error) {
	cfg := s.config
	if u.TimeZone != "" {
		cfg.TimeZone = u.TimeZone
	}
	if cfg.Rules != nil && cfg.Plan == (Plan{}) {
		written, err := s.store.Rules().List(ctx, u.ID)
		if err != nil {
			return Config{}, err
		}
		cfg.Plan = PlanOf(written)
	}
	return cfg, cfg.Validate()
}

func (s *Service) scoreUser(ctx context.Context, userID string, from, to time.Time) (Report, error) {
	var cfg Config
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
	cfg, err = s.userConfig(ctx, u)
	if err != nil {
		return Report{}, err
	}
	trades, err := storage.ListAll(ctx, s.store.Trades(), userID, storage.TradeFilter{To: to})
	if err != nil {
		return Report{}, err
	}
	trades, invalid := scorable(trades, from)
	if cfg.Rules != nil && cfg.Plan != (Plan{}) {
		// An entry gets DISCIPLINE when its position closes at the plan's level: a position
		// still open at from is scored from its opening, so that its exit in this window
		// reaches its entries (their other labels are decided again, identically).
		from = openingOf(trades, from)
	}
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
	snap, wrong, err := s.fetch(ctx, cfg, trades, scored)
	if err != nil {
		return Report{}, err
	}
	in := Input{CandlesSHA256: snap.SHA256, LabelFrom: scored[0].TS.UTC()}
	res, err := s.scoreVia(ctx, snap, trades, in.LabelFrom, cfg)
	if err != nil {
		return Report{}, err
	}
	if len(invalid) > 0 {
		res.Skipped = append(invalid, res.Skipped...)
	}
	// What the snapshot left out, Prepare never saw: count it where Prepare would have.
	res.Data.Invalid += snap.Invalid + wrong
	res.Data.Duplicates += snap.Duplicates
	res.Data.Conflicting += snap.Conflicting
	rep := Report{Trades: len(scored), Skipped: res.Skipped, Account: res.Account, Data: res.Data, Ledger: res.Ledger, CandlesSHA256: snap.SHA256}
	ids := make([]string, len(scored))
	for i := range scored {
		ids[i] = scored[i].ID
	}
	for i := range res.Tags {
		res.Tags[i].Features = appendInput(res.Tags[i].Features, in)
	}
	put := s.snapshotPutter(snap)
	err = s.store.InTx(ctx, func(tx storage.Tx) error {
		return s.record(ctx, tx, userID, ids, res.Tags, put, &rep)
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
// from the warm-up before the first trade scored to the bar of the last one, and returns their
// snapshot and the number of candles left out because the source gave them for another symbol
// than asked.
func (s *Service) fetch(ctx context.Context, cfg Config, all, scored []coach.Trade) (coach.CandleSnapshot, int, error) {
	step := cfg.Interval.Duration()
	start := scored[0].TS.Truncate(step).Add(-time.Duration(cfg.warmupBars()) * step)
	end := scored[len(scored)-1].TS.Truncate(step).Add(step)
	// The symbols as a set (a user trades few of them; sorting one entry per trade cost more).
	set := map[coach.Symbol]struct{}{}
	var last coach.Symbol
	for i := range all {
		t := &all[i]
		if i == 0 || t.Symbol != last {
			set[t.Symbol], last = struct{}{}, t.Symbol
		}
		if t.FeeAsset != "" && t.FeeAsset != t.Symbol.Base() && t.FeeAsset != t.Symbol.Quote() {
			set[coach.Symbol(t.FeeAsset+"-"+t.Symbol.Quote())] = struct{}{}
		}
	}
	syms := slices.Sorted(maps.Keys(set))
	// Each symbol's candles as the source gives them, then one slice sized for all of them.
	type asked struct {
		sym coach.Symbol
		cs  []coach.Candle
	}
	series := make([]asked, 0, len(syms))
	n := 0
	for _, sym := range syms {
		if !sym.Valid() {
			continue
		}
		cs, err := s.candles.Candles(ctx, sym, cfg.Interval, start, end)
		switch {
		case coach.ErrorCode(err) == coach.ENOTFOUND:
			continue
		case err != nil:
			return coach.CandleSnapshot{}, 0, err
		}
		series, n = append(series, asked{sym, cs}), n+len(cs)
	}
	var got []coach.Candle
	if n > 0 {
		got = make([]coach.Candle, 0, n)
	}
	wrong := 0
	for _, a := range series {
		for _, c := range a.cs {
			if c.Symbol != a.sym {
				wrong++ // Prepare drops a bar of another symbol than its series'
				continue
			}
			got = append(got, c)
		}
	}
	return coach.NewCandleSnapshot(got), wrong, nil
}

// snapshotPutter returns a function that stores snap in the blob store the first time it is
// called (a no-op without Blobs): record calls it before writing the first tag that records snap.
func (s *Service) snapshotPutter(snap coach.CandleSnapshot) func(context.Context) error {
	done := false
	return func(ctx context.Context) error {
		if done || s.blobs == nil {
			return nil
		}
		if err := storage.PutSnapshot(ctx, s.blobs, snap); err != nil {
			return err
		}
		done = true
		return nil
	}
}
