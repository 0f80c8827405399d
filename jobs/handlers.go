package jobs

import (
	"context"
	"log/slog"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/privacy"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// Brokers opens the broker a connection imports from: a host unseals the connection's
// credentials and returns its broker client (package broker's coinbase or binance), a test or a
// demo returns a fake. Declared here, where it is needed; the host implements it. Its errors are
// classified like the services' (EUNAUTHORIZED for credentials that no longer open, say).
type Brokers interface {
	Broker(ctx context.Context, conn coach.BrokerConnection) (broker.Broker, error)
}

// BrokersFunc is a function that is a Brokers.
type BrokersFunc func(ctx context.Context, conn coach.BrokerConnection) (broker.Broker, error)

// Broker calls f.
func (f BrokersFunc) Broker(ctx context.Context, conn coach.BrokerConnection) (broker.Broker, error) {
	return f(ctx, conn)
}

// Config is what Handlers need. Each service is optional: a worker that serves some queues only
// gives the services of their jobs, and Register registers the handlers of the services given.
type Config struct {
	// Store holds the broker connections the import handler loads. Required.
	Store storage.Store
	// Queue takes the jobs the handlers enqueue: score.bias after an import, simulate.simple
	// after SubmitSimulation. Required.
	Queue transport.Queue
	// Importer and Brokers run import.trades; one is refused without the other. The handler
	// enqueues the score job of the window it imports itself, so give an Importer without a
	// Scorer (one with a ScoreEnqueuer asks again for the narrower window it touched).
	Importer *broker.Importer
	Brokers  Brokers
	// Scorer runs score.bias. Its Version is the definition version the import handler's score
	// jobs carry (bias.DefinitionVersion when Scorer is nil).
	Scorer *bias.Service
	// Rules, with a Scorer, makes score.bias also evaluate the user's rules over the job's window
	// and append a rule.broken event per rule broken per trade, once (rules.Service.RecordBreaks).
	Rules *rules.Service
	// Simulator runs simulate.simple and SubmitSimulation.
	Simulator *sim.Service
	// Digester runs digest.weekly.
	Digester *digest.Service
	// DigestBackfill, with a Scorer and a Digester, is how many of the user's last complete
	// weeks score.bias reaches back to after scoring a window: it enqueues the digest of each
	// such week the window's trades touch, to be built and never mailed (DigestBackfillJob), so
	// that an import of past fills fills in past digests. 0 means digest.DefaultBackfillWeeks;
	// a negative value turns the backfill off.
	DigestBackfill int
	// Mailer, when set with a Digester, sends each weekly digest digest.weekly builds by email to
	// its user, if they opted in (coach.User.DigestByEmail) and have an email address, and then
	// sets the digest's DeliveredAt (see DigestWeekly). nil sends no mail.
	Mailer transport.Mailer
	// Exporter runs export.user and RequestExport.
	Exporter *privacy.Service
	// Eraser runs erase.user.
	Eraser *privacy.Eraser
	// Logger receives a line per job skipped (its subject is gone or refuses for good); nil
	// discards them. transport.Mux logs failures.
	Logger *slog.Logger
	// Metrics receives jobs_skipped_total (coach.MetricTable); nil means coach.NopMetrics.
	// transport.Mux counts and times every job.
	Metrics coach.Metrics
	// Retention, when set, turns on the retention jobs (retention.outbox, retention.digests,
	// retention.sessions, retention.exports, retention.deadletters, retention.webhooks) over Store.
	Retention *RetentionConfig

	// Sync is the schedule sync.fanout follows (with the Importer); zero fields take defaults.
	Sync SyncConfig
	// Clock tells sync.fanout which slots have started; nil means coach.SystemClock.
	Clock coach.Clock
}

// Handlers run the seed's jobs through the capability services. Build them with New; Handlers not
// built by New refuse every job with EINVALID. Safe for concurrent use.
type Handlers struct {
	store     storage.Store
	queue     transport.Queue
	importer  *broker.Importer
	brokers   Brokers
	scorer    *bias.Service
	rules     *rules.Service
	simulator *sim.Service
	digester  *digest.Service
	backfill  int // weeks; 0 turns the backfill off
	mailer    transport.Mailer
	exporter  *privacy.Service
	ret       *retainer // nil without Config.Retention
	eraser    *privacy.Eraser
	version   string
	log       *slog.Logger
	metrics   coach.Metrics
	sync      SyncConfig
	clock     coach.Clock
}

// New returns Handlers, or an EINVALID error naming the first missing or invalid field of cfg:
// Store and Queue are required, Importer and Brokers go together, and at least one service (or
// Retention) must be given.
func New(cfg Config) (*Handlers, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "jobs: Config.Store is required")
	case cfg.Queue == nil:
		return nil, coach.Errorf(coach.EINVALID, "jobs: Config.Queue is required")
	case cfg.Importer != nil && cfg.Brokers == nil:
		return nil, coach.Errorf(coach.EINVALID, "jobs: Config.Brokers is required with an Importer")
	case cfg.Importer == nil && cfg.Brokers != nil:
		return nil, coach.Errorf(coach.EINVALID, "jobs: Config.Importer is required with Brokers")
	case cfg.Importer == nil && cfg.Scorer == nil && cfg.Simulator == nil && cfg.Digester == nil && cfg.Exporter == nil && cfg.Retention == nil &&
		cfg.Eraser == nil:
		return nil, coach.Errorf(coach.EINVALID, "jobs: Config.Importer, Scorer, Simulator, Digester, Exporter, Retention or Eraser: give at least one service")
	}
	if err := cfg.Sync.Validate(); err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = coach.NopMetrics{}
	}
	ret, err := newRetainer(cfg)
	if err != nil {
		return nil, err
	}
	backfill := cfg.DigestBackfill
	switch {
	case backfill == 0:
		backfill = digest.DefaultBackfillWeeks
	case backfill < 0:
		backfill = 0
	}
	version := bias.DefinitionVersion
	if cfg.Scorer != nil {
		version = cfg.Scorer.Version()
	}
	return &Handlers{store: cfg.Store, queue: cfg.Queue, importer: cfg.Importer, brokers: cfg.Brokers, scorer: cfg.Scorer, rules: cfg.Rules,
		simulator: cfg.Simulator, digester: cfg.Digester, backfill: backfill, mailer: cfg.Mailer, exporter: cfg.Exporter, ret: ret, eraser: cfg.Eraser, version: version,
		log: cfg.Logger, metrics: cfg.Metrics, sync: cfg.Sync.withDefaults(), clock: cfg.Clock}, nil
}

