package digest

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"time"

	"github.com/pkg/errors"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/storage"
)

// SimSource gives what-if simulation results for a user's week. Package sim computes them; a host
// adapts it (digest does not import sim).
type SimSource interface {
	// Outcomes returns the simulation outcomes of the user's trades with TS in [from, to).
	Outcomes(ctx context.Context, userID string, from, to time.Time) ([]SimOutcome, error)
}

// ServiceConfig is what a Service needs.
type ServiceConfig struct {
	// Store holds the users, trades, tags, rules, digests and events. Required.
	Store storage.Store
	// Blobs archives the HTML report; nil archives nothing.
	Blobs storage.Blobs
	// Clock stamps new digests; nil means coach.SystemClock.
	Clock coach.Clock
	// Sims gives simulation outcomes for the suggestion; nil means none.
	Sims SimSource
	// Account gives the account windows of Payload.Account (bias.Service satisfies it); nil
	// leaves Payload.Account out.
	Account AccountSource
	// Candles gives the market data of the rules that read it and of the conversions into the
	// user's reporting currency (broker.MarketData satisfies it); nil evaluates rules without
	// candles (their verdicts are then undecided) and converts nothing but that currency itself.
	Candles coach.CandleSource
	// CandleInterval is the width of those candles; "" means 1h.
	CandleInterval coach.Interval
	// Logger receives the service's log lines; nil discards them.
	Logger *slog.Logger
	// Metrics receives digest_weekly_duration_seconds (coach.MetricTable) and, from the rule
	// evaluation inside, rules_evaluate_duration_seconds; nil means coach.NopMetrics.
	Metrics coach.Metrics
}

// Service builds, stores and archives weekly digests of stored users. Build it with New; a
// Service not built by New returns EINVALID from every method.
type Service struct {
	store   storage.Store
	blobs   storage.Blobs
	clock   coach.Clock
	sims    SimSource
	account AccountSource
	rules   *rules.Service
	candles coach.CandleSource // for the conversions; nil converts nothing but the currency
	iv      coach.Interval
	log     *slog.Logger
	metrics coach.Metrics
}

