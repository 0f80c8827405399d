package postgres

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// defaultCopyThreshold is the batch size from which Upsert streams trades with COPY into a
// temporary table; smaller batches go as arrays in the statement itself, which saves creating
// the table.
const defaultCopyThreshold = 512

// tradeKey is a trade's identity within a user: key is its ext_id, or (with exch) its exchange key.
type tradeKey struct {
	broker, key string
	exch        bool
}

// Upsert stores trades idempotently by (userID, broker, extId) and by (userID, broker, exchange
// key) (see storage.Trades).
//
// Every trade is validated in Go first; a batch with an invalid trade stores nothing. The batch
// is reduced to the trades that share neither key with an earlier one kept. A large batch for
// brokers of which the user has neither trades nor tombstones (a first import) is copied straight
// into trades (copyFirstImport). Another large batch is first reduced, by a statement over its
// keys alone (newTrades), to the trades that may be new, counting those tombstones hold back; a
// re-import ends there. What is left is stored by one
// INSERT … SELECT … ON CONFLICT (user_id, broker, ext_id) DO NOTHING that leaves out trades
// tombstoned under either key and those whose exchange key is stored already; its source is the
// batch as arrays, or, for large batches, a temporary table (ON COMMIT DROP) filled by COPY. The
// same statement counts what it inserted and what the tombstones held back; every other trade
// was already stored (Unchanged). ENOTFOUND if the user does not exist. When a concurrent
// transaction stores the same fill under another ext_id first, the unique index on the exchange
// key refuses the insert: ERETRYABLE, and a retry counts the fill Unchanged.
func (r trades) Upsert(ctx context.Context, userID string, batch []coach.Trade) (storage.UpsertResult, error) {
	if !coach.ValidID(userID) {
		return storage.UpsertResult{}, coach.Errorf(coach.EINVALID, "userId: malformed")
	}
	rows := make([]tradeRow, 0, len(batch))
	seen := make(map[tradeKey]struct{}, len(batch))
	for _, t := range batch {
		t, err := checkTrade(userID, t)
		if err != nil {
			return storage.UpsertResult{}, err
		}
		k, x := tradeKey{broker: t.Broker, key: t.ExtID}, tradeKey{broker: t.Broker, key: t.ExchangeKey(), exch: true}
		if _, dup := seen[k]; dup {
			continue
		}
		if _, dup := seen[x]; dup { // an empty exchange key is never in seen
			continue
		}
		seen[k] = struct{}{}
		if x.key != "" {
			seen[x] = struct{}{}
		}
		if t.ID == "" {
			t.ID = coach.NewID()
		}
		rows = append(rows, tradeRow{Trade: t, exchKey: x.key})
	}
	if len(rows) == 0 {
		return storage.UpsertResult{}, nil
	}
	var res storage.UpsertResult
	err := r.s.write(ctx, func(q querier) error {
		// batch is what the statement below stores; held, what tombstones held back beforehand.
		batch, held := rows, 0
		if len(rows) >= r.s.db.copyThreshold {
			done, err := copyFirstImport(ctx, q, userID, rows)
			if err != nil {
				return err
			}
			if done {
				res = storage.UpsertResult{Inserted: len(rows)}
				return nil
			}
			if batch, held, err = newTrades(ctx, q, userID, rows); err != nil {
				return err
			}
			if len(batch) == 0 { // a re-import: every trade stored or tombstoned
				res = storage.UpsertResult{Skipped: held, Unchanged: len(rows) - held}
				return nil
			}
		}
		// src is the batch as a relation: the temporary table filled by COPY, or the arrays.
		src, args := `pg_temp.trades_in`, []any{userID}
		if len(batch) >= r.s.db.copyThreshold {
			if err := copyTrades(ctx, q, batch); err != nil {
				return err
			}
		} else {
			src = `(SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
				$7::numeric[], $8::numeric[], $9::numeric[], $10::text[], $11::timestamptz[], $12::text[],
				$13::text[], $14::text[], $15::text[], $16::text[])
				AS u(id, broker, ext_id, symbol, side, qty, price, fee, fee_asset, ts, connection_id,
					order_id, exchange_trade_id, liquidity, exchange_key))`
			args = append(args, tradeArrays(batch)...)
		}
		var inserted, skipped int
		var userExists bool
		err := q.QueryRow(ctx, upsertTradesSQL(src), args...).Scan(&inserted, &skipped, &userExists)
		if err != nil {
			return err
		}
		if src == `pg_temp.trades_in` && r.s.inTx() {
			// The enclosing transaction may import again before it commits.
			if _, err := q.Exec(ctx, `DROP TABLE pg_temp.trades_in`); err != nil {
				return err
			}
		}
		if !userExists {
			return coach.Errorf(coach.ENOTFOUND, "user not found")
		}
		skipped += held
		res = storage.UpsertResult{Inserted: inserted, Skipped: skipped, Unchanged: len(rows) - inserted - skipped}
		return nil
	})
	if err != nil {
		return storage.UpsertResult{}, err
	}
	return res, nil
}

