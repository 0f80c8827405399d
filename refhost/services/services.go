// Package services builds the SDK's capability services over one set of adapters, the same way
// for every stack of the reference host: the importer, the scorer, the rules, the simulator and
// the digest. The host adds no logic of its own here: it only chooses what each service is given.
package services

import (
	"context"
	"log/slog"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/bias"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/chat"
	"github.com/tradecoach/coach/digest"
	"github.com/tradecoach/coach/jobs"
	"github.com/tradecoach/coach/privacy"
	"github.com/tradecoach/coach/refhost/infra"
	"github.com/tradecoach/coach/rules"
	"github.com/tradecoach/coach/sim"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/webhook"
)

// Config is what the services are built from.
type Config struct {
	// Infra holds the adapters. Required.
	Infra *infra.Infra
	// Candles is the market data every definition, rule, simulation and digest reads. Required.
	Candles coach.CandleSource
	// Coach scores and writes reflections; nil scores in the process (bias.InProcess).
	Coach bias.Coach
	// Revokers revoke broker grants when a user is erased (privacy.EraserConfig.Revokers).
	Revokers broker.Revokers
	// Chat writes the coach's answers (chat.Service's Model); nil answers deterministically.
	// ChatDailyQuestions and ChatPerMinute bound each user's questions (0: no bound).
	Chat               chat.Model
	ChatDailyQuestions int
	ChatPerMinute      int
	// ErasureKey keys the pseudonym of erasure records (privacy.EraserConfig.SubjectKey). Required.
	ErasureKey []byte
	// WebhookSealer seals webhook secrets; without it there is no Webhooks service.
	WebhookSealer webhook.Sealer
	// WebhooksLoopback is the webhooks' test mode (http and loopback receivers allowed).
	WebhooksLoopback bool
	// ImportLeaseTTL is the lease TTL of Importer and JobImporter (broker.ImporterConfig.LeaseTTL;
	// its default when 0).
	ImportLeaseTTL time.Duration
	// Clock, Logger and Metrics go to every service (coach.SystemClock, discard and
	// coach.NopMetrics when nil).
	Clock   coach.Clock
	Logger  *slog.Logger
	Metrics coach.Metrics
}

// Services are the capability services of one process.
type Services struct {
	// Candles is the market data the services read.
	Candles coach.CandleSource
	// Importer imports what a request brings (CSV uploads): it asks for the scoring of the
	// window its new trades touched by enqueueing score.bias on the host's queue
	// (jobs.ScoreEnqueuer, with the Scorer's definition version), which a worker runs.
	Importer *broker.Importer
	// JobImporter is the import.trades handler's (jobs.Config.Importer): it asks for no scoring,
	// since the handler enqueues the score job of the window it imports itself.
	JobImporter *broker.Importer
	Scorer      *bias.Service
	Rules       *rules.Service
	Simulator   *sim.Service
	Digester    *digest.Service
	// Exporter builds users' exports into the blob store and mints their download links.
	Exporter *privacy.Service
	// Eraser erases everything a user has, everywhere.
	Eraser *privacy.Eraser
	// Chat answers the trader's questions, checked against their evidence.
	Chat *chat.Service
	// Webhooks manages users' webhook endpoints (nil without Config.WebhookSealer).
	Webhooks *webhook.Service
}

