package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// BenchmarkTradeImport measures Upsert of 100k trades against the two baselines the design
// names, in the same run and on the same (emptied) indexed trades table, and reports ratios:
//
//   - import: Upsert of 100k new trades into an account without trades (ids generated,
//     validation, a check that the account holds no trades or tombstones of the broker, one COPY
//     into trades);
//   - reimport: Upsert of the same 100k again (all unchanged: COPY into a temporary table, one
//     INSERT … SELECT … ON CONFLICT DO NOTHING);
//   - addimport: Upsert of 100k other new trades into the account holding the first 100k (the
//     general path, as reimport), against addcopy: a raw COPY of those rows into the same table;
//   - copy: a raw COPY of the same 100k rows (ids made beforehand) straight into trades;
//   - naive: one autocommitted INSERT … ON CONFLICT DO NOTHING per trade, measured on 2k trades
//     and extrapolated per row to 100k.
//
// Sub-benchmark "plain" imports trades without an exchange trade id (a file of the generic
// layout); "exchange_ids" trades with one, as the API clients give them, so that the second key
// (the exchange key and its unique index) is checked and written — by the raw COPY too.
//
// Run: go test -run '^$' -bench BenchmarkTradeImport -benchtime 2x -count 3 ./storage/postgres/
func BenchmarkTradeImport(b *testing.B) {
	for _, bc := range []struct {
		name string
		ids  bool
	}{{"plain", false}, {"exchange_ids", true}} {
		b.Run(bc.name, func(b *testing.B) { benchTradeImport(b, bc.ids) })
	}
}

