package postgres

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// disputes is storage.Disputes on the table tag_disputes (migration 00008): UNIQUE (trade_id,
// label) keeps one dispute per label on a trade, the trade is a foreign key (its disputes go with
// it), and the tag is joined by (trade_id, label), never by id, so a new revision of the label
// keeps its dispute.
type disputes struct{ s *scope }

const disputeCols = `d.id, d.user_id, d.trade_id, d.label, d.tag_id, d.tag_revision, d.reason, d.note, d.exclude_from_attribution, d.created_at, d.updated_at`

func scanDispute(row pgx.Row) (coach.TagDispute, error) {
	var d coach.TagDispute
	err := row.Scan(&d.ID, &d.UserID, &d.TradeID, &d.Label, &d.TagID, &d.TagRevision, &d.Reason, &d.Note, &d.ExcludeFromAttribution, &d.CreatedAt, &d.UpdatedAt)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, err
}

// joinDispute is the join of a tag g with the dispute d of its trade and label.
const joinDispute = `{schema}.bias_tags g LEFT JOIN {schema}.tag_disputes d
	ON d.trade_id = g.trade_id AND d.label = g.label AND d.user_id = g.user_id`

// Put stores the dispute, or replaces the one of its trade and label (see storage.Disputes). A
// missing tag and an id taken by another dispute are found before anything is written, so inside
// InTx the transaction stays usable; the write checks the tag again in the same statement.
func (r disputes) Put(ctx context.Context, d coach.TagDispute) (coach.TagDispute, error) {
	if err := d.Validate(); err != nil {
		return coach.TagDispute{}, err
	}
	now := r.s.db.clock.Now()
	created, updated := orNow(d.CreatedAt, now), orNow(d.UpdatedAt, now)
	var out coach.TagDispute
	err := r.s.write(ctx, func(q querier) error {
		notFound := coach.Errorf(coach.ENOTFOUND, "tag %s not found on trade %s with label %s", d.TagID, d.TradeID, d.Label)
		var tagged, taken bool
		if err := q.QueryRow(ctx, `SELECT
				EXISTS (SELECT 1 FROM {schema}.bias_tags WHERE id = $4 AND user_id = $5 AND trade_id = $2 AND label = $3),
				EXISTS (SELECT 1 FROM {schema}.tag_disputes WHERE id = $1)
					AND NOT EXISTS (SELECT 1 FROM {schema}.tag_disputes WHERE trade_id = $2 AND label = $3)`,
			d.ID, d.TradeID, d.Label, d.TagID, d.UserID).Scan(&tagged, &taken); err != nil {
			return err
		}
		switch {
		case !tagged:
			return notFound
		case taken:
			return coach.Errorf(coach.ECONFLICT, "a dispute with this id already exists")
		}
		var err error
		out, err = scanDispute(q.QueryRow(ctx, `WITH g AS (
				SELECT g.revision FROM {schema}.bias_tags g JOIN {schema}.trades t ON t.id = g.trade_id AND t.user_id = g.user_id
				WHERE g.id = $5 AND g.user_id = $2 AND g.trade_id = $3 AND g.label = $4
				FOR KEY SHARE OF t
			)
			INSERT INTO {schema}.tag_disputes AS d (id, user_id, trade_id, label, tag_id, tag_revision, reason, note, exclude_from_attribution, created_at, updated_at)
			SELECT $1, $2, $3, $4, $5, g.revision, $6, $7, $8, $9::timestamptz, GREATEST($10::timestamptz, $9::timestamptz) FROM g
			ON CONFLICT (trade_id, label) DO UPDATE SET tag_id = EXCLUDED.tag_id, tag_revision = EXCLUDED.tag_revision, reason = EXCLUDED.reason,
				note = EXCLUDED.note, exclude_from_attribution = EXCLUDED.exclude_from_attribution,
				updated_at = GREATEST($10::timestamptz, d.created_at)
				WHERE d.user_id = EXCLUDED.user_id
			RETURNING `+disputeCols,
			d.ID, d.UserID, d.TradeID, d.Label, d.TagID, d.Reason, d.Note, d.ExcludeFromAttribution, created, updated))
		if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND { // the tag or the trade went meanwhile
			return notFound
		}
		return err
	})
	return out, err
}

// orNow returns t, or now when t is zero.
func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

