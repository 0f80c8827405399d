package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/broker/brokertest"
	"github.com/tradecoach/coach/chat"
	promcoach "github.com/tradecoach/coach/metrics/prometheus"
	"github.com/tradecoach/coach/outbox"
	"github.com/tradecoach/coach/redact"
	"github.com/tradecoach/coach/refhost/aicoach"
	"github.com/tradecoach/coach/refhost/brokers"
	"github.com/tradecoach/coach/refhost/config"
	"github.com/tradecoach/coach/refhost/core"
	"github.com/tradecoach/coach/refhost/demo"
	"github.com/tradecoach/coach/refhost/edge"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/refhost/serve"
	"github.com/tradecoach/coach/refhost/services"
	"github.com/tradecoach/coach/refhost/slo"
	"github.com/tradecoach/coach/refhost/web"
	"github.com/tradecoach/coach/refhost/worker"
	"github.com/tradecoach/coach/transport"
	"github.com/tradecoach/coach/webhook"
)

// stacks are the subcommands; the first is the default.
var stacks = []string{"all", "edge", "core", "worker", "aicoach", "web", "migrate"}

// started tells a test the addresses the stacks listen on, once every one serves, and the
// process's adapters (so that a test can do what the scheduler would, on its own time).
type started func(addrs map[string]string, in *infra.Infra)

// run runs the subcommand of args until ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, onStart started) error {
	stack := stacks[0]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		stack, args = args[0], args[1:]
	}
	switch stack {
	case "load":
		return runLoad(ctx, args, getenv, stdout, stderr)
	case "slo":
		return runSLO(ctx, args, stdout, stderr)
	}
	if !slices.Contains(stacks, stack) {
		return coach.Errorf(coach.EINVALID, "unknown stack %q: want one of %s", stack, strings.Join(stacks, ", "))
	}
	cfg, err := config.Load("refhost "+stack, args, getenv)
	if err != nil {
		return err
	}
	if err := completeKeys(&cfg, stack); err != nil {
		return err
	}
	log, err := newLogger(stderr, cfg)
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// The objectives' thresholds are bucket bounds, so `refhost slo` counts them exactly.
	metrics, err := promcoach.New(promcoach.Config{Registerer: reg, Logger: log, Buckets: slo.Buckets()})
	if err != nil {
		return err
	}
	h := &host{cfg: cfg, log: log, metrics: metrics, registry: reg, metricsHandler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		clock: coach.SystemClock{}, stdout: stdout}
	if stack == "migrate" {
		return h.migrate(ctx)
	}
	return h.serve(ctx, stack, onStart)
}

// completeKeys makes the keys `all` may go without (one process signs and verifies its own
// requests, hashes its own logs and seals its own broker credentials) and refuses a split stack
// that lacks its internal key or its KEK.
func completeKeys(cfg *config.Config, stack string) error {
	if cfg.LogKey == nil {
		cfg.LogKey = randomKey()
	}
	needsInternal := stack == "aicoach" || stack == "core" || stack == "edge" || stack == "web" || stack == "worker" && cfg.AIcoachURL != ""
	if cfg.EdgeSecret == nil {
		// Every edge of a deployment must share it: a split edge must be given it.
		if stack == "edge" {
			return coach.Errorf(coach.EINVALID, "edge: REFHOST_EDGE_SECRET is required (hex, at least %d bytes), the same for every edge", config.MinKeyBytes)
		}
		cfg.EdgeSecret = randomKey()
	}
	if cfg.ErasureKey == nil {
		// A record of an erasure must stay findable across restarts: a deployment that keeps
		// data (Postgres) must give the key.
		if cfg.PostgresURL != "" && (stack == "worker" || stack == "all") {
			return coach.Errorf(coach.EINVALID, "%s: REFHOST_ERASURE_KEY is required with Postgres (hex, at least %d bytes)", stack, config.MinKeyBytes)
		}
		cfg.ErasureKey = randomKey()
	}
	if cfg.KEK == nil && cfg.KMSKeyID == "" {
		// The key-encryption key is local by default; with REFHOST_KMS_KEY_ID it is in AWS KMS.
		if stack == "core" || stack == "worker" {
			return coach.Errorf(coach.EINVALID, "%s: REFHOST_KEK (hex, %d bytes) or REFHOST_KMS_KEY_ID is required, the same for core and worker", stack, config.KEKBytes)
		}
		cfg.KEK = randomKey()
	}
	if cfg.InternalKey == nil {
		if needsInternal {
			return coach.Errorf(coach.EINVALID, "%s: REFHOST_INTERNAL_KEY is required (hex, at least %d bytes)", stack, config.MinKeyBytes)
		}
		cfg.InternalKey = randomKey()
	}
	return nil
}

