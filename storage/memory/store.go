package memory

import (
	"context"
	"sync"
	"time"

	"github.com/pkg/errors"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// Store is a storage.Store in process memory. It is safe for concurrent use.
//
// Transactions are serialized: InTx holds a store-wide write lock for the whole transaction and
// keeps an undo log, so a transaction that fails or panics leaves no trace and readers outside it
// see only committed data. A call made through the Store itself is its own transaction. fn must
// use only its Tx: a call through the Store from inside InTx waits for the transaction to end,
// which never happens.
type Store struct {
	clock coach.Clock

	mu     sync.RWMutex
	closed bool
	d      *data
}

var _ storage.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*Store)

// WithClock makes the store read the time from c: event ids and timestamps, and the CreatedAt of
// rows stored without one. The default is coach.SystemClock{}.
func WithClock(c coach.Clock) Option {
	return func(s *Store) { s.clock = clockOrSystem(c) }
}

// New returns an empty Store.
func New(opts ...Option) *Store {
	s := &Store{clock: coach.SystemClock{}, d: newData()}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Close makes the store unusable: every later call fails with EINTERNAL. It waits for a running
// transaction to end.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.d = newData()
	return nil
}

// InTx runs fn in one transaction, rolling back everything fn wrote through tx if fn returns an
// error or panics (the panic then continues). If ctx is done when fn returns nil, the
// transaction rolls back and InTx returns ECANCELED wrapping the context's error, like a
// database whose commit fails.
func (s *Store) InTx(ctx context.Context, fn func(tx storage.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errClosed()
	}
	t := &txState{}
	committed := false
	defer func() {
		t.mu.Lock()
		t.done = true
		if !committed {
			t.undo.rollback()
		}
		t.undo = nil
		t.mu.Unlock()
		s.mu.Unlock()
	}()
	if err := fn(repos{s: s, tx: t}); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	committed = true
	return nil
}

func errClosed() error { return errors.New("memory: store is closed") }

func errTxDone() error {
	return errors.New("memory: transaction already ended; use the Tx only inside InTx's fn")
}

// txState is one running transaction. Its mutex serializes the calls of goroutines that share
// the Tx, and done turns away calls made after InTx returned.
type txState struct {
	mu   sync.Mutex
	done bool
	undo undoLog
}

// undoLog holds the inverse of every change made so far, oldest first.
type undoLog []func()

// add records how to revert a change just made.
func (u *undoLog) add(f func()) { *u = append(*u, f) }

// rollback reverts every recorded change, newest first.
func (u undoLog) rollback() {
	for i := len(u) - 1; i >= 0; i-- {
		u[i]()
	}
}

// repos is the storage.Tx of the Store itself (tx nil: every call is its own transaction) or of
// one transaction.
type repos struct {
	s  *Store
	tx *txState
}

// read runs fn over the committed data, or over the transaction's data inside InTx.
func (r repos) read(ctx context.Context, fn func(d *data) error) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	if r.tx != nil {
		r.tx.mu.Lock()
		defer r.tx.mu.Unlock()
		if r.tx.done {
			return errTxDone()
		}
		return fn(r.s.d)
	}
	r.s.mu.RLock()
	defer r.s.mu.RUnlock()
	if r.s.closed {
		return errClosed()
	}
	return fn(r.s.d)
}

// write runs fn as one atomic change: if fn fails or panics, what it did is reverted at once
// (even inside a transaction that goes on); otherwise its undo entries join the transaction's.
func (r repos) write(ctx context.Context, fn func(d *data, u *undoLog) error) error {
	if err := ctx.Err(); err != nil {
		return ctxError(err)
	}
	if r.tx != nil {
		r.tx.mu.Lock()
		defer r.tx.mu.Unlock()
		if r.tx.done {
			return errTxDone()
		}
	} else {
		r.s.mu.Lock()
		defer r.s.mu.Unlock()
		if r.s.closed {
			return errClosed()
		}
	}
	var u undoLog
	ok := false
	defer func() {
		if !ok {
			u.rollback()
		}
	}()
	if err := fn(r.s.d, &u); err != nil {
		return err
	}
	ok = true
	if r.tx != nil {
		r.tx.undo = append(r.tx.undo, u...)
	}
	return nil
}

func (r repos) now() time.Time { return r.s.clock.Now().UTC() }

// Users returns the user repository.
func (r repos) Users() storage.Users { return users{r} }

// Sessions returns the session repository.
func (r repos) Sessions() storage.Sessions { return sessions{r} }

// Connections returns the broker connection repository.
func (r repos) Connections() storage.Connections { return connections{r} }

