package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
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
//   - import: Upsert of 100k new trades (ids generated, validation, COPY into a temporary table,
//     one INSERT … SELECT … ON CONFLICT DO NOTHING);
//   - reimport: Upsert of the same 100k again (all unchanged);
//   - copy: a raw COPY of the same 100k rows (ids made beforehand) straight into trades;
//   - naive: one autocommitted INSERT … ON CONFLICT DO NOTHING per trade, measured on 10k trades
//     and extrapolated per row to 100k.
//
// Sub-benchmark "plain" imports trades without an exchange trade id (a file of the generic
// layout); "exchange_ids" trades with one, as the API clients give them, so that the second key
// (the exchange key and its unique index) is checked and written — by the raw COPY too.
//
// Run: go test -run '^$' -bench BenchmarkTradeImport -benchtime 1x ./storage/postgres/
func BenchmarkTradeImport(b *testing.B) {
	for _, bc := range []struct {
		name string
		ids  bool
	}{{"plain", false}, {"exchange_ids", true}} {
		b.Run(bc.name, func(b *testing.B) { benchTradeImport(b, bc.ids) })
	}
}

func benchTradeImport(b *testing.B, exchangeIDs bool) {
	const n, naiveN = 100_000, 10_000
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
	var imp, reimp, raw, naive time.Duration
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
		cols := []string{"id", "user_id", "broker", "ext_id", "symbol", "side", "qty", "price", "fee", "fee_asset", "ts", "connection_id",
			"order_id", "exchange_trade_id", "liquidity", "exchange_key"}
		rows := make([][]any, n)
		for i, t := range batch {
			rows[i] = []any{coach.NewID(), u.ID, t.Broker, t.ExtID, string(t.Symbol), string(t.Side), numeric(t.Qty), numeric(t.Price),
				nullNumeric(t.Fee), t.FeeAsset, t.TS, nullText(t.ConnectionID), t.OrderID, t.ExchangeTradeID, string(t.Liquidity), t.ExchangeKey()}
		}
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
}

// BenchmarkEventAppend measures event appends by 8 concurrent writers over 100 users and
// reports transactions and events per second. Each transaction appends one event or ten: as a
// call of its own on the store ("store", Events.Append in a transaction of its own), or inside
// InTx ("intx", where a service appends events with the change they describe).
//
// Run: go test -run '^$' -bench BenchmarkEventAppend -benchtime 5s ./storage/postgres/
func BenchmarkEventAppend(b *testing.B) {
	db := MustOpenTestDBWith(b, func(c *Config) { c.MaxConns = 10 })
	ctx := context.Background()
	users := make([]string, 100)
	for i := range users {
		users[i] = newUser(b, db).ID
	}
	payload := json.RawMessage(`{"connectionId":"c1","phase":"fetching","fetched":120,"inserted":118,"duplicates":2}`)
	for _, bc := range []struct {
		perTx int
		inTx  bool
	}{{1, false}, {10, false}, {1, true}, {10, true}} {
		how := "store"
		if bc.inTx {
			how = "intx"
		}
		b.Run(fmt.Sprintf("%s/events_per_tx=%d", how, bc.perTx), func(b *testing.B) {
			var next atomic.Int64
			b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0))) // 8 writers
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				evs := make([]coach.Event, bc.perTx)
				for pb.Next() {
					u := users[next.Add(1)%int64(len(users))]
					for i := range evs {
						evs[i] = coach.Event{UserID: u, Type: coach.EventImportProgress, V: 1, Payload: payload}
					}
					var err error
					if !bc.inTx {
						_, err = db.Events().Append(ctx, evs...)
					} else {
						err = db.InTx(ctx, func(tx storage.Tx) error {
							_, err := tx.Events().Append(ctx, evs...)
							return err
						})
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			secs := time.Since(start).Seconds()
			b.ReportMetric(float64(b.N)/secs, "tx/s")
			b.ReportMetric(float64(b.N*bc.perTx)/secs, "events/s")
		})
	}
}