func randomKey() []byte {
	k := make([]byte, config.MinKeyBytes)
	_, _ = rand.Read(k)
	return k
}

// newLogger logs JSON lines at cfg.LogLevel through redact, so that no email or secret is logged.
func newLogger(w io.Writer, cfg config.Config) (*slog.Logger, error) {
	h, err := redact.NewHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: cfg.LogLevel}), cfg.LogKey)
	if err != nil {
		return nil, err
	}
	return slog.New(h), nil
}

// host is one process of the reference host.
type host struct {
	cfg            config.Config
	log            *slog.Logger
	metrics        coach.Metrics
	registry       prometheus.Registerer // what metricsHandler serves
	metricsHandler http.Handler
	clock          coach.Clock
	stdout         io.Writer
}

func (h *host) migrate(ctx context.Context) error {
	if h.cfg.PostgresURL == "" {
		return coach.Errorf(coach.EINVALID, "migrate: REFHOST_POSTGRES_URL is required")
	}
	in, err := infra.Open(ctx, h.cfg, h.clock, h.log) // opening the Postgres store migrates it
	if err != nil {
		return err
	}
	fmt.Fprintf(h.stdout, "refhost migrate: schema %s is up to date\n", h.cfg.PostgresSchema)
	return in.Close()
}

// serve runs the stacks of stack until ctx ends.
func (h *host) serve(ctx context.Context, stack string, onStart started) (err error) {
	// Core is bound first: the links it mints (downloads) name its address, port 0 included.
	var coreLn net.Listener
	if stack == "all" || stack == "core" {
		if coreLn, err = net.Listen("tcp", h.cfg.CoreAddr); err != nil {
			return coach.Errorf(coach.EUNAVAILABLE, "core: listen on %s: %v", h.cfg.CoreAddr, err)
		}
		defer func() {
			if err != nil {
				_ = coreLn.Close()
			}
		}()
		h.cfg.CoreAddr = coreLn.Addr().String()
	}
	icfg := h.cfg
	if stack == "edge" || stack == "web" {
		// The edge and the web hold no data of their own: only Redis (sessions' cache, limits, idempotency,
		// the bus) when given; never Postgres or S3.
		icfg.PostgresURL, icfg.S3Bucket = "", ""
	}
	in, err := infra.Open(ctx, icfg, h.clock, h.log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, in.Close()) }()

	var servers []*serve.Server
	var coreServer *serve.Server
	var front *edge.Edge
	var wk *worker.Worker
	defer func() {
		// Drain the HTTP servers first, then the jobs in flight, then close the adapters.
		sctx, cancel := context.WithTimeout(context.Background(), h.cfg.ShutdownTimeout)
		defer cancel()
		if front != nil {
			err = errors.Join(err, front.Shutdown(sctx))
		}
		for _, s := range servers {
			err = errors.Join(err, s.Shutdown(sctx))
		}
		if wk != nil {
			wk.Shutdown()
		}
	}()
	served := make(chan error, 8) // one a server, never blocking
	listenOn := func(name, addr string, ln net.Listener, handler http.Handler) error {
		sc := serve.Config{Stack: name, Addr: addr, Listener: ln, Handler: handler, Ready: in.Ready, Metrics: h.metricsHandler, Logger: h.log,
			Requests: h.metrics}
		if name == "edge" {
			// The internet's side: its headers on every answer, and no metrics.
			sc.Metrics, sc.Outer = nil, edge.SecurityHeaders
		}
		s, err := serve.Listen(sc)
		if err != nil {
			return err
		}
		if name == "core" {
			coreServer = s
		}
		servers = append(servers, s)
		go func() { served <- s.Serve() }()
		return nil
	}
	listen := func(name, addr string, handler http.Handler) error {
		var ln net.Listener
		if name == "core" {
			ln = coreLn
		}
		return listenOn(name, addr, ln, handler)
	}

	if stack == "all" || stack == "aicoach" {
		model, err := aicoach.NewChatModel(h.cfg.ChatModelURL, h.cfg.ChatModel, h.cfg.ChatModelKey.Reveal())
		if err != nil {
			return err
		}
		ai, err := aicoach.New(aicoach.Config{Key: h.cfg.InternalKey, Nonces: in.Nonces, Chat: model, Clock: h.clock, Logger: h.log})
		if err != nil {
			return err
		}
		if err := listen("aicoach", h.cfg.AIcoachAddr, ai); err != nil {
			return err
		}
	}
	if stack == "edge" {
		if front, err = h.startEdge(in, listenOn, nil, nil); err != nil {
			return err
		}
		return h.wait(ctx, stack, servers, in, served, onStart)
	}
	if stack == "web" {
		pages, err := web.New(web.Config{CoreURL: h.coreURL(), Key: h.cfg.InternalKey, Nonces: in.Nonces, Clock: h.clock, Logger: h.log})
		if err != nil {
			return err
		}
		if err := listen("web", h.cfg.WebAddr, pages); err != nil {
			return err
		}
		return h.wait(ctx, stack, servers, in, served, onStart)
	}
	market, err := demo.Market(h.cfg.DemoSeed, h.clock.Now())
	if err != nil {
		return err
	}
	var links *brokers.Brokers
	if stack == "all" || stack == "core" || stack == "worker" {
		if links, err = brokers.Build(h.cfg, in, market, h.clock); err != nil {
			return err
		}
	}
	svc, err := h.services(in, market, links)
	if err != nil {
		return err
	}
	if stack == "all" || stack == "core" {
		api, err := core.New(core.Config{Infra: in, Services: svc, Key: h.cfg.InternalKey, Linker: links.Linker, Clock: h.clock, Logger: h.log,
			Metrics: h.metrics})
		if err != nil {
			return err
		}
		if err := listen("core", h.cfg.CoreAddr, api); err != nil {
			return err
		}
		// Events are committed by core and by the workers, in other processes: nothing here is
		// told of a commit, so the poll interval is the delay an idle dispatcher adds to an
		// event's delivery (the objective is 2 s end to end; the SDK's default, 1 s, spends half).
		dispatcher, err := outbox.NewDispatcher(outbox.DispatcherConfig{Store: in.Store, Bus: in.Bus, Clock: h.clock, Logger: h.log, Metrics: h.metrics,
			PollInterval: outboxPollInterval})
		if err != nil {
			return err
		}
		dctx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
		dispatched := make(chan struct{})
		go func() { defer close(dispatched); _ = dispatcher.Run(dctx) }()
		defer func() { stopDispatch(); <-dispatched }()
	}
	if stack == "all" {
		// One process: the edge and the pages call core's handler directly (signed and verified
		// as ever), and the edge calls the pages' handler (unless told to pass them elsewhere).
		toCore := serve.InProcess(coreServer.Addr(), coreServer.Handler(), nil)
		var pages http.Handler
		if h.cfg.WebURL == "" {
			if pages, err = web.New(web.Config{CoreURL: h.coreURL(), Key: h.cfg.InternalKey, InProcess: true, Transport: toCore,
				Clock: h.clock, Logger: h.log}); err != nil {
				return err
			}
		}
		if front, err = h.startEdge(in, listenOn, toCore, pages); err != nil {
			return err
		}
	}
	if stack == "all" || stack == "worker" {
		if wk, err = h.startWorker(ctx, in, svc, market, links); err != nil {
			return err
		}
		if err := registerQueueDepth(h.registry, in.Queue, h.log); err != nil {
			return err
		}
		if err := listen("worker", h.cfg.WorkerAddr, nil); err != nil {
			return err
		}
	}

	return h.wait(ctx, stack, servers, in, served, onStart)
}

