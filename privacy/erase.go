package privacy

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"maps"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker"
	"github.com/tradecoach/coach/storage"
	"github.com/tradecoach/coach/transport"
)

// EraserConfig is what an Eraser needs.
type EraserConfig struct {
	// Store holds the user's rows, data key and the erasure records. Required.
	Store storage.Store
	// SubjectKey keys the HMAC that names an erased user in the erasure record (Subject): at
	// least 16 bytes, kept secret and stable, so that the record cannot be tied to a user id by
	// guessing ids (a host's own ids may be guessable) yet the host, holding the key, can find
	// the record of a user it is asked about. Required.
	SubjectKey []byte
	// Blobs holds the user's objects under storage.UserBlobPrefix (digest reports, exports).
	// Nil when the deployment keeps none.
	Blobs storage.Blobs
	// Keys are the key-value stores holding the user's storage.UserKey keys (cache, idempotency,
	// rate limits, simulation cache, import leases): the Redis store, or each memory store.
	Keys []storage.KeyEraser
	// Revokers revoke connections' grants at their brokers (coinbase.Revoker); a connection of a
	// broker without one (Binance: its API keys cannot be revoked by us) is counted notRevocable.
	Revokers broker.Revokers
	// Jobs forgets the user's queued, completed and dead-lettered jobs in the queue (optional).
	Jobs transport.JobForgetter
	// Clock dates the erasure record; coach.SystemClock{} when nil.
	Clock coach.Clock
	// Logger receives a line per erasure (the subject and the counts, never the user id) and per
	// revocation that failed; nil discards them.
	Logger *slog.Logger
	// Metrics receives privacy_erasures_total by outcome and privacy_erase_duration_seconds; nil
	// means coach.NopMetrics.
	Metrics coach.Metrics
}

// Eraser erases everything a user has, everywhere. Build it with NewEraser; safe for concurrent
// use.
type Eraser struct {
	cfg EraserConfig
}

// NewEraser returns an Eraser, or an EINVALID error naming the first missing or invalid field.
func NewEraser(cfg EraserConfig) (*Eraser, error) {
	switch {
	case cfg.Store == nil:
		return nil, coach.Errorf(coach.EINVALID, "privacy: EraserConfig.Store is required")
	case len(cfg.SubjectKey) < 16:
		return nil, coach.Errorf(coach.EINVALID, "privacy: EraserConfig.SubjectKey: want at least 16 bytes")
	}
	for i, k := range cfg.Keys {
		if k == nil {
			return nil, coach.Errorf(coach.EINVALID, "privacy: EraserConfig.Keys[%d] is nil", i)
		}
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
	cfg.SubjectKey = append([]byte(nil), cfg.SubjectKey...)
	return &Eraser{cfg: cfg}, nil
}

// Subject returns the pseudonym of userID in erasure records: the hex HMAC-SHA256 of the id under
// key. Equal ids give equal subjects; without key, a subject does not lead back to an id.
func Subject(key []byte, userID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("tradecoach/erasure-subject\x00"))
	m.Write([]byte(userID))
	return hex.EncodeToString(m.Sum(nil))
}

// Subject returns the pseudonym of userID in this Eraser's records (see the function Subject);
// "" from an Eraser not built by NewEraser.
func (e *Eraser) Subject(userID string) string {
	if e == nil || len(e.cfg.SubjectKey) == 0 {
		return "" // an Eraser not built by NewEraser has no key to name anyone with
	}
	return Subject(e.cfg.SubjectKey, userID)
}

// Result is what an erasure removed.
type Result struct {
	// Record is the erasure record stored (or the one already stored when nothing was left to
	// erase); its Counts are Counts before the final sweep.
	Record storage.Erasure
	// Counts are everything removed, by kind: the store's rows (storage.Erasures.Erase's kinds),
	// "blobs", "keys", "jobs", and "revoked", "notRevocable", "revokeFailed" connections.
	Counts map[string]int
}

