package worker_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/demo"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/refhost/services"
	"github.com/tradecoach/coach/refhost/worker"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/postgres/postgrestest"
	"github.com/tradecoach/coach/storage/s3/s3test"
	"github.com/tradecoach/coach/transport/asynq/asynqtest"
	transportmemory "github.com/tradecoach/coach/transport/memory"
)

// The worker stack imports and scores a demo trader through the queue: on the in-memory
// adapters, and on Postgres, Redis (asynq) and an S3-compatible server.
func TestWorkerImportsAndScoresTheDemoTrader(t *testing.T) {
	t.Run("memory", func(t *testing.T) { importAndScore(t, config.Config{}) })
	t.Run("postgres+redis+s3", func(t *testing.T) {
		schema := postgrestest.RandomTestSchema(t)
		t.Cleanup(func() { postgrestest.DropTestSchema(t, postgrestest.TestURL(), schema) })
		client := asynqtest.MustOpenDB(t)
		s3cfg := s3test.Config(s3test.Server(t))
		importAndScore(t, config.Config{PostgresURL: postgrestest.TestURL(), PostgresSchema: schema,
			RedisAddr: client.Options().Addr, RedisDB: int64(client.Options().DB),
			S3Endpoint: s3cfg.Endpoint, S3Bucket: s3cfg.Bucket, S3Region: s3cfg.Region, S3AccessKey: s3cfg.AccessKey, S3SecretKey: config.Secret(s3cfg.SecretKey)})
	})
}

func importAndScore(t *testing.T, cfg config.Config) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := coach.SystemClock{}
	in, err := infra.Open(ctx, cfg, clock, log)
	if err != nil {
		postgrestest.SkipUnavailable(t, err)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := in.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	for _, c := range in.Ready {
		if err := c.Run(ctx); err != nil {
			t.Fatalf("readiness %s: %v", c.Name, err)
		}
	}
	if got, want := in.Memory, cfg.UsesMemory(); got != want {
		t.Fatalf("Memory = %v for %+v", got, cfg)
	}
	market, err := demo.Market(7, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := services.Build(services.Config{Infra: in, ErasureKey: bytes.Repeat([]byte("e"), 32), Candles: market, Clock: clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	wk, err := worker.Start(worker.Config{Infra: in, Services: svc, Brokers: demo.Brokers(market), Concurrency: 2, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wk.Shutdown)
	user, err := demo.Seed(ctx, in.Store, in.Queue, market, clock.Now(), "")
	if err != nil {
		t.Fatal(err)
	}

	// The import job stores every fill, then its score job tags them.
	want := len(market.Trades())
	deadline := time.Now().Add(3 * time.Minute)
	for {
		trades, err := in.Store.Trades().List(ctx, user.ID, storage.TradeFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		tags, err := in.Store.Tags().List(ctx, user.ID, storage.TagFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(trades) == want && len(tags) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 3 minutes: %d of %d trades, %d tags", len(trades), want, len(tags))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The in-memory host runs jobs.Schedule by its clock: an hour later, the hourly
// retention.sessions job has purged a session that had expired.
func TestWorkerRunsTheScheduleInMemory(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := coach.NewManualClock(time.Date(2026, 12, 7, 3, 30, 0, 0, time.UTC))
	in, err := infra.Open(ctx, config.Config{}, clock, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	market, err := demo.Market(7, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := services.Build(services.Config{Infra: in, ErasureKey: bytes.Repeat([]byte("e"), 32), Candles: market, Clock: clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	wk, err := worker.Start(worker.Config{Infra: in, Services: svc, Brokers: demo.Brokers(market), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wk.Shutdown)
	u := coach.User{ID: coach.NewID(), CreatedAt: clock.Now().AddDate(0, -1, 0), TimeZone: "UTC"}
	s := coach.Session{ID: coach.NewID(), UserID: u.ID, CreatedAt: clock.Now().Add(-2 * time.Hour), ExpiresAt: clock.Now().Add(-time.Hour),
		IPHash: "ip", TokenHash: "token-" + coach.NewID()}
	if err := in.Store.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := in.Store.Sessions().Create(ctx, s); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour) // past 04:20, when retention.sessions fires
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		_, err := in.Store.Sessions().ByTokenHash(ctx, s.TokenHash)
		if coach.ErrorCode(err) == coach.ENOTFOUND {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute the expired session is still there: %v", err)
		}
	}
}

// The worker's digest job mails the weekly digest, through the host's Mailer (in memory here),
// to a user who opted in, and to no one else.
func TestWorkerMailsTheDigestToUsersWhoOptIn(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := coach.NewManualClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	in, err := infra.Open(ctx, config.Config{}, clock, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	box, ok := in.Mailer.(*transportmemory.Mailbox)
	if !ok {
		t.Fatalf("Mailer without an SMTP host is %T, want the in-memory mailbox", in.Mailer)
	}
	market, err := demo.Market(7, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := services.Build(services.Config{Infra: in, ErasureKey: bytes.Repeat([]byte("e"), 32), Candles: market, Clock: clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	wk, err := worker.Start(worker.Config{Infra: in, Services: svc, Brokers: demo.Brokers(market), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wk.Shutdown)
	week := digest.LastFullWeek(clock.Now(), time.UTC)
	users := map[bool]coach.User{}
	for _, optIn := range []bool{true, false} {
		u := coach.User{ID: coach.NewID(), Email: coach.NewID() + "@example.com", CreatedAt: clock.Now().AddDate(0, -1, 0), TimeZone: "UTC", DigestByEmail: optIn}
		if err := in.Store.Users().Create(ctx, u); err != nil {
			t.Fatal(err)
		}
		users[optIn] = u
		j, err := jobs.DigestJob(jobs.DigestPayload{UserID: u.ID, Week: week.String()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.Queue.Enqueue(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		d, err := in.Store.Digests().Latest(ctx, users[true].ID)
		_, errOut := in.Store.Digests().Latest(ctx, users[false].ID)
		if err == nil && d.DeliveredAt != nil && errOut == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute: digest %+v (%v), the other user's: %v", d, err, errOut)
		}
	}
	if got := box.To(users[true].Email); len(got) != 1 || got[0].ID != jobs.DigestID(users[true].ID, week.String()) {
		t.Errorf("mails to the user who opted in: %+v, want the digest of %s", got, week)
	}
	if got := box.To(users[false].Email); len(got) != 0 {
		t.Errorf("mails to the user who did not opt in: %+v", got)
	}
}