func benchTradeImport(b *testing.B, exchangeIDs bool) {
	const n, naiveN = 100_000, 2_000
	db := MustOpenTestDBWith(b, func(c *Config) { c.MaxConns = 2 })
	ctx := context.Background()
	u := newUser(b, db)
	batch := fills(n, "binance", "b")
	if exchangeIDs {
		for i := range batch {
			batch[i].OrderID, batch[i].ExchangeTradeID, batch[i].Liquidity = fmt.Sprint(900000+i/2), fmt.Sprint(100000+i), coach.Taker
		}
	}
	truncate := func() {
		if _, err := db.Pool().Exec(ctx, `TRUNCATE trades CASCADE`); err != nil {
			b.Fatal(err)
		}
	}
	timed := func(f func()) time.Duration {
		truncate()
		start := time.Now()
		f()
		return time.Since(start)
	}
	more := fills(n, "binance", "m")
	if exchangeIDs {
		for i := range more {
			more[i].OrderID, more[i].ExchangeTradeID, more[i].Liquidity = fmt.Sprint(700000+i/2), fmt.Sprint(500000+i), coach.Taker
		}
	}
	cols := []string{"id", "user_id", "broker", "ext_id", "symbol", "side", "qty", "price", "fee", "fee_asset", "ts", "connection_id",
		"order_id", "exchange_trade_id", "liquidity", "exchange_key"}
	var imp, reimp, addImp, addRaw, raw, naive time.Duration
	for b.Loop() {
		imp += timed(func() {
			res, err := db.Trades().Upsert(ctx, u.ID, batch)
			if err != nil || res.Inserted != n {
				b.Fatalf("import: %+v, %v", res, err)
			}
		})
		truncate()
		if _, err := db.Trades().Upsert(ctx, u.ID, batch); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		res, err := db.Trades().Upsert(ctx, u.ID, batch)
		reimp += time.Since(start)
		if err != nil || res.Unchanged != n {
			b.Fatalf("reimport: %+v, %v", res, err)
		}
		rows := make([][]any, n)
		for i, t := range batch {
			rows[i] = []any{coach.NewID(), u.ID, t.Broker, t.ExtID, string(t.Symbol), string(t.Side), numeric(t.Qty), numeric(t.Price),
				nullNumeric(t.Fee), t.FeeAsset, t.TS, nullText(t.ConnectionID), t.OrderID, t.ExchangeTradeID, string(t.Liquidity), t.ExchangeKey()}
		}
		start = time.Now()
		res, err = db.Trades().Upsert(ctx, u.ID, more)
		addImp += time.Since(start)
		if err != nil || res.Inserted != n {
			b.Fatalf("addimport: %+v, %v", res, err)
		}
		truncate()
		if _, err := db.Trades().Upsert(ctx, u.ID, batch); err != nil {
			b.Fatal(err)
		}
		moreRows := make([][]any, n)
		for i, t := range more {
			moreRows[i] = []any{coach.NewID(), u.ID, t.Broker, t.ExtID, string(t.Symbol), string(t.Side), numeric(t.Qty), numeric(t.Price),
				nullNumeric(t.Fee), t.FeeAsset, t.TS, nullText(t.ConnectionID), t.OrderID, t.ExchangeTradeID, string(t.Liquidity), t.ExchangeKey()}
		}
		start = time.Now()
		if _, err := db.Pool().CopyFrom(ctx, pgx.Identifier{"trades"}, cols, pgx.CopyFromRows(moreRows)); err != nil {
			b.Fatal(err)
		}
		addRaw += time.Since(start)
		raw += timed(func() {
			if _, err := db.Pool().CopyFrom(ctx, pgx.Identifier{"trades"}, cols, pgx.CopyFromRows(rows)); err != nil {
				b.Fatal(err)
			}
		})
		naive += timed(func() {
			for _, r := range rows[:naiveN] {
				if _, err := db.Pool().Exec(ctx, `INSERT INTO trades (`+strings.Join(cols, ", ")+`)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (user_id, broker, ext_id) DO NOTHING`, r...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	naive = naive * n / naiveN // extrapolated per row from naiveN to n
	perSec := func(d time.Duration) float64 { return float64(n) * float64(b.N) / d.Seconds() }
	b.ReportMetric(perSec(imp), "import_trades/s")
	b.ReportMetric(perSec(reimp), "reimport_trades/s")
	b.ReportMetric(perSec(raw), "rawcopy_trades/s")
	b.ReportMetric(perSec(naive), "naive_trades/s")
	b.ReportMetric(naive.Seconds()/imp.Seconds(), "import_x_naive")
	b.ReportMetric(raw.Seconds()/imp.Seconds(), "import/rawcopy")
	b.ReportMetric(raw.Seconds()/reimp.Seconds(), "reimport/rawcopy")
	b.ReportMetric(perSec(addImp), "addimport_trades/s")
	b.ReportMetric(addRaw.Seconds()/addImp.Seconds(), "addimport/addcopy")
}

// BenchmarkEventAppend measures event appends by 8 concurrent writers over 100 users (pool of
// 10) and reports transactions and events per second. Each transaction appends one event or ten:
// as a call of its own on the store ("store", Events.Append in a transaction of its own), or
// inside InTx ("intx", where a service appends events with the change they describe).
//
// Its anchor is what the machine allows for a transaction of one row: one autocommitted
// single-row INSERT (one round trip) into a plain table shaped like the outbox (its columns and
// primary key; no partitions, foreign key or other index), with an id made by the client. The
// anchor runs in every sub-benchmark, interleaved with the appends in rounds of 256 transactions
// (8 writers each), so that both see the same load: x_raw_insert is the appends' tx/s over the
// anchor's. Ten events per transaction also report their event rate over that of one event per
// transaction of the same kind, interleaved the same way (x_single_events).
//
// Run: go test -run '^$' -bench BenchmarkEventAppend -benchtime 4096x -count 3 ./storage/postgres/
func BenchmarkEventAppend(b *testing.B) {
	db := MustOpenTestDBWith(b, func(c *Config) { c.MaxConns = 10 })
	ctx := context.Background()
	users := make([]string, 100)
	for i := range users {
		users[i] = newUser(b, db).ID
	}
	payload := json.RawMessage(`{"connectionId":"c1","phase":"fetching","fetched":120,"inserted":118,"duplicates":2}`)
	if _, err := db.Pool().Exec(ctx, `CREATE TABLE raw_outbox (
		id text COLLATE "C" NOT NULL, user_id text COLLATE "C" NOT NULL, type text COLLATE "C" NOT NULL,
		v smallint NOT NULL, ts timestamptz NOT NULL, payload jsonb NOT NULL, delivered_at timestamptz,
		PRIMARY KEY (id, ts))`); err != nil {
		b.Fatal(err)
	}
	rawInsert := func(user string) error {
		now := time.Now()
		id, err := coach.NextEventID(now, "")
		if err != nil {
			return err
		}
		_, err = db.Pool().Exec(ctx, `INSERT INTO raw_outbox (id, user_id, type, v, ts, payload) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, user, coach.EventImportProgress, 1, now.UTC().Truncate(time.Millisecond), payload)
		return err
	}
	var next atomic.Int64
	// round runs n calls of op on 8 writers, each call for the next user in turn, and returns how
	// long they took.
	round := func(b *testing.B, n int, op func(user string) error) time.Duration {
		var left atomic.Int64
		left.Store(int64(n))
		var wg sync.WaitGroup
		start := time.Now()
		for range 8 {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					if err := op(users[next.Add(1)%int64(len(users))]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	// appendTx appends perTx events for user, in a transaction of their own or inside InTx.
	appendTx := func(perTx int, inTx bool) func(user string) error {
		return func(user string) error {
			evs := make([]coach.Event, perTx)
			for i := range evs {
				evs[i] = coach.Event{UserID: user, Type: coach.EventImportProgress, V: 1, Payload: payload}
			}
			if !inTx {
				_, err := db.Events().Append(ctx, evs...)
				return err
			}
			return db.InTx(ctx, func(tx storage.Tx) error {
				_, err := tx.Events().Append(ctx, evs...)
				return err
			})
		}
	}
	for _, bc := range []struct {
		perTx int
		inTx  bool
	}{{1, false}, {10, false}, {1, true}, {10, true}} {
		how := "store"
		if bc.inTx {
			how = "intx"
		}
		b.Run(fmt.Sprintf("%s/events_per_tx=%d", how, bc.perTx), func(b *testing.B) {
			var appendTime, rawTime, singleTime time.Duration
			for left := b.N; left > 0; left -= 256 {
				n := min(left, 256)
				rawTime += round(b, n, rawInsert)
				appendTime += round(b, n, appendTx(bc.perTx, bc.inTx))
				if bc.perTx > 1 {
					singleTime += round(b, n, appendTx(1, bc.inTx))
				}
			}
			txs, rawTxs := float64(b.N)/appendTime.Seconds(), float64(b.N)/rawTime.Seconds()
			b.ReportMetric(txs, "tx/s")
			b.ReportMetric(txs*float64(bc.perTx), "events/s")
			b.ReportMetric(rawTxs, "raw_insert_tx/s")
			b.ReportMetric(txs/rawTxs, "x_raw_insert")
			if bc.perTx > 1 {
				b.ReportMetric(txs*float64(bc.perTx)/(float64(b.N)/singleTime.Seconds()), "x_single_events")
			}
		})
	}
}