// Trades returns the trade repository.
func (r repos) Trades() storage.Trades { return trades{r} }

// Tags returns the bias tag repository.
func (r repos) Tags() storage.Tags { return tags{r} }

// Disputes returns the repository of the trader's disputes of bias labels.
func (r repos) Disputes() storage.Disputes { return disputes{r} }

// Notes returns the repository of the trader's notes on trades.
func (r repos) Notes() storage.Notes { return notes{r} }

// Questions returns the repository of the trader's questions to the coach.
func (r repos) Questions() storage.Questions { return questions{r} }

// Rules returns the rule repository.
func (r repos) Rules() storage.Rules { return rules{r} }

// Digests returns the digest repository.
func (r repos) Digests() storage.Digests { return digests{r} }

// Audit returns the audit log.
func (r repos) Audit() storage.AuditLog { return auditLog{r} }

// Events returns the event outbox.
func (r repos) Events() storage.Events { return events{r} }

// Checkpoints returns the importer checkpoints.
func (r repos) Checkpoints() storage.Checkpoints { return checkpoints{r} }

// Candles returns the candle cache.
func (r repos) Candles() storage.Candles { return candles{r} }

// DeadLetters returns the dead-letter store.
func (r repos) DeadLetters() storage.DeadLetters { return deadLetters{r} }

// SimulationRuns returns the simulation run repository.
func (r repos) SimulationRuns() storage.SimulationRuns { return simulationRuns{r} }

// Exports returns the export repository.
func (r repos) Exports() storage.Exports { return exports{r} }

// Syncs returns when each connection was last imported.
func (r repos) Syncs() storage.Syncs { return syncs{r} }

// Webhooks returns the webhook endpoints and deliveries.
func (r repos) Webhooks() storage.Webhooks { return webhooks{r} }

// The Store's own repositories: each call is its own transaction.

// Users returns the user repository; each call is its own transaction.
func (s *Store) Users() storage.Users { return repos{s: s}.Users() }

// Sessions returns the session repository; each call is its own transaction.
func (s *Store) Sessions() storage.Sessions { return repos{s: s}.Sessions() }

// Connections returns the broker connection repository; each call is its own transaction.
func (s *Store) Connections() storage.Connections { return repos{s: s}.Connections() }

// Trades returns the trade repository; each call is its own transaction.
func (s *Store) Trades() storage.Trades { return repos{s: s}.Trades() }

// Tags returns the bias tag repository; each call is its own transaction.
func (s *Store) Tags() storage.Tags { return repos{s: s}.Tags() }

// Disputes returns the dispute repository; each call is its own transaction.
func (s *Store) Disputes() storage.Disputes { return repos{s: s}.Disputes() }

// Notes returns the trade note repository; each call is its own transaction.
func (s *Store) Notes() storage.Notes { return repos{s: s}.Notes() }

// Questions returns the repository of the trader's questions to the coach.
func (s *Store) Questions() storage.Questions { return repos{s: s}.Questions() }

// Rules returns the rule repository; each call is its own transaction.
func (s *Store) Rules() storage.Rules { return repos{s: s}.Rules() }

// Digests returns the digest repository; each call is its own transaction.
func (s *Store) Digests() storage.Digests { return repos{s: s}.Digests() }

// Audit returns the audit log; each call is its own transaction.
func (s *Store) Audit() storage.AuditLog { return repos{s: s}.Audit() }

// Events returns the event outbox; each call is its own transaction.
func (s *Store) Events() storage.Events { return repos{s: s}.Events() }

// Checkpoints returns the importer checkpoints; each call is its own transaction.
func (s *Store) Checkpoints() storage.Checkpoints { return repos{s: s}.Checkpoints() }

// Candles returns the candle cache; each call is its own transaction.
func (s *Store) Candles() storage.Candles { return repos{s: s}.Candles() }

// DeadLetters returns the dead-letter store; each call is its own transaction.
func (s *Store) DeadLetters() storage.DeadLetters { return repos{s: s}.DeadLetters() }

// SimulationRuns returns the simulation run repository; each call is its own transaction.
func (s *Store) SimulationRuns() storage.SimulationRuns { return repos{s: s}.SimulationRuns() }

// Exports returns the export repository; each call is its own transaction.
func (s *Store) Exports() storage.Exports { return repos{s: s}.Exports() }

// Syncs returns when each connection was last imported; each call is its own transaction.
func (s *Store) Syncs() storage.Syncs { return repos{s: s}.Syncs() }

// Webhooks returns the webhook endpoints and deliveries; each call is its own transaction.
func (s *Store) Webhooks() storage.Webhooks { return repos{s: s}.Webhooks() }
