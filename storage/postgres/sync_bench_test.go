package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// BenchmarkSyncDue measures one sync fan-out's listing (Syncs.Due, pages of 500 until the last)
// over 100k connections of 10k users, of which 20% are paused or revoked, 10% CSV uploads, and
// of the 70k active API ones 20k due (synced two hours ago; the rest ten minutes ago): the
// slot's work is to find those 20k among 100k.
// It reports the connections listed a second.
//
// Run: go test -run '^$' -bench BenchmarkSyncDue -benchtime 5x ./storage/postgres/
func BenchmarkSyncDue(b *testing.B) {
	db := MustOpenTestDBWith(b, func(c *Config) { c.MaxConns = 2 })
	ctx := context.Background()
	slot := time.Date(2026, 3, 2, 10, 15, 0, 0, time.UTC)
	_, err := db.Pool().Exec(ctx, `INSERT INTO users (id, created_at)
		SELECT 'u' || lpad(i::text, 6, '0'), $1 FROM generate_series(1, 10000) i`, slot.AddDate(0, -1, 0))
	must(b, err, "users")
	_, err = db.Pool().Exec(ctx, `INSERT INTO broker_connections (id, user_id, broker, status, access_enc, created_at, synced_through)
		SELECT 'c' || md5(i::text), 'u' || lpad((i % 10000 + 1)::text, 6, '0'),
			CASE WHEN i % 10 = 0 THEN 'csv' ELSE 'binance' END,
			CASE WHEN i % 10 = 1 THEN 'paused' WHEN i % 10 = 2 THEN 'revoked' ELSE 'active' END,
			CASE WHEN i % 10 = 2 THEN NULL ELSE '\x01'::bytea END,
			$1::timestamptz, CASE WHEN i % 5 = 3 THEN $2::timestamptz ELSE $3::timestamptz END
		FROM generate_series(1, 100000) i`, slot.AddDate(0, 0, -3), slot.Add(-2*time.Hour), slot.Add(-10*time.Minute))
	must(b, err, "connections")
	_, err = db.Pool().Exec(ctx, `ANALYZE broker_connections`)
	must(b, err, "analyze")
	var listed int
	for b.Loop() {
		listed = 0
		f := storage.SyncFilter{SyncedBefore: slot.Add(-time.Hour), SkipBrokers: []string{coach.BrokerCSV}, Limit: 500}
		for {
			page, err := db.Syncs().Due(ctx, f)
			must(b, err, "Due")
			listed += len(page)
			if len(page) < f.Limit {
				break
			}
			f.After = page[len(page)-1].ConnectionID
		}
	}
	if listed == 0 {
		b.Fatal("nothing due")
	}
	b.ReportMetric(float64(listed)*float64(b.N)/b.Elapsed().Seconds(), "conns/s")
	b.ReportMetric(float64(listed), "due")
}