// tombed is true for a source row s that a tombstone of user $1 holds back, under either key;
// the exchange_key <> ” terms let the partial index serve the lookups.
const tombed = `(EXISTS (SELECT 1 FROM {schema}.trade_tombstones z WHERE z.user_id = $1 AND z.broker = s.broker AND z.ext_id = s.ext_id)
		OR s.exchange_key <> '' AND EXISTS (SELECT 1 FROM {schema}.trade_tombstones z
			WHERE z.user_id = $1 AND z.broker = s.broker AND z.exchange_key <> '' AND z.exchange_key = s.exchange_key))`

// newTradesSQL tells, for the keys of a batch ($2 brokers, $3 ext_ids, $4 exchange keys), the
// ordinals of the rows that may be new — no trade of user $1 has their ext_id or exchange key,
// and no tombstone holds them back — and how many rows tombstones hold back.
const newTradesSQL = `WITH s AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS s(broker, ext_id, exchange_key, i))
	SELECT coalesce(array_agg(s.i) FILTER (WHERE NOT ` + tombed + `
			AND NOT EXISTS (SELECT 1 FROM {schema}.trades t WHERE t.user_id = $1 AND t.broker = s.broker AND t.ext_id = s.ext_id)
			AND (s.exchange_key = '' OR NOT EXISTS (SELECT 1 FROM {schema}.trades t
				WHERE t.user_id = $1 AND t.broker = s.broker AND t.exchange_key <> '' AND t.exchange_key = s.exchange_key))), '{}'),
		count(*) FILTER (WHERE ` + tombed + `)
	FROM s`

// newTrades sends only the keys of a large batch and returns the rows that may be new, with how
// many rows tombstones hold back: a re-import stores (and copies) nothing. The rows it returns
// still go through Upsert's statement, which settles trades stored meanwhile.
func newTrades(ctx context.Context, q querier, userID string, rows []tradeRow) ([]tradeRow, int, error) {
	brokers, extIDs, exchKeys := make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows))
	for i, t := range rows {
		brokers[i], extIDs[i], exchKeys[i] = t.Broker, t.ExtID, t.exchKey
	}
	var ords []int64
	var held int
	if err := q.QueryRow(ctx, newTradesSQL, userID, brokers, extIDs, exchKeys).Scan(&ords, &held); err != nil {
		return nil, 0, err
	}
	out := make([]tradeRow, 0, len(ords))
	for _, i := range ords {
		out = append(out, rows[i-1])
	}
	return out, held, nil
}

// upsertTradesSQL is Upsert's statement over src, the batch as a relation (columns id, broker,
// ext_id, symbol, side, qty, price, fee, fee_asset, ts, connection_id, order_id,
// exchange_trade_id, liquidity, exchange_key); $1 is the user. It inserts the trades that no
// tombstone holds back and whose keys are not stored yet, and returns how many it inserted, how
// many tombstones held back and whether the user exists.
func upsertTradesSQL(src string) string {
	return `WITH ins AS (
			INSERT INTO {schema}.trades (id, user_id, broker, ext_id, symbol, side, qty, price, fee, fee_asset, ts, connection_id,
				order_id, exchange_trade_id, liquidity, exchange_key)
			SELECT s.id, $1, s.broker, s.ext_id, s.symbol, s.side, s.qty::numeric, s.price::numeric, s.fee::numeric,
				s.fee_asset, s.ts, s.connection_id, s.order_id, s.exchange_trade_id, s.liquidity, s.exchange_key
			FROM ` + src + ` s
			WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $1)
			  AND NOT ` + tombed + `
			  AND (s.exchange_key = '' OR NOT EXISTS (SELECT 1 FROM {schema}.trades t
				WHERE t.user_id = $1 AND t.broker = s.broker AND t.exchange_key <> '' AND t.exchange_key = s.exchange_key))
			ON CONFLICT (user_id, broker, ext_id) DO NOTHING
			RETURNING 1)
		SELECT (SELECT count(*) FROM ins),
			(SELECT count(*) FROM ` + src + ` s WHERE ` + tombed + `),
			EXISTS (SELECT 1 FROM {schema}.users WHERE id = $1)`
}

// firstImportSQL tells whether $1 is a user and whether they have neither trades nor tombstones
// of the brokers $2.
const firstImportSQL = `SELECT EXISTS (SELECT 1 FROM {schema}.users WHERE id = $1),
	NOT EXISTS (SELECT 1 FROM {schema}.trades WHERE user_id = $1 AND broker = ANY($2))
		AND NOT EXISTS (SELECT 1 FROM {schema}.trade_tombstones WHERE user_id = $1 AND broker = ANY($2))`