// Erase erases userID everywhere, in this order:
//
//  1. revoke each of the user's broker connections at its broker where a Revoker exists (a
//     failure is logged and counted revokeFailed: the erasure goes on, and the sealed tokens are
//     deleted with the connection, so they can no longer be used by anyone here);
//  2. forget the user's jobs in the queue (Jobs);
//  3. delete every blob under storage.UserBlobPrefix (Blobs) and every storage.UserKey key
//     (Keys);
//  4. in one transaction of Store: delete the user's rows (storage.Erasures.Erase: every table,
//     the dead letters carrying the user, the data key) and write the erasure record, whose
//     Subject is Subject(userID) and whose counts are those of steps 1-4;
//  5. sweep the jobs, blobs and keys once more, for what a job still running during steps 2-4
//     wrote (counted in Result.Counts, not in the record).
//
// Candle snapshots ("snapshots/{sha256}…") are not erased: they hold market data only, are
// named by the hash of their candles and are shared by every user whose score or simulation read
// the same candles; nothing in them names a user.
//
// Erase is idempotent: erasing a user already erased (or who never existed) succeeds, removes
// nothing and writes no second record when one exists. Any step's failure ends Erase with its
// error, having erased what it got to; running Erase again finishes the job.
func (e *Eraser) Erase(ctx context.Context, userID string) (Result, error) {
	if e == nil || e.cfg.Store == nil {
		return Result{}, coach.Errorf(coach.EINVALID, "privacy: Eraser not constructed; use privacy.NewEraser")
	}
	if !coach.ValidID(userID) {
		return Result{}, coach.Errorf(coach.EINVALID, "privacy: erase: userId: malformed")
	}
	start := time.Now()
	res, err := e.erase(ctx, userID)
	e.cfg.Metrics.Count(coach.MetricErasures, 1, "outcome", coach.Outcome(err))
	e.cfg.Metrics.Observe(coach.MetricEraseDuration, time.Since(start), "outcome", coach.Outcome(err))
	return res, err
}

func (e *Eraser) erase(ctx context.Context, userID string) (Result, error) {
	subject := e.Subject(userID)
	counts := map[string]int{}
	add := func(kind string, n int) {
		if n > 0 {
			counts[kind] += n
		}
	}
	if err := e.revoke(ctx, userID, subject, add); err != nil {
		return Result{}, err
	}
	if err := e.sweep(ctx, userID, add); err != nil {
		return Result{}, err
	}
	rec := storage.Erasure{ID: coach.NewID(), Subject: subject, ErasedAt: e.cfg.Clock.Now().UTC()}
	err := e.cfg.Store.InTx(ctx, func(tx storage.Tx) error {
		rows, err := tx.Erasures().Erase(ctx, userID)
		if err != nil {
			return err
		}
		for k, n := range rows {
			add(k, n)
		}
		rec.Counts = maps.Clone(counts)
		if len(counts) == 0 {
			// Nothing was left: a record of an earlier erasure stands for this one.
			prev, err := tx.Erasures().BySubject(ctx, subject)
			if err != nil {
				return err
			}
			if len(prev) > 0 {
				rec = prev[len(prev)-1]
				return nil
			}
		}
		return tx.Erasures().Record(ctx, rec)
	})
	if err != nil {
		return Result{}, err
	}
	if err := e.sweep(ctx, userID, add); err != nil {
		return Result{}, err
	}
	e.cfg.Logger.InfoContext(ctx, "privacy: user erased", "subject", subject, "erasureId", rec.ID, "counts", counts)
	return Result{Record: rec, Counts: counts}, nil
}

// revoke revokes the user's connections at their brokers.
func (e *Eraser) revoke(ctx context.Context, userID, subject string, add func(string, int)) error {
	conns, err := e.cfg.Store.Connections().List(ctx, userID)
	if err != nil && coach.ErrorCode(err) != coach.ENOTFOUND {
		return err
	}
	for _, c := range conns {
		if c.Status == coach.ConnectionRevoked && len(c.AccessEnc) == 0 && len(c.RefreshEnc) == 0 {
			continue
		}
		if !e.cfg.Revokers.Revocable(c) {
			add("notRevocable", 1)
			continue
		}
		if err := e.cfg.Revokers.Revoke(ctx, c); err != nil {
			if ce, ok := coach.ContextError(ctx.Err()); ok {
				return ce
			}
			add("revokeFailed", 1)
			e.cfg.Logger.WarnContext(ctx, "privacy: revoking a connection at its broker failed; its tokens are deleted here",
				"subject", subject, "broker", c.Broker, "code", coach.ErrorCode(err), "error", coach.ErrorMessage(err))
			continue
		}
		add("revoked", 1)
	}
	return nil
}

// sweep forgets the user's jobs and deletes their blobs and keys.
func (e *Eraser) sweep(ctx context.Context, userID string, add func(string, int)) error {
	if e.cfg.Jobs != nil {
		n, err := e.cfg.Jobs.ForgetUser(ctx, userID)
		if err != nil {
			return err
		}
		add("jobs", n)
	}
	if e.cfg.Blobs != nil {
		blobs, err := e.cfg.Blobs.List(ctx, storage.UserBlobPrefix(userID))
		if err != nil {
			return err
		}
		for _, b := range blobs {
			if err := e.cfg.Blobs.Delete(ctx, b.Key); err != nil {
				return err
			}
		}
		add("blobs", len(blobs))
	}
	for _, k := range e.cfg.Keys {
		n, err := k.EraseUser(ctx, userID)
		if err != nil {
			return err
		}
		add("keys", n)
	}
	return nil
}