// coreURL is where the edge and the pages call core.
func (h *host) coreURL() string {
	if h.cfg.CoreURL != "" {
		return h.cfg.CoreURL
	}
	return "http://" + h.cfg.CoreAddr
}

// startEdge builds the edge over in and listens on EdgeAddr. A nil transport calls core over the
// network; pages (nil: none, or WebURL's stack) serves the pages in the process.
func (h *host) startEdge(in *infra.Infra, listenOn func(name, addr string, ln net.Listener, handler http.Handler) error,
	transport http.RoundTripper, pages http.Handler) (*edge.Edge, error) {
	coreURL := h.coreURL()
	ln, err := net.Listen("tcp", h.cfg.EdgeAddr)
	if err != nil {
		return nil, coach.Errorf(coach.EUNAVAILABLE, "edge: listen on %s: %v", h.cfg.EdgeAddr, err)
	}
	h.cfg.EdgeAddr = ln.Addr().String() // port 0 picked one: the public URL names it
	public := h.cfg.PublicURL
	if public == "" {
		public = "http://" + h.cfg.EdgeAddr
	}
	mailer := accountMailer(in.Mailer, h.stdout)
	e, err := edge.New(edge.Config{CoreURL: coreURL, Key: h.cfg.InternalKey, Secret: h.cfg.EdgeSecret, PublicURL: public,
		Cache: in.Cache, Idempotency: in.Idempotency, Limiter: in.Limiter, Bus: in.Bus, Mailer: mailer,
		Limits: edge.DefaultLimits().Scaled(h.cfg.EdgeLimitScale), Transport: transport, Web: pages, WebURL: h.cfg.WebURL,
		Clock: h.clock, Logger: h.log, Metrics: h.metrics})
	if err != nil {
		_ = ln.Close()
		return nil, err
	}
	if err := listenOn("edge", h.cfg.EdgeAddr, ln, e); err != nil {
		_ = ln.Close()
		_ = e.Shutdown(context.Background())
		return nil, err
	}
	if h.cfg.EdgeMetricsAddr != "" {
		// The edge's metrics (its API calls, its sockets' deliveries) on a private address.
		if err := listenOn("edge-metrics", h.cfg.EdgeMetricsAddr, nil, nil); err != nil {
			return e, err
		}
	}
	return e, nil
}

