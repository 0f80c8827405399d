package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// tags is storage.Tags. A tag's trade is a foreign key (its tags go with a deleted trade), and
// UNIQUE (trade_id, label) keeps one tag per label.
type tags struct{ s *scope }

const tagCols = `g.id, g.user_id, g.trade_id, g.label, g.confidence, g.features, g.created_at`

func scanTag(row pgx.Row) (coach.BiasTag, error) {
	var g coach.BiasTag
	err := row.Scan(&g.ID, &g.UserID, &g.TradeID, &g.Label, &g.Confidence, &g.Features, &g.CreatedAt)
	g.CreatedAt = g.CreatedAt.UTC()
	return g, err
}

// Replace makes tags the complete set of tags of the trades tradeIDs (see storage.Tags). Every
// expected failure (an invalid tag, a trade the user does not have, a repeated label or a tag id
// used elsewhere) is found before anything is written, so inside InTx the transaction stays usable.
func (r tags) Replace(ctx context.Context, userID string, tradeIDs []string, batch []coach.BiasTag) error {
	want := make(map[string]bool, len(tradeIDs))
	ids := make([]string, 0, len(tradeIDs))
	for _, id := range tradeIDs {
		if !textOK(id) {
			return coach.Errorf(coach.ENOTFOUND, "trade %s not found", clipText(id))
		}
		if !want[id] {
			want[id] = true
			ids = append(ids, id)
		}
	}
	type key struct{ trade, label string }
	labels := make(map[key]bool, len(batch))
	tagIDs := make(map[string]bool, len(batch))
	for _, g := range batch {
		if err := g.Validate(); err != nil {
			return err
		}
		if err := checkJSON("features", g.Features); err != nil {
			return err
		}
		switch {
		case g.UserID != userID:
			return coach.Errorf(coach.EINVALID, "tag %s: userId: belongs to another user", g.ID)
		case !want[g.TradeID]:
			return coach.Errorf(coach.EINVALID, "tag %s: tradeId %s is not among the trades replaced", g.ID, g.TradeID)
		case labels[key{g.TradeID, g.Label}]:
			return coach.Errorf(coach.ECONFLICT, "trade %s has two %s tags", g.TradeID, g.Label)
		case tagIDs[g.ID]:
			return coach.Errorf(coach.ECONFLICT, "tag id %s is used twice", g.ID)
		}
		labels[key{g.TradeID, g.Label}] = true
		tagIDs[g.ID] = true
	}
	if len(ids) == 0 {
		return nil
	}
	if !textOK(userID) {
		return coach.Errorf(coach.ENOTFOUND, "trades not found")
	}
	return r.s.write(ctx, func(q querier) error {
		// Lock the user's trades named (a concurrent delete waits) and check that all exist.
		rows, err := q.Query(ctx, `SELECT id FROM {schema}.trades WHERE user_id = $1 AND id = ANY($2) FOR KEY SHARE`, userID, ids)
		if err != nil {
			return err
		}
		found, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if len(found) != len(ids) {
			have := make(map[string]bool, len(found))
			for _, id := range found {
				have[id] = true
			}
			for _, id := range ids {
				if !have[id] {
					return coach.Errorf(coach.ENOTFOUND, "trade %s not found", clipText(id))
				}
			}
		}
		var (
			n          = len(batch)
			gIDs       = make([]string, n)
			gTrades    = make([]string, n)
			gLabels    = make([]string, n)
			gConf      = make([]float64, n)
			gFeatures  = make([][]byte, n)
			gCreatedAt = make([]time.Time, n)
		)
		for i, g := range batch {
			gIDs[i], gTrades[i], gLabels[i], gConf[i], gFeatures[i], gCreatedAt[i] = g.ID, g.TradeID, g.Label, g.Confidence, g.Features, g.CreatedAt
		}
		if n > 0 {
			var taken bool
			if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM {schema}.bias_tags WHERE id = ANY($1)
				AND NOT (user_id = $2 AND trade_id = ANY($3)))`, gIDs, userID, ids).Scan(&taken); err != nil {
				return err
			}
			if taken {
				return coach.Errorf(coach.ECONFLICT, "a tag id is already used by another trade's tag")
			}
		}
		if _, err := q.Exec(ctx, `DELETE FROM {schema}.bias_tags WHERE user_id = $1 AND trade_id = ANY($2)`, userID, ids); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		_, err = q.Exec(ctx, `INSERT INTO {schema}.bias_tags (id, user_id, trade_id, label, confidence, features, created_at)
			SELECT id, $1, trade_id, label, confidence, features, created_at
			FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::jsonb[], $7::timestamptz[])
				AS u(id, trade_id, label, confidence, features, created_at)`,
			userID, gIDs, gTrades, gLabels, gConf, gFeatures, gCreatedAt)
		return err
	})
}

// ByTrades returns the tags of the user's trades tradeIDs, ordered by trade id then label.
func (r tags) ByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.BiasTag, error) {
	ids := make([]string, 0, len(tradeIDs))
	for _, id := range tradeIDs {
		if textOK(id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || !textOK(userID) {
		return nil, nil
	}
	var out []coach.BiasTag
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+tagCols+` FROM {schema}.bias_tags g WHERE g.user_id = $1 AND g.trade_id = ANY($2)
			ORDER BY g.trade_id, g.label`, userID, ids)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanTag)
		return err
	})
	return out, err
}

// List returns the user's tags whose trade matches f, in trade order, then label.
func (r tags) List(ctx context.Context, userID string, f storage.TagFilter) ([]coach.BiasTag, error) {
	if !textOK(userID) || !textOK(f.Label) {
		return nil, nil
	}
	sql := `SELECT ` + tagCols + ` FROM {schema}.bias_tags g JOIN {schema}.trades t ON t.id = g.trade_id
		WHERE g.user_id = $1 AND t.user_id = $1`
	args := []any{userID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !f.From.IsZero() {
		sql += ` AND t.ts >= ` + arg(f.From)
	}
	if !f.To.IsZero() {
		sql += ` AND t.ts < ` + arg(f.To)
	}
	if f.Label != "" {
		sql += ` AND g.label = ` + arg(f.Label)
	}
	sql += ` ORDER BY t.ts, t.broker, t.ext_id, g.label`
	var out []coach.BiasTag
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanTag)
		return err
	})
	return out, err
}
