package rules

import (
	"context"
	"encoding/json"
	"time"

	"github.com/pkg/errors"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// CandleSource gives candles. broker.MarketData satisfies it (rules does not import broker).
type CandleSource interface {
	// Candles returns the candles of symbol and interval with OpenTime in [from, to), in time
	// order, as many as the source has (gaps are absent). ENOTFOUND for a symbol it does not know.
	Candles(ctx context.Context, symbol coach.Symbol, interval coach.Interval, from, to time.Time) ([]coach.Candle, error)
}

// Service keeps a user's rules in storage and evaluates the user's trades against them. Every
// method is scoped to one user: another user's rule is ENOTFOUND.
type Service struct {
	Store storage.Store
	// Clock stamps new rules and audit rows, and ends an evaluation with an open end; nil means
	// the system clock.
	Clock coach.Clock
	// Interval is the width of the candles EvaluateUser fetches; "" means 1h.
	Interval coach.Interval
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return coach.SystemClock{}.Now()
	}
	return s.Clock.Now().UTC()
}

// Create stores a new rule of the user with in's Kind, Params and Active (in's ID, UserID and
// CreatedAt are ignored) and returns it. The params are checked by Parse and stored in their
// canonical JSON form. In the same transaction it writes a rule_created audit row. EINVALID for
// bad params, ENOTFOUND for an unknown user.
func (s *Service) Create(ctx context.Context, userID string, in coach.Rule) (coach.Rule, error) {
	if !coach.ValidID(userID) {
		return coach.Rule{}, coach.Errorf(coach.EINVALID, "userId: required")
	}
	r, err := s.canonical(in)
	if err != nil {
		return coach.Rule{}, err
	}
	r.ID, r.UserID, r.CreatedAt = coach.NewID(), userID, s.now()
	err = s.Store.InTx(ctx, func(tx storage.Tx) error {
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
	return s.Store.Rules().Get(ctx, userID, id)
}

// List returns the user's rules, oldest first.
func (s *Service) List(ctx context.Context, userID string) ([]coach.Rule, error) {
	return s.Store.Rules().List(ctx, userID)
}

// Update replaces the Kind, Params and Active of the user's rule in.ID and returns the stored
// rule. In the same transaction it writes a rule_updated audit row with the previous and new
// values. EINVALID for bad params, ENOTFOUND when the user has no such rule.
func (s *Service) Update(ctx context.Context, userID string, in coach.Rule) (coach.Rule, error) {
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
	err = s.Store.InTx(ctx, func(tx storage.Tx) error {
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
	return s.Store.InTx(ctx, func(tx storage.Tx) error {
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