// copyFirstImport stores rows with one COPY straight into trades, as fast as the table allows,
// when the user has neither trades nor tombstones of the rows' brokers: nothing can conflict,
// so every row is Inserted. done is false, with nothing written, when the user has some (or a
// concurrent transaction stored one of these trades first: the COPY, under a savepoint, is then
// undone); Upsert's general path follows. ENOTFOUND if the user does not exist.
func copyFirstImport(ctx context.Context, q querier, userID string, rows []tradeRow) (done bool, err error) {
	var brokers []string
	for _, t := range rows {
		if !slices.Contains(brokers, t.Broker) {
			brokers = append(brokers, t.Broker)
		}
	}
	var user, first bool
	if err := q.QueryRow(ctx, firstImportSQL, userID, brokers).Scan(&user, &first); err != nil {
		return false, err
	}
	if !user {
		return false, coach.Errorf(coach.ENOTFOUND, "user not found")
	}
	if !first {
		return false, nil
	}
	if _, err := q.Exec(ctx, `SAVEPOINT coach_first_import`); err != nil {
		return false, err
	}
	_, err = q.CopyFrom(ctx, pgx.Identifier{schemaMarker, "trades"},
		[]string{"id", "user_id", "broker", "ext_id", "symbol", "side", "qty", "price", "fee", "fee_asset", "ts", "connection_id",
			"order_id", "exchange_trade_id", "liquidity", "exchange_key"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			t := &rows[i]
			return []any{t.ID, userID, t.Broker, t.ExtID, string(t.Symbol), string(t.Side), numeric(t.Qty), numeric(t.Price),
				nullNumeric(t.Fee), t.FeeAsset, t.TS, nullText(t.ConnectionID), t.OrderID, t.ExchangeTradeID, string(t.Liquidity), t.exchKey}, nil
		}))
	var pe *pgconn.PgError
	switch {
	case err == nil:
		_, err = q.Exec(ctx, `RELEASE SAVEPOINT coach_first_import`)
		return err == nil, err
	case errors.As(err, &pe) && pe.Code == "23505":
		// Stored meanwhile by a transaction that committed first: the general path counts it.
		_, err = q.Exec(ctx, `ROLLBACK TO SAVEPOINT coach_first_import; RELEASE SAVEPOINT coach_first_import`)
		return false, err
	}
	return false, err
}

// tradeRow is a trade of an Upsert batch with its exchange key.
type tradeRow struct {
	coach.Trade
	exchKey string
}

// copyTrades streams rows with COPY into trades_in, a temporary table that the transaction's
// end drops. Amounts travel as their exact decimal text, which the INSERT casts to numeric:
// cheaper than encoding them in the driver, and just as exact.
func copyTrades(ctx context.Context, q querier, rows []tradeRow) error {
	if _, err := q.Exec(ctx, `CREATE TEMPORARY TABLE trades_in (
		id text COLLATE "C", broker text COLLATE "C", ext_id text COLLATE "C", symbol text COLLATE "C",
		side text, qty text, price text, fee text, fee_asset text COLLATE "C", ts timestamptz,
		connection_id text COLLATE "C", order_id text COLLATE "C", exchange_trade_id text COLLATE "C",
		liquidity text, exchange_key text COLLATE "C") ON COMMIT DROP`); err != nil {
		return err
	}
	_, err := q.CopyFrom(ctx, pgx.Identifier{"pg_temp", "trades_in"},
		[]string{"id", "broker", "ext_id", "symbol", "side", "qty", "price", "fee", "fee_asset", "ts", "connection_id",
			"order_id", "exchange_trade_id", "liquidity", "exchange_key"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			t := &rows[i]
			var fee *string
			if t.Fee.Valid {
				s := t.Fee.Decimal.String()
				fee = &s
			}
			return []any{t.ID, t.Broker, t.ExtID, string(t.Symbol), string(t.Side), t.Qty.String(), t.Price.String(),
				fee, t.FeeAsset, t.TS, nullText(t.ConnectionID), t.OrderID, t.ExchangeTradeID, string(t.Liquidity), t.exchKey}, nil
		}))
	return err
}

// tradeArrays returns rows column by column, in the order of the unnest source of Upsert.
func tradeArrays(rows []tradeRow) []any {
	n := len(rows)
	var (
		ids, brokers, extIDs, symbols, sides, feeAssets = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		orders, exchIDs, liquidity, exchKeys            = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		qtys, prices, fees                              = make([]pgtype.Numeric, n), make([]pgtype.Numeric, n), make([]pgtype.Numeric, n)
		tss                                             = make([]time.Time, n)
		conns                                           = make([]*string, n)
	)
	for i, t := range rows {
		ids[i], brokers[i], extIDs[i], symbols[i], sides[i], feeAssets[i] = t.ID, t.Broker, t.ExtID, string(t.Symbol), string(t.Side), t.FeeAsset
		qtys[i], prices[i], fees[i] = numeric(t.Qty), numeric(t.Price), nullNumeric(t.Fee)
		tss[i] = t.TS
		conns[i] = nullText(t.ConnectionID)
		orders[i], exchIDs[i], liquidity[i], exchKeys[i] = t.OrderID, t.ExchangeTradeID, string(t.Liquidity), t.exchKey
	}
	return []any{ids, brokers, extIDs, symbols, sides, qtys, prices, fees, feeAssets, tss, conns, orders, exchIDs, liquidity, exchKeys}
}
