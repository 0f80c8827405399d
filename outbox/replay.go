package outbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Replay pages through the user's events after sinceID, calling emit for each in id order, and
// returns the last id emitted (sinceID if none). It pages until the store has nothing more (an
// empty page, or one with nothing after the last id emitted), so a store that returns short pages
// still gives the whole history. It stops at the first error; a sinceID older than retention
// gives EGONE before anything is emitted, so a client is told to reload rather than given a
// partial history.
func Replay(ctx context.Context, events storage.Events, userID, sinceID string, pageSize int, emit func(coach.Event) error) (string, error) {
	last := sinceID
	for {
		page, err := events.Since(ctx, userID, last, pageSize)
		if err != nil {
			return last, err
		}
		progressed := false
		for _, e := range page {
			if last != "" && e.ID <= last {
				continue // a store repeating itself
			}
			if err := emit(e); err != nil {
				return last, err
			}
			last, progressed = e.ID, true
		}
		if !progressed {
			return last, nil
		}
	}
}

// DefaultRetention is how long events are kept (the seed's 90 days).
const DefaultRetention = 90 * 24 * time.Hour

// RetentionConfig is what a Retention needs.
type RetentionConfig struct {
	// Events is the outbox to prune. Required.
	Events storage.Events
	// Keep is how long events are kept: DefaultRetention when 0. A negative Keep is refused: a
	// misconfiguration can never drop every event.
	Keep time.Duration
	// Logger receives a line per run that dropped events; nil discards them.
	Logger *slog.Logger
	// Metrics receives outbox_events_pruned_total (coach.MetricTable); nil means coach.NopMetrics.
	Metrics coach.Metrics
}

// Retention prunes events older than its Keep. Build it with NewRetention; a Retention not built
// that way returns EINVALID from Run.
type Retention struct {
	events  storage.Events
	keep    time.Duration
	log     *slog.Logger
	metrics coach.Metrics
}

// NewRetention returns a Retention, or an EINVALID error naming the first missing or invalid
// field of cfg.
func NewRetention(cfg RetentionConfig) (*Retention, error) {
	switch {
	case cfg.Events == nil:
		return nil, coach.Errorf(coach.EINVALID, "outbox: RetentionConfig.Events is required")
	case cfg.Keep < 0:
		return nil, coach.Errorf(coach.EINVALID, "outbox: RetentionConfig.Keep must be positive, got %s", cfg.Keep)
	}
	if cfg.Keep == 0 {
		cfg.Keep = DefaultRetention
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = coach.NopMetrics{}
	}
	return &Retention{events: cfg.Events, keep: cfg.Keep, log: cfg.Logger, metrics: cfg.Metrics}, nil
}

// Run prunes events older than now − Keep and returns how many were dropped.
func (r *Retention) Run(ctx context.Context, now time.Time) (int, error) {
	if r == nil || r.events == nil || r.keep <= 0 {
		return 0, coach.Errorf(coach.EINVALID, "outbox: Retention not constructed; use outbox.NewRetention")
	}
	n, err := r.events.Prune(ctx, now.Add(-r.keep))
	if n > 0 {
		r.metrics.Count(coach.MetricEventsPruned, int64(n))
		r.log.InfoContext(ctx, "outbox: retention dropped events", "dropped", n, "before", now.Add(-r.keep))
	}
	return n, err
}