// Get returns the user's dispute of label on trade tradeID, or ENOTFOUND.
func (r disputes) Get(ctx context.Context, userID, tradeID, label string) (coach.TagDispute, error) {
	if !textOK(userID) || !textOK(tradeID) || !textOK(label) {
		return coach.TagDispute{}, coach.Errorf(coach.ENOTFOUND, "dispute not found")
	}
	var out coach.TagDispute
	err := r.s.read(ctx, func(q querier) (err error) {
		out, err = scanDispute(q.QueryRow(ctx, `SELECT `+disputeCols+` FROM {schema}.tag_disputes d
			WHERE d.user_id = $1 AND d.trade_id = $2 AND d.label = $3`, userID, tradeID, label))
		return err
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return coach.TagDispute{}, coach.Errorf(coach.ENOTFOUND, "dispute not found")
	}
	return out, err
}

// Delete withdraws the user's dispute of label on trade tradeID, or gives ENOTFOUND.
func (r disputes) Delete(ctx context.Context, userID, tradeID, label string) error {
	if !textOK(userID) || !textOK(tradeID) || !textOK(label) {
		return coach.Errorf(coach.ENOTFOUND, "dispute not found")
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.tag_disputes WHERE user_id = $1 AND trade_id = $2 AND label = $3`, userID, tradeID, label)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return coach.Errorf(coach.ENOTFOUND, "dispute not found")
		}
		return nil
	})
}

// ByTrades returns the user's disputes of the trades tradeIDs, by trade id then label.
func (r disputes) ByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.TagDispute, error) {
	ids := storableIDs(tradeIDs)
	if len(ids) == 0 || !textOK(userID) {
		return nil, nil
	}
	var out []coach.TagDispute
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+disputeCols+` FROM {schema}.tag_disputes d
			WHERE d.user_id = $1 AND d.trade_id = ANY($2) ORDER BY d.trade_id, d.label`, userID, ids)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanDispute)
		return err
	})
	return out, err
}

// Tagged returns the tags of the user's trades tradeIDs joined with their disputes, by trade id
// then label.
func (r disputes) Tagged(ctx context.Context, userID string, tradeIDs []string) ([]coach.TagWithDispute, error) {
	ids := storableIDs(tradeIDs)
	if len(ids) == 0 || !textOK(userID) {
		return nil, nil
	}
	var out []coach.TagWithDispute
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+tagCols+`, d.id, d.tag_id, d.tag_revision, d.reason, d.note, d.exclude_from_attribution, d.created_at, d.updated_at
			FROM `+joinDispute+`
			WHERE g.user_id = $1 AND g.trade_id = ANY($2) ORDER BY g.trade_id, g.label`, userID, ids)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanTagWithDispute)
		return err
	})
	return out, err
}

// scanTagWithDispute reads a row of tagCols followed by the dispute's columns. The tag is read by
// scanTag itself, so that the tag's columns are named and read in one place (tag.go).
func scanTagWithDispute(row pgx.Row) (coach.TagWithDispute, error) {
	var (
		id, tagID        *string
		revision         *int
		reason, note     *string
		exclude          *bool
		created, updated *time.Time
	)
	g, err := scanTag(tailRow{row, []any{&id, &tagID, &revision, &reason, &note, &exclude, &created, &updated}})
	if err != nil {
		return coach.TagWithDispute{}, err
	}
	out := coach.TagWithDispute{BiasTag: g}
	if id != nil {
		out.Dispute = &coach.TagDispute{ID: *id, UserID: g.UserID, TradeID: g.TradeID, Label: g.Label, TagID: *tagID, TagRevision: *revision,
			Reason: *reason, Note: *note, ExcludeFromAttribution: *exclude, CreatedAt: created.UTC(), UpdatedAt: updated.UTC()}
	}
	return out, nil
}

// tailRow is a row whose Scan fills tail after the destinations it is given: a scanner of the
// leading columns reads a row that has more.
type tailRow struct {
	pgx.Row
	tail []any
}

// Scan scans into dest, then tail.
func (r tailRow) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.tail...)...) }

// List returns the user's disputes in (created_at, id) order after p.After.
func (r disputes) List(ctx context.Context, userID string, p storage.AnswerPage) ([]coach.TagDispute, error) {
	if !textOK(userID) || p.After != nil && !textOK(p.After.ID) {
		return nil, nil
	}
	sql, args := answerPage(`SELECT `+disputeCols+` FROM {schema}.tag_disputes d WHERE d.user_id = $1`, "d", userID, p)
	var out []coach.TagDispute
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanDispute)
		return err
	})
	return out, err
}

// LabelCounts counts the user's tags and disputed tags per label.
func (r disputes) LabelCounts(ctx context.Context, userID string) ([]coach.LabelDisputes, error) {
	if !textOK(userID) {
		return []coach.LabelDisputes{}, nil
	}
	return r.counts(ctx, ` WHERE g.user_id = $1`, userID)
}

// PooledLabelCounts counts every user's tags and disputed tags per label.
func (r disputes) PooledLabelCounts(ctx context.Context) ([]coach.LabelDisputes, error) {
	return r.counts(ctx, ``)
}

// counts groups the tags matching where by label, dispute reason and exclusion, and folds the
// groups into one LabelDisputes per label, in label order.
func (r disputes) counts(ctx context.Context, where string, args ...any) ([]coach.LabelDisputes, error) {
	out := []coach.LabelDisputes{}
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT g.label, d.reason, coalesce(d.exclude_from_attribution, false), count(*)
			FROM `+joinDispute+where+` GROUP BY 1, 2, 3`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		byLabel := map[string]*coach.LabelDisputes{}
		for rows.Next() {
			var (
				label   string
				reason  *string
				exclude bool
				n       int
			)
			if err := rows.Scan(&label, &reason, &exclude, &n); err != nil {
				return err
			}
			c := byLabel[label]
			if c == nil {
				c = &coach.LabelDisputes{Label: label, ByReason: map[string]int{}}
				byLabel[label] = c
			}
			c.Tags += n
			if reason == nil {
				continue
			}
			c.Disputed += n
			c.ByReason[*reason] += n
			if exclude {
				c.Excluded += n
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range byLabel {
			out = append(out, *c)
		}
		slices.SortFunc(out, func(a, b coach.LabelDisputes) int { return strings.Compare(a.Label, b.Label) })
		return nil
	})
	return out, err
}

// storableIDs returns the ids that can be stored as text (others match nothing).
func storableIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if textOK(id) {
			out = append(out, id)
		}
	}
	return out
}

// answerPage completes a listing of disputes or notes (alias a, $1 the user id) with the keyset
// condition of p.After, the (created_at, id) order and the limit.
func answerPage(sql, a, userID string, p storage.AnswerPage) (string, []any) {
	args := []any{userID}
	if p.After != nil {
		args = append(args, p.After.CreatedAt, p.After.ID)
		sql += ` AND (` + a + `.created_at, ` + a + `.id) > ($2, $3)`
	}
	args = append(args, storage.Clamp(p.Limit))
	return sql + ` ORDER BY ` + a + `.created_at, ` + a + `.id LIMIT $` + strconv.Itoa(len(args)), args
}
