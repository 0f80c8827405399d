package rules

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/pkg/errors"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// ServiceConfig is what a Service needs.
type ServiceConfig struct {
	// Store holds the rules, trades and audit rows. Required.
	Store storage.Store
	// Candles is the market data of the rules that read it (broker.MarketData satisfies it); nil
	// evaluates without candles: the verdicts that need them are undecided.
	Candles coach.CandleSource
	// Interval is the width of the candles EvaluateUser fetches; "" means 1h.
	Interval coach.Interval
	// Clock stamps new rules and audit rows, and ends an evaluation with an open end;
	// nil means coach.SystemClock.
	Clock coach.Clock
	// Logger receives the service's log lines; nil discards them.
	Logger *slog.Logger
	// Metrics receives rules_evaluate_duration_seconds (coach.MetricTable); nil means
	// coach.NopMetrics.
	Metrics coach.Metrics
}

// Service keeps a user's rules in storage and evaluates the user's trades against them. Every
// method is scoped to one user: another user's rule is ENOTFOUND. Build it with New; a Service not
// built by New returns EINVALID from every method.
type Service struct {
	store    storage.Store
	candles  coach.CandleSource
	interval coach.Interval
	clock    coach.Clock
	log      *slog.Logger
	metrics  coach.Metrics
}

// New returns a Service, or an EINVALID error naming the first missing or invalid field of cfg.
func New(cfg ServiceConfig) (*Service, error) {
	if cfg.Store == nil {
		return nil, coach.Errorf(coach.EINVALID, "rules: ServiceConfig.Store is required")
	}
	if cfg.Interval == "" {
		cfg.Interval = coach.Hour1
	}
	if cfg.Interval.Duration() == 0 {
		return nil, coach.Errorf(coach.EINVALID, "rules: ServiceConfig.Interval: %q is not one of 1m 5m 15m 1h 4h 1d", clipText(string(cfg.Interval), 8))
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
	return &Service{store: cfg.Store, candles: cfg.Candles, interval: cfg.Interval, clock: cfg.Clock, log: cfg.Logger, metrics: cfg.Metrics}, nil
}

// errNotConstructed is what a Service not built by New answers.
var errNotConstructed = coach.Errorf(coach.EINVALID, "rules: Service not constructed; use rules.New")

func (s *Service) constructed() bool { return s != nil && s.store != nil }

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// Create stores a new rule of the user with in's Kind, Params and Active (in's ID, UserID and
// CreatedAt are ignored) and returns it. The params are checked by Parse and stored in their
// canonical JSON form. In the same transaction it writes a rule_created audit row. EINVALID for
// bad params, ENOTFOUND for an unknown user.
func (s *Service) Create(ctx context.Context, userID string, in coach.Rule) (coach.Rule, error) {
	if !s.constructed() {
		return coach.Rule{}, errNotConstructed
	}
	if !coach.ValidID(userID) {
		return coach.Rule{}, coach.Errorf(coach.EINVALID, "userId: required")
	}
	r, err := s.canonical(in)
	if err != nil {
		return coach.Rule{}, err
	}
	r.ID, r.UserID, r.CreatedAt = coach.NewID(), userID, s.now()
	err = s.store.InTx(ctx, func(tx storage.Tx) error {
		if _, err := tx.Users().ByID(ctx, userID); err != nil {
			return err
		}
		if err := tx.Rules().Create(ctx, r); err != nil {
			return err
		}
		return s.audit(ctx, tx, userID, coach.AuditRuleCreated, auditMeta{RuleID: r.ID, Kind: r.Kind, Active: &r.Active, Params: r.Params})
	})
	if err != nil {
		return coach.Rule{}, err
	}
	return r, nil
}

// Get returns the user's rule id, or ENOTFOUND.
func (s *Service) Get(ctx context.Context, userID, id string) (coach.Rule, error) {
	if !s.constructed() {
		return coach.Rule{}, errNotConstructed
	}
	return s.store.Rules().Get(ctx, userID, id)
}

// List returns the user's rules, oldest first.
func (s *Service) List(ctx context.Context, userID string) ([]coach.Rule, error) {
	if !s.constructed() {
		return nil, errNotConstructed
	}
	return s.store.Rules().List(ctx, userID)
}

// Update replaces the Kind, Params and Active of the user's rule in.ID and returns the stored
// rule. In the same transaction it writes a rule_updated audit row with the previous and new
// values. EINVALID for bad params, ENOTFOUND when the user has no such rule.
func (s *Service) Update(ctx context.Context, userID string, in coach.Rule) (coach.Rule, error) {
	if !s.constructed() {
		return coach.Rule{}, errNotConstructed
	}
	if !coach.ValidID(userID) {
		return coach.Rule{}, coach.Errorf(coach.EINVALID, "userId: required")
	}
	if !coach.ValidID(in.ID) {
		return coach.Rule{}, coach.Errorf(coach.EINVALID, "id: required")
	}
	r, err := s.canonical(in)
	if err != nil {
		return coach.Rule{}, err
	}
	err = s.store.InTx(ctx, func(tx storage.Tx) error {
		prev, err := tx.Rules().Get(ctx, userID, in.ID)
		if err != nil {
			return err
		}
		r.ID, r.UserID, r.CreatedAt = prev.ID, prev.UserID, prev.CreatedAt
		if err := tx.Rules().Update(ctx, r); err != nil {
			return err
		}
		return s.audit(ctx, tx, userID, coach.AuditRuleUpdated, auditMeta{
			RuleID: r.ID, Kind: r.Kind, Active: &r.Active, Params: r.Params,
			Prev: &auditMeta{Kind: prev.Kind, Active: &prev.Active, Params: prev.Params},
		})
	})
	if err != nil {
		return coach.Rule{}, err
	}
	return r, nil
}

// Delete removes the user's rule id and, in the same transaction, writes a rule_deleted audit
// row. ENOTFOUND when the user has no such rule.
func (s *Service) Delete(ctx context.Context, userID, id string) error {
	if !s.constructed() {
		return errNotConstructed
	}
	return s.store.InTx(ctx, func(tx storage.Tx) error {
		prev, err := tx.Rules().Get(ctx, userID, id)
		if err != nil {
			return err
		}
		if err := tx.Rules().Delete(ctx, userID, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, userID, coach.AuditRuleDeleted, auditMeta{RuleID: id, Kind: prev.Kind})
	})
}

// canonical parses in and returns a rule with its kind, canonical params and active flag.
func (s *Service) canonical(in coach.Rule) (coach.Rule, error) {
	p, err := ParseParams(in.Kind, in.Params)
	if err != nil {
		return coach.Rule{}, err
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return coach.Rule{}, errors.Wrap(err, "rules: encode params")
	}
	return coach.Rule{Kind: p.Kind(), Params: raw, Active: in.Active}, nil
}

// auditMeta is the Meta of a rule's audit rows.
type auditMeta struct {
	RuleID string          `json:"ruleId,omitempty"`
	Kind   string          `json:"kind"`
	Active *bool           `json:"active,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Prev   *auditMeta      `json:"prev,omitempty"`
}

func (s *Service) audit(ctx context.Context, tx storage.Tx, userID, action string, meta auditMeta) error {
	raw, err := json.Marshal(meta)
	if err != nil {
		return errors.Wrap(err, "rules: encode audit meta")
	}
	return tx.Audit().Append(ctx, coach.Audit{ID: coach.NewID(), UserID: userID, Action: action, Meta: raw, CreatedAt: s.now()})
}
