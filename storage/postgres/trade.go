package postgres

import (
	"context"
	"strconv"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// trades is storage.Trades. Trades are listed in the trade order (ts, broker, ext_id), which the
// index trades_user_ts serves directly; deleting a trade leaves a row in trade_tombstones.
type trades struct{ s *scope }

const tradeCols = `id, user_id, broker, ext_id, symbol, side, qty, price, fee, fee_asset, ts, coalesce(connection_id, ''),
	order_id, exchange_trade_id, liquidity`

func scanTrade(row pgx.Row) (coach.Trade, error) {
	var (
		t               coach.Trade
		qty, price, fee pgtype.Numeric
	)
	if err := row.Scan(&t.ID, &t.UserID, &t.Broker, &t.ExtID, &t.Symbol, &t.Side, &qty, &price, &fee, &t.FeeAsset, &t.TS, &t.ConnectionID,
		&t.OrderID, &t.ExchangeTradeID, &t.Liquidity); err != nil {
		return t, err
	}
	t.TS = t.TS.UTC()
	var err error
	if t.Qty, err = amount(qty); err != nil {
		return t, err
	}
	if t.Price, err = amount(price); err != nil {
		return t, err
	}
	t.Fee, err = nullAmount(fee)
	return t, err
}

// checkTrade validates t as a trade of userID, setting its UserID.
func checkTrade(userID string, t coach.Trade) (coach.Trade, error) {
	if t.UserID != "" && t.UserID != userID {
		return t, coach.Errorf(coach.EINVALID, "trade %s: userId: belongs to another user", clipText(t.ExtID))
	}
	t.UserID = userID
	if err := t.Validate(); err != nil {
		return t, err
	}
	return t, nil
}

// clipText shortens untrusted text quoted in a message and makes it safe to show.
func clipText(s string) string {
	if !textOK(s) {
		return strconv.Quote(s)
	}
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// Get returns the user's trade id, or ENOTFOUND.
func (r trades) Get(ctx context.Context, userID, id string) (coach.Trade, error) {
	if !textOK(userID) || !textOK(id) {
		return coach.Trade{}, coach.Errorf(coach.ENOTFOUND, "trade not found")
	}
	var t coach.Trade
	err := r.s.read(ctx, func(q querier) (err error) {
		t, err = scanTrade(q.QueryRow(ctx, `SELECT `+tradeCols+` FROM {schema}.trades WHERE user_id = $1 AND id = $2`, userID, id))
		return err
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return coach.Trade{}, coach.Errorf(coach.ENOTFOUND, "trade not found")
	}
	return t, err
}

// List returns the user's trades matching f in trade order, at most Clamp(f.Limit).
func (r trades) List(ctx context.Context, userID string, f storage.TradeFilter) ([]coach.Trade, error) {
	if !textOK(userID) || !textOK(string(f.Symbol)) {
		return nil, nil
	}
	sql := `SELECT ` + tradeCols + ` FROM {schema}.trades WHERE user_id = $1`
	args := []any{userID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !f.From.IsZero() {
		sql += ` AND ts >= ` + arg(f.From)
	}
	if !f.To.IsZero() {
		sql += ` AND ts < ` + arg(f.To)
	}
	if f.Symbol != "" {
		sql += ` AND symbol = ` + arg(string(f.Symbol))
	}
	if f.After != nil {
		if !textOK(f.After.Broker) || !textOK(f.After.ExtID) {
			return nil, coach.Errorf(coach.EINVALID, "after: not a trade position")
		}
		sql += ` AND (ts, broker, ext_id) > (` + arg(f.After.TS) + `, ` + arg(f.After.Broker) + `, ` + arg(f.After.ExtID) + `)`
	}
	sql += ` ORDER BY ts, broker, ext_id LIMIT ` + arg(storage.Clamp(f.Limit))
	var out []coach.Trade
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanTrade)
		return err
	})
	return out, err
}

// Update replaces the user's edit of the trade (userID, t.ID): symbol, side, qty, price, fee, fee
// asset and ts. Broker, extId, connection, what the exchange said (order id, exchange trade id,
// liquidity, and so the exchange key) and t.UserID are not edits and are ignored; the fields
// edited are validated before anything is sent.
func (r trades) Update(ctx context.Context, userID string, t coach.Trade) error {
	edit := t
	edit.ID, edit.UserID, edit.ConnectionID, edit.Broker = "", "", "", "edit"
	edit.OrderID, edit.ExchangeTradeID, edit.Liquidity = "", "", ""
	if !textOK(edit.ExtID) || edit.ExtID == "" || len(edit.ExtID) > 128 || strings.ContainsFunc(edit.ExtID, unicode.IsControl) {
		edit.ExtID = "edit" // only named in messages
	}
	if err := edit.Validate(); err != nil {
		return err
	}
	if !textOK(userID) || !textOK(t.ID) || t.ID == "" {
		return coach.Errorf(coach.ENOTFOUND, "trade not found")
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `UPDATE {schema}.trades SET symbol = $3, side = $4, qty = $5, price = $6, fee = $7, fee_asset = $8, ts = $9
			WHERE user_id = $1 AND id = $2`,
			userID, t.ID, string(t.Symbol), string(t.Side), numeric(t.Qty), numeric(t.Price), nullNumeric(t.Fee), t.FeeAsset, t.TS)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return coach.Errorf(coach.ENOTFOUND, "trade not found")
		}
		return nil
	})
}

// Delete removes the trade and leaves a tombstone on its keys (ext_id and exchange key), in one
// statement, then deletes the trade's tags, tag revisions, disputes and notes (no foreign key
// cascades to them since migration 00012). The second statement runs after the first has taken
// the trade's row lock, so it also sees a tag, dispute or note whose writer held the trade
// (FOR KEY SHARE) and committed meanwhile.
func (r trades) Delete(ctx context.Context, userID, id string) error {
	if !textOK(userID) || !textOK(id) {
		return coach.Errorf(coach.ENOTFOUND, "trade not found")
	}
	now := r.s.db.clock.Now()
	return r.s.write(ctx, func(q querier) error {
		var n int
		err := q.QueryRow(ctx, `WITH d AS (DELETE FROM {schema}.trades WHERE user_id = $1 AND id = $2 RETURNING user_id, broker, ext_id, exchange_key),
			z AS (INSERT INTO {schema}.trade_tombstones (user_id, broker, ext_id, exchange_key, deleted_at)
				SELECT user_id, broker, ext_id, exchange_key, $3 FROM d
				ON CONFLICT DO NOTHING)
			SELECT count(*) FROM d`, userID, id, now).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			return coach.Errorf(coach.ENOTFOUND, "trade not found")
		}
		_, err = q.Exec(ctx, `WITH a AS (DELETE FROM {schema}.bias_tags WHERE trade_id = $2 AND user_id = $1),
			b AS (DELETE FROM {schema}.bias_tag_revisions WHERE trade_id = $2 AND user_id = $1),
			c AS (DELETE FROM {schema}.tag_disputes WHERE trade_id = $2 AND user_id = $1)
			DELETE FROM {schema}.trade_notes WHERE trade_id = $2 AND user_id = $1`, userID, id)
		return err
	})
}

// Count returns how many trades the user has.
func (r trades) Count(ctx context.Context, userID string) (int, error) {
	if !textOK(userID) {
		return 0, nil
	}
	var n int
	err := r.s.read(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT count(*) FROM {schema}.trades WHERE user_id = $1`, userID).Scan(&n)
	})
	return n, err
}