// errNotConstructed is what Handlers not built by New answer.
var errNotConstructed = coach.Errorf(coach.EINVALID, "jobs: Handlers not constructed; use jobs.New")

func (h *Handlers) constructed() bool { return h != nil && h.store != nil }

// Register registers on mux the handler of each job whose service was given: import.trades and
// sync.fanout (Importer), score.bias (Scorer), simulate.simple (Simulator), digest.weekly and
// digest.fanout (Digester), export.user (Exporter), the retention jobs (Retention), and
// erase.user (Eraser).
// A mux that has a handler for one of those types already is EINVALID (transport.Mux.Handle).
func (h *Handlers) Register(mux *transport.Mux) error {
	if !h.constructed() {
		return errNotConstructed
	}
	for _, r := range []struct {
		typ string
		on  bool
		run transport.Handler
	}{
		{transport.JobImportTrades, h.importer != nil, h.ImportTrades},
		{transport.JobScoreBias, h.scorer != nil, h.ScoreBias},
		{transport.JobSimulateSimple, h.simulator != nil, h.SimulateSimple},
		{transport.JobDigestWeekly, h.digester != nil, h.DigestWeekly},
		{JobDigestFanout, h.digester != nil, h.DigestFanout},
		{JobExportUser, h.exporter != nil, h.ExportUser},
		{JobRetentionOutbox, h.ret != nil, h.RetentionOutbox},
		{JobRetentionDigests, h.ret != nil, h.RetentionDigests},
		{JobRetentionSessions, h.ret != nil, h.RetentionSessions},
		{JobRetentionExports, h.ret != nil, h.RetentionExports},
		{JobRetentionDeadLetters, h.ret != nil, h.RetentionDeadLetters},
		{JobRetentionWebhooks, h.ret != nil, h.RetentionWebhooks},
		{JobEraseUser, h.eraser != nil, h.EraseUser},
		{JobSyncFanout, h.importer != nil, h.SyncFanout},
	} {
		if !r.on {
			continue
		}
		if err := mux.Handle(r.typ, r.run); err != nil {
			return err
		}
	}
	return nil
}

// Action is what a handler does with an error of the service it called.
type Action int

// Actions.
const (
	// Done: no error; the job completed.
	Done Action = iota
	// Retry: the error may pass (EUNAVAILABLE, ERATELIMITED, ERETRYABLE, ECONFLICT, ECANCELED,
	// EINTERNAL): the handler returns it, and the queue retries with backoff until the job's
	// retries run out, then dead-letters it.
	Retry
	// Skip: the job's subject is gone or refuses for good (ENOTFOUND, EUNAUTHORIZED, EFORBIDDEN,
	// EGONE): the handler logs it and returns nil, completing the job, since no retry can help.
	Skip
	// Reject: the job itself is wrong (EINVALID, a malformed payload or request): the handler
	// returns the EINVALID error, which the queue dead-letters at once, without retries, for a
	// person to look at.
	Reject
)

// String returns the action's name.
func (a Action) String() string {
	switch a {
	case Done:
		return "done"
	case Retry:
		return "retry"
	case Skip:
		return "skip"
	case Reject:
		return "reject"
	}
	return "unknown"
}

// Classify returns what a handler does with err, by its code (see Action).
func Classify(err error) Action {
	if err == nil {
		return Done
	}
	switch coach.ErrorCode(err) {
	case coach.EINVALID:
		return Reject
	case coach.ENOTFOUND, coach.EUNAUTHORIZED, coach.EFORBIDDEN, coach.EGONE:
		return Skip
	}
	return Retry
}

// settle applies Classify to the error of job j.
func (h *Handlers) settle(ctx context.Context, j transport.Job, err error) error {
	if Classify(err) != Skip {
		return err
	}
	h.skip(ctx, j, string(coach.ErrorCode(err)), coach.ErrorMessage(err))
	return nil
}

// skip counts and logs that job j was skipped, and why.
func (h *Handlers) skip(ctx context.Context, j transport.Job, code, why string) {
	h.metrics.Count(coach.MetricJobsSkipped, 1, "type", j.Type, "code", code)
	h.log.WarnContext(ctx, "jobs: job skipped", "jobId", j.ID, "type", j.Type, "code", code, "reason", why)
}

// unavailable is the error of a job whose service was not given to New.
func unavailable(typ, field string) error {
	return coach.Errorf(coach.EINVALID, "jobs: %s needs Config.%s", typ, field)
}
