package digest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
)

// benchZones are the seeded users' zones and their weights: many zones, a few large.
var benchZones = []struct {
	zone   string
	weight int
}{
	{"America/New_York", 20}, {"America/Chicago", 6}, {"America/Los_Angeles", 8}, {"America/Toronto", 3},
	{"America/Sao_Paulo", 4}, {"America/Bogota", 2}, {"Europe/London", 10}, {"Europe/Berlin", 8},
	{"Europe/Paris", 5}, {"Europe/Istanbul", 3}, {"Africa/Lagos", 2}, {"Asia/Dubai", 3},
	{"Asia/Kolkata", 6}, {"Asia/Singapore", 4}, {"Asia/Tokyo", 5}, {"Asia/Seoul", 3},
	{"Australia/Sydney", 3}, {"Pacific/Auckland", 1}, {"Pacific/Kiritimati", 1}, {"", 3},
}

// BenchmarkDue measures one hour of the fan-out on PostgreSQL over 100k users in 20 zones:
//
//   - quiet: an hour in which no zone's week ends (most hours of a week): Due reads the zones
//     in use and nothing else;
//   - busy: Monday 05:00 UTC in November, when New York's, Toronto's and Bogotá's weeks end (25%
//     of the users): Due pages (of 500, and of 5000) over those users only;
//   - scan: the alternative design, for the busy hour — page (500) over every user (Users.List
//     without a zone) and keep those DueWeek accepts (each zone loaded once); an hour in which
//     no week ends costs the same.
//
// It reports users listed per hour and the time per hour.
//
// Run: go test -run '^$' -bench BenchmarkDue -benchtime 3x ./digest/
func BenchmarkDue(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	db := postgrestest.MustOpenTestDB(b)
	seedUsers(b, db.Pool(), n)
	clock := coach.NewManualClock(time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC))
	svc, err := digest.New(digest.ServiceConfig{Store: db, Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	fanOut := func(hour time.Time, size int) int {
		total := 0
		for after := ""; ; {
			page, err := svc.Due(ctx, hour, after, size)
			if err != nil {
				b.Fatal(err)
			}
			total += len(page.Due)
			if page.Next == "" {
				return total
			}
			after = page.Next
		}
	}
	busy := time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)
	b.Run("quiet", func(b *testing.B) {
		var listed int
		for b.Loop() {
			listed = fanOut(time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC), 500)
		}
		b.ReportMetric(float64(listed), "users/hour")
	})
	for _, size := range []int{500, 5000} {
		b.Run(fmt.Sprintf("busy/page=%d", size), func(b *testing.B) {
			var listed int
			for b.Loop() {
				listed = fanOut(busy, size)
			}
			b.ReportMetric(float64(listed), "users/hour")
		})
	}
	b.Run("scan", func(b *testing.B) {
		var listed int
		locs := map[string]*time.Location{}
		for b.Loop() {
			listed = 0
			f := storage.UserFilter{Limit: 500}
			for {
				users, err := db.Users().List(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				for _, u := range users {
					loc, ok := locs[u.TimeZone]
					if !ok {
						loc = u.Location()
						locs[u.TimeZone] = loc
					}
					if w, ok := digest.ClosedWeek(busy, loc); ok && u.CreatedAt.Before(w.End(loc)) { // DueWeek, zones loaded once
						listed++
					}
				}
				if len(users) < f.Limit {
					break
				}
				f.After = users[len(users)-1].ID
			}
		}
		b.ReportMetric(float64(listed), "users/hour")
	})
}

// seedUsers copies n users into the store's users table (created on 1 January 2026), their
// zones drawn from benchZones by weight, and analyzes the table.
func seedUsers(b *testing.B, pool *pgxpool.Pool, n int) {
	b.Helper()
	ctx := context.Background()
	var zones []string
	for _, z := range benchZones {
		for range z.weight {
			zones = append(zones, z.zone)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{coach.NewID(), "", created, zones[r.IntN(len(zones))], ""}
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "password_hash", "created_at", "time_zone", "reporting_currency"},
		pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "ANALYZE users"); err != nil {
		b.Fatal(err)
	}
}
