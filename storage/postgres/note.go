package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// notes is storage.Notes on the table trade_notes (migration 00008); the trade is a foreign key,
// so a trade's notes go with it.
type notes struct{ s *scope }

const noteCols = `n.id, n.user_id, n.trade_id, n.text, n.created_at, n.updated_at`

func scanNote(row pgx.Row) (coach.TradeNote, error) {
	var n coach.TradeNote
	err := row.Scan(&n.ID, &n.UserID, &n.TradeID, &n.Text, &n.CreatedAt, &n.UpdatedAt)
	n.CreatedAt, n.UpdatedAt = n.CreatedAt.UTC(), n.UpdatedAt.UTC()
	return n, err
}

// Add stores a new note on the user's trade. The trade's owner is checked in the INSERT itself,
// and a taken id does nothing (ON CONFLICT DO NOTHING), so inside InTx the transaction stays
// usable after either failure.
func (r notes) Add(ctx context.Context, n coach.TradeNote) (coach.TradeNote, error) {
	if err := n.Validate(); err != nil {
		return coach.TradeNote{}, err
	}
	now := r.s.db.clock.Now()
	created, updated := orNow(n.CreatedAt, now), orNow(n.UpdatedAt, now)
	var out coach.TradeNote
	err := r.s.write(ctx, func(q querier) error {
		var err error
		out, err = scanNote(q.QueryRow(ctx, `INSERT INTO {schema}.trade_notes AS n (id, user_id, trade_id, text, created_at, updated_at)
			SELECT $1, t.user_id, t.id, $4, $5::timestamptz, GREATEST($6::timestamptz, $5::timestamptz)
			FROM {schema}.trades t WHERE t.id = $3 AND t.user_id = $2 FOR KEY SHARE OF t
			ON CONFLICT DO NOTHING
			RETURNING `+noteCols, n.ID, n.UserID, n.TradeID, n.Text, created, updated))
		if coach.ErrorCode(formatError(err)) != coach.ENOTFOUND {
			return err
		}
		var has bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM {schema}.trades WHERE id = $1 AND user_id = $2)`, n.TradeID, n.UserID).Scan(&has); err != nil {
			return err
		}
		if has {
			return coach.Errorf(coach.ECONFLICT, "a note with this id already exists")
		}
		return coach.Errorf(coach.ENOTFOUND, "trade %s not found", n.TradeID)
	})
	return out, err
}

// Update replaces the text of the user's note and sets its updated_at.
func (r notes) Update(ctx context.Context, n coach.TradeNote) (coach.TradeNote, error) {
	if err := n.Validate(); err != nil {
		return coach.TradeNote{}, err
	}
	updated := orNow(n.UpdatedAt, r.s.db.clock.Now())
	var out coach.TradeNote
	err := r.s.write(ctx, func(q querier) (err error) {
		out, err = scanNote(q.QueryRow(ctx, `UPDATE {schema}.trade_notes AS n SET text = $3, updated_at = GREATEST($4::timestamptz, n.created_at)
			WHERE n.user_id = $1 AND n.id = $2 RETURNING `+noteCols, n.UserID, n.ID, n.Text, updated))
		return err
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return coach.TradeNote{}, coach.Errorf(coach.ENOTFOUND, "note not found")
	}
	return out, err
}

// Delete removes the user's note id, or gives ENOTFOUND.
func (r notes) Delete(ctx context.Context, userID, id string) error {
	if !textOK(userID) || !textOK(id) {
		return coach.Errorf(coach.ENOTFOUND, "note not found")
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.trade_notes WHERE user_id = $1 AND id = $2`, userID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return coach.Errorf(coach.ENOTFOUND, "note not found")
		}
		return nil
	})
}

// ByTrades returns the user's notes on the trades tradeIDs, by trade id, then (created_at, id).
func (r notes) ByTrades(ctx context.Context, userID string, tradeIDs []string) ([]coach.TradeNote, error) {
	ids := storableIDs(tradeIDs)
	if len(ids) == 0 || !textOK(userID) {
		return nil, nil
	}
	var out []coach.TradeNote
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+noteCols+` FROM {schema}.trade_notes n
			WHERE n.user_id = $1 AND n.trade_id = ANY($2) ORDER BY n.trade_id, n.created_at, n.id`, userID, ids)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanNote)
		return err
	})
	return out, err
}

// List returns the user's notes in (created_at, id) order after p.After.
func (r notes) List(ctx context.Context, userID string, p storage.AnswerPage) ([]coach.TradeNote, error) {
	if !textOK(userID) || p.After != nil && !textOK(p.After.ID) {
		return nil, nil
	}
	sql, args := answerPage(`SELECT `+noteCols+` FROM {schema}.trade_notes n WHERE n.user_id = $1`, "n", userID, p)
	var out []coach.TradeNote
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanNote)
		return err
	})
	return out, err
}