// Build builds the services, or returns the first service's refusal of its configuration.
func Build(cfg Config) (*Services, error) {
	if cfg.Infra == nil || cfg.Candles == nil {
		return nil, coach.Errorf(coach.EINVALID, "services: Config.Infra and Config.Candles are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	in := cfg.Infra
	s := Services{Candles: cfg.Candles}
	var err error
	if s.JobImporter, err = broker.NewImporter(broker.ImporterConfig{Store: in.Store, Clock: cfg.Clock, Leases: in.Leases,
		LeaseTTL: cfg.ImportLeaseTTL, Logger: cfg.Logger, Metrics: cfg.Metrics}); err != nil {
		return nil, err
	}
	if s.Rules, err = rules.New(rules.ServiceConfig{Store: in.Store, Candles: cfg.Candles, Clock: cfg.Clock, Logger: cfg.Logger,
		Metrics: cfg.Metrics}); err != nil {
		return nil, err
	}
	if s.Scorer, err = bias.New(bias.ServiceConfig{Store: in.Store, Candles: cfg.Candles, Blobs: in.Blobs, Clock: cfg.Clock,
		Logger: cfg.Logger, Metrics: cfg.Metrics, Coach: cfg.Coach}); err != nil {
		return nil, err
	}
	scores, err := jobs.NewScoreEnqueuer(jobs.ScoreEnqueuerConfig{Queue: in.Queue, DefinitionVersion: s.Scorer.Version()})
	if err != nil {
		return nil, err
	}
	if s.Importer, err = broker.NewImporter(broker.ImporterConfig{Store: in.Store, Clock: cfg.Clock, Leases: in.Leases,
		LeaseTTL: cfg.ImportLeaseTTL, Scorer: scores, Logger: cfg.Logger, Metrics: cfg.Metrics}); err != nil {
		return nil, err
	}
	if s.Simulator, err = sim.New(sim.ServiceConfig{Store: in.Store, Candles: cfg.Candles, Cache: in.Cache, Logger: cfg.Logger,
		Metrics: cfg.Metrics}); err != nil {
		return nil, err
	}
	if s.Digester, err = digest.New(digest.ServiceConfig{Store: in.Store, Blobs: in.Blobs, Clock: cfg.Clock, Candles: cfg.Candles,
		Sims: jobs.SimOutcomes{Simulator: s.Simulator}, Account: s.Scorer, Logger: cfg.Logger, Metrics: cfg.Metrics}); err != nil {
		return nil, err
	}
	if s.Exporter, err = privacy.New(privacy.Config{Store: in.Store, Blobs: in.Blobs, Clock: cfg.Clock, Logger: cfg.Logger,
		Metrics: cfg.Metrics}); err != nil {
		return nil, err
	}
	if s.Eraser, err = privacy.NewEraser(privacy.EraserConfig{Store: in.Store, SubjectKey: cfg.ErasureKey, Blobs: in.Blobs,
		Keys: in.Keys, Jobs: in.Jobs, Revokers: cfg.Revokers, Clock: cfg.Clock, Logger: cfg.Logger, Metrics: cfg.Metrics}); err != nil {
		return nil, err
	}
	chatCfg := chat.ServiceConfig{Store: in.Store, Model: cfg.Chat, DailyBudget: cfg.ChatDailyQuestions, Clock: cfg.Clock,
		Logger: cfg.Logger, Metrics: cfg.Metrics,
		Source: chat.StoreSource{Store: in.Store, Clock: cfg.Clock, Windows: s.Scorer.AccountWindows,
			Streaks: func(ctx context.Context, userID string, from, to time.Time) (*rules.StreakReport, error) {
				rep, err := s.Rules.EvaluateUser(ctx, userID, from, to)
				if err != nil {
					return nil, err
				}
				return &rep.Streaks, nil
			}}}
	if cfg.ChatPerMinute > 0 && in.Limiter != nil {
		chatCfg.Limiter = in.Limiter
		chatCfg.Limit = storage.Limit{Rate: cfg.ChatPerMinute, Burst: cfg.ChatPerMinute, Period: time.Minute}
	}
	if s.Chat, err = chat.New(chatCfg); err != nil {
		return nil, err
	}
	if cfg.WebhookSealer != nil {
		if s.Webhooks, err = webhook.New(webhook.Config{Store: in.Store, Sealer: cfg.WebhookSealer, Clock: cfg.Clock,
			AllowLoopback: cfg.WebhooksLoopback, Logger: cfg.Logger}); err != nil {
			return nil, err
		}
	}
	return &s, nil
}