// outboxPollInterval is how often core's idle outbox dispatcher looks for committed events: one
// indexed query on the undelivered rows, ten times a second.
const outboxPollInterval = 100 * time.Millisecond

// wait reports the stacks started, then serves until ctx ends or a server fails.
func (h *host) wait(ctx context.Context, stack string, servers []*serve.Server, in *infra.Infra, served chan error, onStart started) error {
	addrs := map[string]string{}
	for _, s := range servers {
		addrs[s.Stack()] = s.URL()
		fmt.Fprintf(h.stdout, "refhost %s: %s listening on %s\n", stack, s.Stack(), s.URL())
	}
	h.log.Info("started", "stack", stack, "memory", in.Memory)
	if onStart != nil {
		onStart(addrs, in)
	}
	select {
	case <-ctx.Done():
		h.log.Info("shutting down", "stack", stack)
		return nil
	case err := <-served:
		return err
	}
}

// services builds the capability services; the scorer calls the AI-coach service when
// AIcoachURL is set, and scores in the process otherwise.
func (h *host) services(in *infra.Infra, market *brokertest.Demo, links *brokers.Brokers) (*services.Services, error) {
	var ai bias.Coach
	if h.cfg.AIcoachURL != "" {
		c, err := aicoach.NewClient(h.cfg.AIcoachURL, h.cfg.InternalKey)
		if err != nil {
			return nil, err
		}
		ai = c
	}
	var revokers broker.Revokers
	var candles coach.CandleSource = market
	var sealer webhook.Sealer
	if links != nil {
		revokers, candles, sealer = links.Revokers, links.Candles, links.Webhooks
	}
	talk, err := h.chatModel()
	if err != nil {
		return nil, err
	}
	return services.Build(services.Config{Infra: in, Revokers: revokers, Candles: candles, Coach: ai, Chat: talk,
		ChatDailyQuestions: h.cfg.ChatDailyQuestions, ChatPerMinute: h.cfg.ChatPerMinute, ErasureKey: h.cfg.ErasureKey,
		WebhookSealer: sealer, WebhooksLoopback: h.cfg.WebhooksLoopback, ImportLeaseTTL: h.cfg.ImportLeaseTTL,
		Clock: h.clock, Logger: h.log, Metrics: h.metrics})
}

