package jobs

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// DefaultSyncNowEvery is SyncerConfig.Every when unset: a connection syncs on request at most
// once a minute.
const DefaultSyncNowEvery = time.Minute

// SyncerConfig is what a Syncer needs: the host's core (which enqueues jobs) builds one; it needs
// no broker client.
type SyncerConfig struct {
	// Store holds the connections and their sync marks. Required.
	Store storage.Store
	// Queue takes the import jobs. Required.
	Queue transport.Queue
	// Limiter counts sync requests per connection (the key storage.UserKey(userId, "syncnow", connectionId), erased with the user).
	// Required: give every core the same one (Redis) so that the limit holds across them.
	Limiter storage.RateLimiter
	// Leases, when set, are the importers' (broker.ImporterConfig.Leases): a connection whose
	// import lease is held is "already running". Without them only a queued or running import of
	// the same window is seen.
	Leases storage.Leases
	// Every is the least time between two syncs of a connection on request (DefaultSyncNowEvery).
	Every time.Duration
	// Sync gives the brokers that do not sync and how far a first sync reaches back (the workers'
	// Config.Sync); zero fields take defaults.
	Sync SyncConfig
	// Clock ends the window a sync imports; nil means coach.SystemClock.
	Clock coach.Clock
}

// Syncer starts a connection's sync when its user asks ("sync now"). Build it with NewSyncer;
// a Syncer not built by NewSyncer refuses every request with EINVALID. Safe for concurrent use.
type Syncer struct {
	store   storage.Store
	queue   transport.Queue
	limiter storage.RateLimiter
	leases  storage.Leases
	limit   storage.Limit
	sync    SyncConfig
	clock   coach.Clock
}

// NewSyncer returns a Syncer, or an EINVALID error naming the first missing or invalid field of
// cfg.
func NewSyncer(cfg SyncerConfig) (*Syncer, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "jobs: SyncerConfig.Store is required")
	case cfg.Queue == nil:
		return nil, coach.Errorf(coach.EINVALID, "jobs: SyncerConfig.Queue is required")
	case cfg.Limiter == nil:
		return nil, coach.Errorf(coach.EINVALID, "jobs: SyncerConfig.Limiter is required")
	case cfg.Every < 0 || cfg.Every%time.Millisecond != 0:
		return nil, coach.Errorf(coach.EINVALID, "jobs: SyncerConfig.Every: want a positive number of milliseconds, got %s", cfg.Every)
	}
	if err := cfg.Sync.Validate(); err != nil {
		return nil, err
	}
	if cfg.Every == 0 {
		cfg.Every = DefaultSyncNowEvery
	}
	if cfg.Clock == nil {
		cfg.Clock = coach.SystemClock{}
	}
	return &Syncer{store: cfg.Store, queue: cfg.Queue, limiter: cfg.Limiter, leases: cfg.Leases,
		limit: storage.Limit{Rate: 1, Burst: 1, Period: cfg.Every}, sync: cfg.Sync.withDefaults(), clock: cfg.Clock}, nil
}

// RateLimitedError is the error of a sync asked for too soon after the previous one: its code is
// ERATELIMITED and RetryAfter says when to ask again (an HTTP host sends it as Retry-After).
type RateLimitedError struct {
	RetryAfter time.Duration
}

// Error says when to try again; it is safe to show to users.
func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("this connection was synced moments ago; try again in %s", e.RetryAfter.Round(time.Second))
}

// RetryAfterSeconds is RetryAfter in whole seconds, rounded up, at least 1: what an HTTP API
// sends as Retry-After (transport/httpjson reads it).
func (e *RateLimitedError) RetryAfterSeconds() int {
	return max(int((e.RetryAfter+time.Second-1)/time.Second), 1)
}

// CoachCode makes RateLimitedError a coach.Coded with code ERATELIMITED.
func (e *RateLimitedError) CoachCode() string { return string(coach.ERATELIMITED) }

// SyncNow enqueues the import of the user's connection from SyncOverlap before its sync mark to
// now, in whole seconds (the import.trades job of ImportID, as the schedule's imports are), and returns the job.
//
// Errors: ENOTFOUND when the user has no such connection (another user's included);
// EUNAUTHORIZED for a revoked connection and ECONFLICT for a paused one; EINVALID for a broker
// that does not sync (a CSV upload); ECONFLICT when an import of the connection is already
// running (its lease is held) or queued (an import of the same window is, the schedule's
// included); a *RateLimitedError (ERATELIMITED) when the connection was synced on request less
// than SyncerConfig.Every ago. The queue's and the store's errors pass through.
func (s *Syncer) SyncNow(ctx context.Context, userID, connectionID string) (transport.Job, error) {
	if s == nil || s.store == nil {
		return transport.Job{}, coach.Errorf(coach.EINVALID, "jobs: Syncer not constructed; use jobs.NewSyncer")
	}
	st, err := s.store.Syncs().State(ctx, userID, connectionID)
	if err != nil {
		return transport.Job{}, err
	}
	switch {
	case st.Status == coach.ConnectionRevoked:
		return transport.Job{}, coach.Errorf(coach.EUNAUTHORIZED, "sync: the connection was revoked; link the broker again")
	case st.Status != coach.ConnectionActive:
		return transport.Job{}, coach.Errorf(coach.ECONFLICT, "sync: the connection is paused")
	case slices.Contains(s.sync.SkipBrokers, st.Broker):
		return transport.Job{}, coach.Errorf(coach.EINVALID, "sync: a %s connection has nothing to sync", st.Broker)
	}
	if s.leases != nil {
		held, err := s.leases.Held(ctx, broker.ImportLeaseKey(userID, connectionID))
		if err != nil {
			return transport.Job{}, err
		}
		if held {
			return transport.Job{}, coach.Errorf(coach.ECONFLICT, "sync: an import of this connection is already running")
		}
	}
	d, err := s.limiter.Allow(ctx, storage.UserKey(userID, "syncnow", connectionID), s.limit)
	if err != nil {
		return transport.Job{}, err
	}
	if !d.Allowed {
		return transport.Job{}, &RateLimitedError{RetryAfter: d.RetryAfter}
	}
	j, ok, err := s.sync.syncImport(st, s.clock.Now().UTC().Truncate(time.Second))
	switch {
	case err != nil:
		return transport.Job{}, err
	case !ok:
		return transport.Job{}, coach.Errorf(coach.ECONFLICT, "sync: the connection is synced up to now")
	}
	enq, err := s.queue.Enqueue(ctx, j)
	if err != nil {
		return transport.Job{}, err
	}
	if enq.Duplicate {
		return transport.Job{}, coach.Errorf(coach.ECONFLICT, "sync: an import of this connection is already queued")
	}
	return j, nil
}