// New returns a Service, or an EINVALID error naming the first missing or invalid field of cfg.
func New(cfg ServiceConfig) (*Service, error) {
	if cfg.Store == nil {
		return nil, coach.Errorf(coach.EINVALID, "digest: ServiceConfig.Store is required")
	}
	if cfg.CandleInterval != "" && cfg.CandleInterval.Duration() == 0 {
		return nil, coach.Errorf(coach.EINVALID, "digest: ServiceConfig.CandleInterval: %q is not one of 1m 5m 15m 1h 4h 1d", clip(string(cfg.CandleInterval), 8))
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
	rs, err := rules.New(rules.ServiceConfig{Store: cfg.Store, Candles: cfg.Candles, Interval: cfg.CandleInterval,
		Clock: cfg.Clock, Logger: cfg.Logger, Metrics: cfg.Metrics})
	if err != nil {
		return nil, err
	}
	iv := cfg.CandleInterval
	if iv == "" {
		iv = coach.Hour1
	}
	return &Service{store: cfg.Store, blobs: cfg.Blobs, clock: cfg.Clock, sims: cfg.Sims, account: cfg.Account, rules: rs,
		candles: cfg.Candles, iv: iv, log: cfg.Logger, metrics: cfg.Metrics}, nil
}

// errNotConstructed is what a Service not built by New answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "digest: Service not constructed; use digest.New")

// ReportKey is the blob key of a digest's HTML report, under the user's prefix (so that erasing
// the user removes it): storage.UserBlobKey(userID, "digests", "{periodStart}.html").
func ReportKey(userID string, periodStart coach.Date) string {
	return storage.UserBlobKey(userID, "digests", periodStart.String()+".html")
}

// Weekly builds the user's digest of week and stores it.
//
// It loads the user (for the time zone), every trade up to the end of the week (paged), their
// tags and the user's disputes (those excluding a trade from a label's attribution are applied:
// see Input.Disputes); it evaluates the user's active rules over every trade up to the end of the week
// (rules.Service.EvaluateUser, candles through ServiceConfig.Candles), so streaks run over the whole history;
// it asks Sims for the week's simulations and rebuilds the previous week from the same data for
// VsPreviousWeek (when the user traded before this week); it converts the week's money into the
// user's reporting currency (Payload.InCurrency) through the candles, from Candles, of every pair
// that may join the week's quote and fee assets to that currency (ledger.ConverterConfig.Symbols),
// from a day (ledger.DefaultMaxAge) before the week to its end. Then, in one transaction, it
// stores the digest (storage.Digests.Put: one per user and week) and appends a digest.ready event
// (v1, coach.DigestReadyPayload) — but only when the payload differs from the one already stored
// for the week: running Weekly again on unchanged data stores nothing new and emits nothing, and
// the digest keeps its ID. After the commit it writes the HTML report to Blobs under ReportKey
// (replacing it: idempotent), every time, so a retry after a failed archive completes it.
//
// A stored rule that no longer parses is left out of the evaluation (rules.Report.Invalid).
//
// Errors: EINVALID for a bad user id or week; ENOTFOUND for an unknown user; the store's, the
// sources' and the blob store's errors otherwise (a failed archive after the commit is returned,
// and the digest stays stored).
func (s *Service) Weekly(ctx context.Context, userID string, week Week) (coach.Digest, error) {
	if s == nil || s.store == nil {
		return coach.Digest{}, errNotConstructed
	}
	start := time.Now()
	d, err := s.weekly(ctx, userID, week)
	s.metrics.Observe(coach.MetricDigestDuration, time.Since(start), "outcome", coach.Outcome(err))
	if coach.ErrorCode(err) == coach.EINTERNAL {
		s.log.ErrorContext(ctx, "digest: weekly failed", "userId", userID, "week", week.String(), "err", err)
	}
	return d, err
}

func (s *Service) weekly(ctx context.Context, userID string, week Week) (coach.Digest, error) {
	switch {
	case !coach.ValidID(userID):
		return coach.Digest{}, coach.Errorf(coach.EINVALID, "userId: required")
	case !week.Valid():
		return coach.Digest{}, coach.Errorf(coach.EINVALID, "week %s: not a week its year has", week)
	}
	u, err := s.store.Users().ByID(ctx, userID)
	if err != nil {
		return coach.Digest{}, err
	}
	loc := u.Location()
	start, end := week.Start(loc), week.End(loc)
	trades, err := storage.ListAll(ctx, s.store.Trades(), userID, storage.TradeFilter{To: end})
	if err != nil {
		return coach.Digest{}, err
	}
	tags, err := s.store.Tags().List(ctx, userID, storage.TagFilter{To: end})
	if err != nil {
		return coach.Digest{}, err
	}
	disputes, err := storage.ListAllDisputes(ctx, s.store.Disputes(), userID)
	if err != nil {
		return coach.Digest{}, err
	}
	eval, err := s.evaluate(ctx, userID, end)
	if err != nil {
		return coach.Digest{}, err
	}
	var sims []SimOutcome
	if s.sims != nil {
		if sims, err = s.sims.Outcomes(ctx, userID, start, end); err != nil {
			return coach.Digest{}, err
		}
	}
	conv, err := s.converter(ctx, u, trades, start, end)
	if err != nil {
		return coach.Digest{}, err
	}
	in := Input{User: u, Week: week, Trades: trades, Tags: tags, Rules: eval, Simulations: sims, Converter: conv}
	if s.account != nil {
		if in.Windows, err = s.account.AccountWindows(ctx, userID, end); err != nil {
			return coach.Digest{}, err
		}
		if in.Windows == nil {
			in.Windows = []bias.AccountWindow{}
		}
	}
	if len(trades) > 0 && trades[0].TS.Before(start) {
		prev, err := Build(Input{User: u, Week: week.Prev(), Trades: trades, Tags: tags, Disputes: disputes, Rules: eval})
		if err != nil {
			return coach.Digest{}, err
		}
		in.Previous = &prev
	}
	in.Disputes = disputes
	p, err := Build(in)
	if err != nil {
		return coach.Digest{}, err
	}
	body, err := json.Marshal(p)
	if err != nil {
		return coach.Digest{}, errors.Wrap(err, "digest: marshal payload")
	}
	d, err := s.put(ctx, userID, p, body)
	if err != nil {
		return coach.Digest{}, err
	}
	if s.blobs != nil {
		html, err := RenderHTML(p)
		if err != nil {
			return coach.Digest{}, err
		}
		if _, err := s.blobs.Put(ctx, ReportKey(userID, d.PeriodStart), bytes.NewReader(html), "text/html; charset=utf-8"); err != nil {
			return coach.Digest{}, err
		}
	}
	return d, nil
}

// put puts the digest and its digest.ready event in one transaction, unless the stored digest
// of the week already has this payload.
func (s *Service) put(ctx context.Context, userID string, p Payload, body []byte) (coach.Digest, error) {
	var out coach.Digest
	err := s.store.InTx(ctx, func(tx storage.Tx) error {
		old, err := weekDigest(ctx, tx, userID, p.PeriodStart)
		if err != nil {
			return err
		}
		if old != nil && samePayload(old.Payload, body) {
			out = *old
			return nil
		}
		d, err := tx.Digests().Put(ctx, coach.Digest{
			ID: coach.NewID(), UserID: userID, PeriodStart: p.PeriodStart, PeriodEnd: p.PeriodEnd,
			Payload: body, CreatedAt: s.clock.Now().UTC(),
		})
		if err != nil {
			return err
		}
		ev, err := coach.NewEvent(userID, coach.EventDigestReady, 1, coach.DigestReadyPayload{
			DigestID: d.ID, PeriodStart: d.PeriodStart, PeriodEnd: d.PeriodEnd,
		})
		if err != nil {
			return err
		}
		if _, err := tx.Events().Append(ctx, ev); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

// weekDigest returns the user's stored digest starting on start, or nil.
func weekDigest(ctx context.Context, tx storage.Tx, userID string, start coach.Date) (*coach.Digest, error) {
	latest, err := tx.Digests().Latest(ctx, userID)
	switch {
	case coach.ErrorCode(err) == coach.ENOTFOUND:
		return nil, nil
	case err != nil:
		return nil, err
	case latest.PeriodStart == start:
		return &latest, nil
	case latest.PeriodStart.Before(start):
		return nil, nil
	}
	all, err := tx.Digests().List(ctx, userID, storage.MaxLimit)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].PeriodStart == start {
			return &all[i], nil
		}
	}
	return nil, nil
}

// samePayload reports whether two JSON payloads have the same content, whatever their key order
// and spacing (a JSON column may normalize both).
func samePayload(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// evaluate evaluates the user's active rules over their trades before end, or returns nil when
// the user has no active rule.
func (s *Service) evaluate(ctx context.Context, userID string, end time.Time) (*rules.Evaluation, error) {
	rep, err := s.rules.EvaluateUser(ctx, userID, time.Time{}, end)
	if err != nil {
		return nil, err
	}
	if len(rep.Evaluation.Rules) == 0 {
		return nil, nil
	}
	return rep.Evaluation, nil
}
