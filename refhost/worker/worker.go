// Package worker is the reference host's S4: the SDK's job handlers (jobs.Handlers) run by a
// worker of the configured queue — in the process, or asynq on Redis, where any number of
// workers share the jobs — the periodic jobs (jobs.Schedule: the digest fan-out and the
// retention jobs) fired by a scheduler of that queue, and the webhook Deliverer, which moves
// users' events from the outbox to their webhook endpoints.
package worker

import (
	"context"
	"log/slog"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/refhost/services"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/webhook"
)

// Config is what a Worker needs. The digest job mails each weekly digest to the users who opted
// in through Infra.Mailer. The score job that follows an import rebuilds, without mailing, the
// digests of the past weeks the import touched (jobs.Config.DigestBackfill, its default of
// digest.DefaultBackfillWeeks weeks): the SDK does it, the host only runs the jobs.
type Config struct {
	// Infra holds the queue and the store; Services the capability services. Required.
	Infra    *infra.Infra
	Services *services.Services
	// Brokers gives the broker of a connection for import jobs. Required.
	Brokers jobs.Brokers
	// Concurrency is how many jobs run at once (1 when 0).
	Concurrency int
	// WebhookSealer opens webhook secrets; without it no webhook is delivered.
	WebhookSealer webhook.Sealer
	// WebhooksLoopback is the webhooks' test mode (http and loopback receivers allowed).
	WebhooksLoopback bool
	// WebhookDeliveryRetention is how long webhook deliveries are kept after they settled
	// (jobs.DefaultWebhookDeliveryRetention when 0).
	WebhookDeliveryRetention time.Duration
	Clock                    coach.Clock
	Logger                   *slog.Logger
	Metrics                  coach.Metrics
}

// Worker runs the jobs.
type Worker struct {
	handlers  *jobs.Handlers
	worker    transport.Worker
	scheduler infra.Scheduler
	// stopHooks stops the webhook Deliverer and waits for it (a no-op without one).
	stopHooks func()
}

// Start builds the handlers and starts a worker running them. EINVALID names a missing field.
func Start(cfg Config) (*Worker, error) {
	if cfg.Infra == nil || cfg.Services == nil || cfg.Brokers == nil {
		return nil, coach.Errorf(coach.EINVALID, "worker: Config.Infra, Services and Brokers are required")
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 1
	}
	s := cfg.Services
	h, err := jobs.New(jobs.Config{Store: cfg.Infra.Store, Queue: cfg.Infra.Queue, Importer: s.JobImporter, Brokers: cfg.Brokers,
		Scorer: s.Scorer, Rules: s.Rules, Simulator: s.Simulator, Digester: s.Digester, Mailer: cfg.Infra.Mailer, Exporter: s.Exporter, Eraser: s.Eraser, Logger: cfg.Logger, Metrics: cfg.Metrics,
		Retention: &jobs.RetentionConfig{Blobs: cfg.Infra.Blobs, Exports: s.Exporter, WebhookDeliveries: cfg.WebhookDeliveryRetention}})
	if err != nil {
		return nil, err
	}
	mux, err := transport.NewMux(transport.MuxConfig{Logger: cfg.Logger, Metrics: cfg.Metrics})
	if err != nil {
		return nil, err
	}
	if err := h.Register(mux); err != nil {
		return nil, err
	}
	w, err := cfg.Infra.NewWorker(cfg.Concurrency)
	if err != nil {
		return nil, err
	}
	if err := w.Start(mux.Run); err != nil {
		return nil, err
	}
	sched, err := cfg.Infra.NewScheduler(jobs.Schedule())
	if err == nil {
		err = sched.Start()
	}
	if err != nil {
		w.Shutdown()
		return nil, err
	}
	stop, err := startDeliverer(cfg)
	if err != nil {
		sched.Shutdown()
		w.Shutdown()
		return nil, err
	}
	return &Worker{handlers: h, worker: w, scheduler: sched, stopHooks: stop}, nil
}

// startDeliverer runs the webhook Deliverer until the returned function is called, which waits
// for its sends to end. Without a sealer there is nothing to deliver with.
func startDeliverer(cfg Config) (func(), error) {
	if cfg.WebhookSealer == nil {
		return func() {}, nil
	}
	client, err := webhook.NewClient(webhook.ClientConfig{AllowLoopback: cfg.WebhooksLoopback})
	if err != nil {
		return nil, err
	}
	d, err := webhook.NewDeliverer(webhook.DelivererConfig{Store: cfg.Infra.Store, Client: client, Sealer: cfg.WebhookSealer,
		Leases: cfg.Infra.Leases, Clock: cfg.Clock, Logger: cfg.Logger, Metrics: cfg.Metrics})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	return func() { cancel(); <-done }, nil
}

// Handlers are the job handlers the worker runs, for the entry points a host calls directly
// (jobs.Handlers.SubmitSimulation).
func (w *Worker) Handlers() *jobs.Handlers { return w.handlers }

// Shutdown stops the scheduler, then stops taking jobs and waits for those in flight
// (transport.Worker.Shutdown).
func (w *Worker) Shutdown() {
	w.scheduler.Shutdown()
	if w.stopHooks != nil {
		w.stopHooks()
	}
	w.worker.Shutdown()
}