// chatModel is the model the core's coach asks: the aicoach stack's (which alone holds the key)
// when AIcoachURL is set, else the configured chat-completions server in this process (`all`),
// else none (deterministic answers).
func (h *host) chatModel() (chat.Model, error) {
	if h.cfg.AIcoachURL != "" {
		c, err := aicoach.NewChatClient(h.cfg.AIcoachURL, h.cfg.InternalKey)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	return aicoach.NewChatModel(h.cfg.ChatModelURL, h.cfg.ChatModel, h.cfg.ChatModelKey.Reveal())
}

// startWorker starts the job worker, which opens each connection's broker through links; on the
// in-memory store with Demo set it seeds the demo
// trader.
func (h *host) startWorker(ctx context.Context, in *infra.Infra, svc *services.Services, market *brokertest.Demo, links *brokers.Brokers) (*worker.Worker, error) {
	wk, err := worker.Start(worker.Config{Infra: in, Services: svc, Brokers: links.Resolve, Concurrency: h.cfg.WorkerConcurrency,
		WebhookSealer: links.Webhooks, WebhooksLoopback: h.cfg.WebhooksLoopback, WebhookDeliveryRetention: h.cfg.WebhookDeliveryRetention,
		Clock: h.clock, Logger: h.log, Metrics: h.metrics})
	if err != nil {
		return nil, err
	}
	if in.Memory && h.cfg.Demo {
		password := demoPassword()
		user, err := demo.Seed(ctx, in.Store, in.Queue, market, h.clock.Now(), edge.HashPassword(password, edge.OWASPParams()))
		if err != nil {
			wk.Shutdown()
			return nil, err
		}
		fmt.Fprintf(h.stdout, "refhost: demo trader %s: importing and scoring %d days of fills (%s to %s)\n", user.ID, demo.Days,
			market.Start().Format(time.DateOnly), market.End().Format(time.DateOnly))
		fmt.Fprintf(h.stdout, "refhost: sign in on the edge's /signin as %s with the password %s (this process's in-memory demo only)\n",
			user.Email, password)
	}
	return wk, nil
}

// demoPassword is a fresh password for the in-memory demo trader: 80 random bits, base32.
func demoPassword() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}

// registerQueueDepth adds the gauge of q's jobs by queue and state (coach_jobs_queue_depth, which
// the workers' autoscaler reads) to reg, when q can count them.
func registerQueueDepth(reg prometheus.Registerer, q transport.Queue, log *slog.Logger) error {
	in, ok := q.(transport.QueueInspector)
	if !ok {
		log.Warn("the job queue does not count its jobs: no queue depth metric", "queue", fmt.Sprintf("%T", q))
		return nil
	}
	c, err := promcoach.NewQueueDepth(promcoach.QueueDepthConfig{Inspector: in, Logger: log})
	if err != nil {
		return err
	}
	if err := reg.Register(c); err != nil {
		return coach.Errorf(coach.EINVALID, "metrics: register the queue depth: %s", err)
	}
	return nil
}
