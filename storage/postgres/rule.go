package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
)

// rules is storage.Rules.
type rules struct{ s *scope }

const ruleCols = `id, user_id, kind, params, active, created_at`

func scanRule(row pgx.Row) (coach.Rule, error) {
	var r coach.Rule
	err := row.Scan(&r.ID, &r.UserID, &r.Kind, &r.Params, &r.Active, &r.CreatedAt)
	r.CreatedAt = r.CreatedAt.UTC()
	return r, err
}

func checkRule(r coach.Rule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return checkJSON("params", r.Params)
}

// Create stores r. A zero CreatedAt is set to the store's clock. ECONFLICT if the id is taken;
// ENOTFOUND if the user does not exist.
func (r rules) Create(ctx context.Context, rule coach.Rule) error {
	if err := checkRule(rule); err != nil {
		return err
	}
	if rule.CreatedAt.IsZero() {
		rule.CreatedAt = r.s.db.clock.Now()
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `INSERT INTO {schema}.rules (`+ruleCols+`)
			SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $2)
			ON CONFLICT DO NOTHING`,
			rule.ID, rule.UserID, rule.Kind, []byte(rule.Params), rule.Active, rule.CreatedAt)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		return conflictOrMissingUser(ctx, q, rule.UserID, "a rule with this id already exists")
	})
}

// Get returns the user's rule id, or ENOTFOUND.
func (r rules) Get(ctx context.Context, userID, id string) (coach.Rule, error) {
	if !textOK(userID) || !textOK(id) {
		return coach.Rule{}, coach.Errorf(coach.ENOTFOUND, "rule not found")
	}
	var out coach.Rule
	err := r.s.read(ctx, func(q querier) (err error) {
		out, err = scanRule(q.QueryRow(ctx, `SELECT `+ruleCols+` FROM {schema}.rules WHERE user_id = $1 AND id = $2`, userID, id))
		return err
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return coach.Rule{}, coach.Errorf(coach.ENOTFOUND, "rule not found")
	}
	return out, err
}

// List returns the user's rules, oldest first.
func (r rules) List(ctx context.Context, userID string) ([]coach.Rule, error) {
	if !textOK(userID) {
		return nil, nil
	}
	var out []coach.Rule
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+ruleCols+` FROM {schema}.rules WHERE user_id = $1 ORDER BY created_at, id`, userID)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanRule)
		return err
	})
	return out, err
}

// Update replaces kind, params and active of the rule (r.UserID, r.ID).
func (r rules) Update(ctx context.Context, rule coach.Rule) error {
	if err := checkRule(rule); err != nil {
		return err
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `UPDATE {schema}.rules SET kind = $3, params = $4, active = $5 WHERE user_id = $1 AND id = $2`,
			rule.UserID, rule.ID, rule.Kind, []byte(rule.Params), rule.Active)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return coach.Errorf(coach.ENOTFOUND, "rule not found")
		}
		return nil
	})
}

// Delete removes the user's rule, or gives ENOTFOUND.
func (r rules) Delete(ctx context.Context, userID, id string) error {
	if !textOK(userID) || !textOK(id) {
		return coach.Errorf(coach.ENOTFOUND, "rule not found")
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.rules WHERE user_id = $1 AND id = $2`, userID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return coach.Errorf(coach.ENOTFOUND, "rule not found")
		}
		return nil
	})
}
