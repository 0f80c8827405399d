// Package infra opens the adapters the reference host's configuration selects: Postgres or the
// memory store, Redis or in-process queue, bus and caches, S3 or in-memory blobs. Every stack
// builds on one Infra, so `all` (one process, memory) and the split stacks (Postgres, Redis, S3)
// differ only here.
package infra

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/serve"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/storage/memory"
	"github.com/tradecoach/coach/storage/postgres"
	"github.com/tradecoach/coach/storage/redis"
	"github.com/tradecoach/coach/storage/s3"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/transport/asynq"
	transportmemory "github.com/tradecoach/coach/transport/memory"
	transportredis "github.com/tradecoach/coach/transport/redis"
	"github.com/tradecoach/coach/transport/smtp"
)

// Infra is the set of adapters one process uses.
type Infra struct {
	// Store keeps the data; Blobs the digest reports, snapshots and exports.
	Store storage.Store
	Blobs storage.Blobs
	// Queue takes jobs; NewWorker makes a worker of it.
	Queue transport.Queue
	// Bus carries events from the outbox dispatcher to the WebSocket relays.
	Bus transport.Bus
	// Mailer sends mail (digests; the edge's sign-up and reset links): the SMTP relay of the
	// configuration (transport/smtp), or, without one, a transport/memory Mailbox that keeps
	// every message in the process and delivers none.
	Mailer transport.Mailer
	// Nonces remembers the nonces of signed internal requests.
	Nonces storage.Nonces
	// Cache holds the simulations' results.
	Cache storage.Cache
	// Limiter counts requests against limits (sync now, the edge's logins and requests).
	Limiter storage.RateLimiter
	// Idempotency keeps the answers of the edge's POSTs by their Idempotency-Key.
	Idempotency storage.Idempotency
	// Leases keep one import per connection running; Budget is Binance's shared request weight.
	Leases storage.Leases
	Budget storage.WeightBudget
	// Keys are the key-value stores that hold users' keys, for erasing a user; Jobs forgets a
	// user's queued jobs.
	Keys []storage.KeyEraser
	Jobs transport.JobForgetter
	// Ready are the readiness checks of the external services in use.
	Ready []serve.Check
	// Memory reports whether the store is the in-memory one (demo data may be seeded).
	Memory bool
	// Downloads serves the signed download links of in-memory blobs at DownloadsPath; nil on
	// S3, whose links are presigned URLs of the bucket.
	Downloads http.Handler

	newWorker    func(concurrency int) (transport.Worker, error)
	newScheduler func(table []transport.Periodic) (Scheduler, error)
	closers      []func() error
}

// Scheduler fires a table of periodic jobs on Queue until Shutdown.
type Scheduler interface {
	Start() error
	Shutdown()
}

// NewScheduler returns a scheduler of table on Queue, not started: in the process, one firing
// by the host's clock (transport/memory); on Redis, one asynq Scheduler per entry, which any
// number of hosts may run at once (each job runs once per period, by its id).
func (in *Infra) NewScheduler(table []transport.Periodic) (Scheduler, error) {
	return in.newScheduler(table)
}

// schedulers are several Schedulers started and shut down together.
type schedulers []Scheduler

func (ss schedulers) Start() error {
	for i, s := range ss {
		if err := s.Start(); err != nil {
			ss[:i].Shutdown()
			return err
		}
	}
	return nil
}

func (ss schedulers) Shutdown() {
	for _, s := range ss {
		s.Shutdown()
	}
}

// NewWorker returns a worker of Queue running concurrency jobs at once over every queue by the
// stacks' priorities.
func (in *Infra) NewWorker(concurrency int) (transport.Worker, error) {
	return in.newWorker(concurrency)
}

// Close closes every adapter opened, the last opened first.
func (in *Infra) Close() error {
	var errs []error
	for i := len(in.closers) - 1; i >= 0; i-- {
		errs = append(errs, in.closers[i]())
	}
	return errors.Join(errs...)
}

// Open opens the adapters cfg selects. On failure it closes what it opened and returns the error
// (EUNAVAILABLE when a service does not answer).
func Open(ctx context.Context, cfg config.Config, clock coach.Clock, log *slog.Logger) (in *Infra, err error) {
	in = &Infra{}
	defer func() {
		if err != nil {
			_ = in.Close()
			in = nil
		}
	}()
	// Each failure returns in, not nil: the deferred cleanup closes what was opened, then nils it.
	if err := in.openStore(ctx, cfg, clock); err != nil {
		return in, err
	}
	if err := in.openBlobs(ctx, cfg, clock); err != nil {
		return in, err
	}
	if err := in.openMailer(cfg, clock); err != nil {
		return in, err
	}
	if cfg.RedisAddr == "" {
		return in, in.inProcess(clock, log)
	}
	return in, in.openRedis(ctx, cfg, log)
}

func (in *Infra) openStore(ctx context.Context, cfg config.Config, clock coach.Clock) error {
	if cfg.PostgresURL == "" {
		s := memory.New(memory.WithClock(clock))
		in.Store, in.Memory = s, true
		in.closers = append(in.closers, s.Close)
		return nil
	}
	db, err := postgres.Open(ctx, postgres.Config{URL: cfg.PostgresURL, Schema: cfg.PostgresSchema, Clock: clock,
		ApplicationName: "refhost"})
	if err != nil {
		return err
	}
	in.Store = db
	in.closers = append(in.closers, db.Close)
	in.Ready = append(in.Ready, serve.Check{Name: "postgres", Run: func(ctx context.Context) error { return db.Ping(ctx) }})
	return nil
}

