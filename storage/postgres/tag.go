package postgres

import (
	"bytes"
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// tags is storage.Tags. bias_tags holds each current tag at its newest revision: a tag's trade
// is a foreign key (its tags go with a deleted trade), and UNIQUE (trade_id, label) keeps one
// current tag per label. bias_tag_revisions holds the earlier revisions of current tags and every
// revision of withdrawn ones. features is a json column, which keeps the document byte for byte.
type tags struct{ s *scope }

const tagCols = `g.id, g.user_id, g.trade_id, g.label, g.confidence, g.features, g.created_at, g.revision`

func scanTag(row pgx.Row) (coach.BiasTag, error) {
	var g coach.BiasTag
	err := row.Scan(&g.ID, &g.UserID, &g.TradeID, &g.Label, &g.Confidence, &g.Features, &g.CreatedAt, &g.Revision)
	g.CreatedAt = g.CreatedAt.UTC()
	return g, err
}

// Replace makes tags the complete set of current tags of the trades tradeIDs, keeping every
// revision (see storage.Tags). Every expected failure (an invalid tag, a trade the user does not
// have, a repeated label, a tag id used elsewhere, a revision that does not follow the stored
// ones) is found before anything is written, so inside InTx the transaction stays usable.
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
	byID := make(map[string]coach.BiasTag, len(batch))
	gIDs := make([]string, 0, len(batch))
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
		}
		if _, dup := byID[g.ID]; dup {
			return coach.Errorf(coach.ECONFLICT, "tag id %s is used twice", g.ID)
		}
		g.Revision = max(g.Revision, 1)
		labels[key{g.TradeID, g.Label}] = true
		byID[g.ID] = g
		gIDs = append(gIDs, g.ID)
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
		// Lock the current tags of those trades, and any current tag with an id of the batch: a
		// concurrent Replace of the same tags waits, then finds the revision it did not expect.
		rows, err = q.Query(ctx, `SELECT `+tagCols+` FROM {schema}.bias_tags g
			WHERE (g.user_id = $1 AND g.trade_id = ANY($2)) OR g.id = ANY($3) ORDER BY g.id FOR UPDATE`, userID, ids, gIDs)
		if err != nil {
			return err
		}
		cur, err := collect(rows, scanTag)
		if err != nil {
			return err
		}
		stored := make(map[string]coach.BiasTag, len(cur))
		for _, c := range cur {
			stored[c.ID] = c
		}
		var fresh []string // batch ids with no current tag
		for _, id := range gIDs {
			if _, ok := stored[id]; !ok {
				fresh = append(fresh, id)
			}
		}
		if len(fresh) > 0 {
			var used bool
			if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM {schema}.bias_tag_revisions WHERE id = ANY($1))`, fresh).Scan(&used); err != nil {
				return err
			}
			if used {
				return coach.Errorf(coach.ECONFLICT, "a tag id is already used by a withdrawn tag")
			}
		}
		var retire, withdraw []string
		var update, insert []coach.BiasTag
		for _, id := range gIDs {
			g := byID[id]
			c, ok := stored[id]
			switch {
			case !ok && g.Revision != 1:
				return coach.Errorf(coach.ECONFLICT, "tag %s: revision %d of a tag not stored; a new tag is revision 1", clipText(id), g.Revision)
			case !ok:
				insert = append(insert, g)
			case c.UserID != userID || c.TradeID != g.TradeID || c.Label != g.Label:
				return coach.Errorf(coach.ECONFLICT, "tag %s already exists (another trade's or label's)", clipText(id))
			case g.Revision == c.Revision:
				if g.Confidence != c.Confidence || !bytes.Equal(g.Features, c.Features) {
					return coach.Errorf(coach.ECONFLICT, "tag %s: revision %d is stored with other content; a stored revision never changes", clipText(id), c.Revision)
				}
			case g.Revision == c.Revision+1:
				retire = append(retire, id)
				update = append(update, g)
			default:
				return coach.Errorf(coach.ECONFLICT, "tag %s is at revision %d, not %d: another writer revised it", clipText(id), c.Revision, g.Revision-1)
			}
		}
		for _, c := range cur {
			if _, kept := byID[c.ID]; !kept && c.UserID == userID && want[c.TradeID] {
				retire = append(retire, c.ID)
				withdraw = append(withdraw, c.ID)
			}
		}
		if len(retire) > 0 {
			if _, err := q.Exec(ctx, `INSERT INTO {schema}.bias_tag_revisions (id, revision, user_id, trade_id, label, confidence, features, created_at)
				SELECT id, revision, user_id, trade_id, label, confidence, features, created_at FROM {schema}.bias_tags WHERE id = ANY($1)`, retire); err != nil {
				return err
			}
		}
		if len(withdraw) > 0 {
			if _, err := q.Exec(ctx, `DELETE FROM {schema}.bias_tags WHERE id = ANY($1)`, withdraw); err != nil {
				return err
			}
		}
		if len(update) > 0 {
			c := tagColumns(update)
			if _, err := q.Exec(ctx, `UPDATE {schema}.bias_tags g
				SET revision = u.revision, confidence = u.confidence, features = u.features, created_at = u.created_at
				FROM unnest($1::text[], $2::int[], $3::float8[], $4::json[], $5::timestamptz[]) AS u(id, revision, confidence, features, created_at)
				WHERE g.id = u.id`, c.ids, c.revisions, c.confidences, c.features, c.createdAt); err != nil {
				return err
			}
		}
		if len(insert) > 0 {
			c := tagColumns(insert)
			if _, err := q.Exec(ctx, `INSERT INTO {schema}.bias_tags (id, user_id, trade_id, label, confidence, features, created_at, revision)
				SELECT id, $1, trade_id, label, confidence, features, created_at, revision
				FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::json[], $7::timestamptz[], $8::int[])
					AS u(id, trade_id, label, confidence, features, created_at, revision)`,
				userID, c.ids, c.trades, c.labels, c.confidences, c.features, c.createdAt, c.revisions); err != nil {
				return err
			}
		}
		return nil
	})
}

// columns are tags as parameter arrays, for unnest.
type columns struct {
	ids, trades, labels []string
	revisions           []int32
	confidences         []float64
	features            [][]byte
	createdAt           []time.Time
}

func tagColumns(gs []coach.BiasTag) columns {
	n := len(gs)
	c := columns{
		ids: make([]string, n), trades: make([]string, n), labels: make([]string, n), revisions: make([]int32, n),
		confidences: make([]float64, n), features: make([][]byte, n), createdAt: make([]time.Time, n),
	}
	for i, g := range gs {
		c.ids[i], c.trades[i], c.labels[i], c.revisions[i] = g.ID, g.TradeID, g.Label, int32(g.Revision) // Validate bounds it
		c.confidences[i], c.features[i], c.createdAt[i] = g.Confidence, g.Features, g.CreatedAt
	}
	return c
}

// ByTrades returns the current tags of the user's trades tradeIDs, ordered by trade id then label.
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

// List returns the user's current tags whose trade matches f, in trade order, then label.
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

// Revisions returns every revision of the user's tag tagID, oldest first, or ENOTFOUND.
func (r tags) Revisions(ctx context.Context, userID, tagID string) ([]coach.BiasTag, error) {
	if !textOK(userID) || !textOK(tagID) {
		return nil, coach.Errorf(coach.ENOTFOUND, "tag %s not found", clipText(tagID))
	}
	var out []coach.BiasTag
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+tagCols+` FROM {schema}.bias_tag_revisions g WHERE g.user_id = $1 AND g.id = $2
			UNION ALL SELECT `+tagCols+` FROM {schema}.bias_tags g WHERE g.user_id = $1 AND g.id = $2
			ORDER BY revision`, userID, tagID)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanTag)
		return err
	})
	if err == nil && len(out) == 0 {
		return nil, coach.Errorf(coach.ENOTFOUND, "tag %s not found", clipText(tagID))
	}
	return out, err
}
