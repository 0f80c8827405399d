package jobs

import (
	"context"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/transport"
)

// ScoreEnqueuerConfig is what a ScoreEnqueuer needs.
type ScoreEnqueuerConfig struct {
	// Queue takes the score.bias jobs. Required: the queue the workers that run score.bias read.
	Queue transport.Queue
	// DefinitionVersion is the version the score jobs name. Required: give the Version of the
	// bias.Service the workers score with (the version their Handlers' own score jobs carry), so
	// that a window asked for here and by an import job is one job, not two.
	DefinitionVersion string
}

// ScoreEnqueuer is a broker.ScoreRequester that enqueues score.bias: give it to an Importer
// (broker.ImporterConfig.Scorer) whose imports no import.trades job follows — CSV uploads, an
// Import called in the process — so that what they store is scored, labelled and reflected on,
// and the past weeks' digests it touches are rebuilt (ScoreBias). An Importer that the
// import.trades handler runs needs none: the handler enqueues the score job itself. Build it
// with NewScoreEnqueuer; one not built so answers EINVALID. Safe for concurrent use.
type ScoreEnqueuer struct {
	queue   transport.Queue
	version string
}

var _ broker.ScoreRequester = (*ScoreEnqueuer)(nil)

// NewScoreEnqueuer returns a ScoreEnqueuer, or an EINVALID error naming the first missing or
// invalid field of cfg.
func NewScoreEnqueuer(cfg ScoreEnqueuerConfig) (*ScoreEnqueuer, error) {
	switch {
	case cfg.Queue == nil:
		return nil, coach.Errorf(coach.EINVALID, "jobs: ScoreEnqueuerConfig.Queue is required")
	case !printable(cfg.DefinitionVersion, maxVersion):
		return nil, coach.Errorf(coach.EINVALID, "jobs: ScoreEnqueuerConfig.DefinitionVersion: want 1-%d printable ASCII characters", maxVersion)
	}
	return &ScoreEnqueuer{queue: cfg.Queue, version: cfg.DefinitionVersion}, nil
}

// RequestScore enqueues ScoreJob(ScorePayload{userID, from, to, DefinitionVersion}): on
// q_score, with id ScoreID(userID, from, to, DefinitionVersion). A nil error means the job is
// durably queued, or that a job with that id was already queued, running or retained (the same
// window asked for again is that job, not an error). EINVALID for an invalid user id or window
// (from not before to); otherwise the queue's error.
func (s *ScoreEnqueuer) RequestScore(ctx context.Context, userID string, from, to time.Time) error {
	if s == nil || s.queue == nil {
		return coach.Errorf(coach.EINVALID, "jobs: ScoreEnqueuer not constructed; use jobs.NewScoreEnqueuer")
	}
	j, err := ScoreJob(ScorePayload{UserID: userID, From: from, To: to, DefinitionVersion: s.version})
	if err != nil {
		return err
	}
	// A duplicate (Enqueued.Duplicate) is the job asked for: success, as in ImportTrades.
	_, err = s.queue.Enqueue(ctx, j)
	return err
}