// DownloadsPath is where the host serves in-memory blobs' signed links (Infra.Downloads).
const DownloadsPath = "/downloads/"

func (in *Infra) openBlobs(ctx context.Context, cfg config.Config, clock coach.Clock) error {
	if cfg.S3Bucket == "" {
		// In memory, download links are signed by this process and served by core at
		// DownloadsPath; on S3 they are the bucket's presigned URLs.
		base := cfg.PublicURL
		if base == "" {
			base = "http://" + cfg.CoreAddr
		}
		key := make([]byte, memory.MinLinkKeyBytes)
		_, _ = rand.Read(key)
		b, err := memory.NewSignedBlobs(memory.NewBlobs(), memory.SignedConfig{Key: key, BaseURL: strings.TrimSuffix(base, "/") + DownloadsPath, Clock: clock})
		if err != nil {
			return err
		}
		in.Blobs, in.Downloads = b, b
		return nil
	}
	b, err := s3.Open(ctx, s3.Config{Endpoint: cfg.S3Endpoint, Region: cfg.S3Region, Bucket: cfg.S3Bucket,
		AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey.Reveal(), PathStyle: cfg.S3Endpoint != "", CreateBucket: true})
	if err != nil {
		return err
	}
	in.Blobs = b
	in.Ready = append(in.Ready, serve.Check{Name: "s3", Run: func(ctx context.Context) error {
		_, err := b.List(ctx, "readyz/")
		return err
	}})
	return nil
}

// openMailer builds the Mailer: SMTP when cfg names a relay, the in-memory mailbox otherwise.
func (in *Infra) openMailer(cfg config.Config, clock coach.Clock) error {
	if cfg.SMTPHost == "" {
		in.Mailer = &transportmemory.Mailbox{}
		return nil
	}
	m, err := smtp.New(smtp.Config{Host: cfg.SMTPHost, Port: cfg.SMTPPort, TLS: smtp.TLSMode(cfg.SMTPTLS),
		Username: cfg.SMTPUsername, Password: cfg.SMTPPassword.Reveal(), From: cfg.SMTPFrom, Clock: clock})
	if err != nil {
		return err
	}
	in.Mailer = m
	return nil
}

func (in *Infra) inProcess(clock coach.Clock, log *slog.Logger) error {
	q, err := transportmemory.NewQueue(transportmemory.QueueConfig{DeadLetters: in.Store.DeadLetters(), Logger: log})
	if err != nil {
		return err
	}
	in.Queue = q
	in.newWorker = func(n int) (transport.Worker, error) {
		return q.NewWorker(transportmemory.WorkerConfig{Concurrency: n})
	}
	in.newScheduler = func(table []transport.Periodic) (Scheduler, error) {
		return transportmemory.NewScheduler(transportmemory.SchedulerConfig{Queue: q, Schedule: table, Clock: clock, Logger: log})
	}
	bus := transportmemory.NewBus(0)
	in.Bus = bus
	in.closers = append(in.closers, bus.Close)
	in.Nonces = memory.NewNonces(clock)
	cache, leases, limiter := memory.NewCache(clock), memory.NewLeases(clock), memory.NewRateLimiter(clock)
	in.Cache, in.Leases, in.Limiter = cache, leases, limiter
	idem := memory.NewIdempotency(clock)
	in.Idempotency = idem
	in.Budget = memory.NewWeightBudget()
	in.Keys, in.Jobs = []storage.KeyEraser{cache, leases, limiter, idem}, q
	return nil
}

func (in *Infra) openRedis(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	rs, err := redis.Open(ctx, redis.Config{Addr: cfg.RedisAddr, DB: int(cfg.RedisDB)})
	if err != nil {
		return err
	}
	in.closers = append(in.closers, rs.Close)
	client := goredis.NewClient(&goredis.Options{Addr: cfg.RedisAddr, DB: int(cfg.RedisDB), ContextTimeoutEnabled: true})
	in.closers = append(in.closers, client.Close)
	q, err := asynq.New(client, asynq.Config{DeadLetters: in.Store.DeadLetters(), Logger: log})
	if err != nil {
		return err
	}
	in.Queue = q
	in.newWorker = func(n int) (transport.Worker, error) { return q.NewWorker(asynq.WorkerConfig{Concurrency: n}) }
	in.newScheduler = func(table []transport.Periodic) (Scheduler, error) {
		var ss schedulers
		for _, p := range table {
			s, err := q.NewScheduler(asynq.SchedulerConfig{Cron: p.Cron, Job: p.Job})
			if err != nil {
				return nil, err
			}
			ss = append(ss, s)
		}
		return ss, nil
	}
	bus, err := transportredis.NewBus(client, transportredis.BusConfig{})
	if err != nil {
		return err
	}
	in.Bus = bus
	in.closers = append(in.closers, bus.Close)
	in.Nonces, in.Cache, in.Leases, in.Budget, in.Limiter = rs.Nonces(), rs.Cache(), rs.Leases(), rs.WeightBudget(), rs.RateLimiter()
	in.Idempotency = rs.Idempotency()
	in.Keys, in.Jobs = []storage.KeyEraser{rs}, q
	in.Ready = append(in.Ready, serve.Check{Name: "redis", Run: func(ctx context.Context) error { return client.Ping(ctx).Err() }})
	return nil
}
