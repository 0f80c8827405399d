package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier is what a statement runs on: a pooled connection or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// scope is where a repository's statements run: inside an InTx or InExternalTx transaction (tx
// set), or, for the DB's own repositories, each call in a transaction of its own.
type scope struct {
	db *DB
	tx pgx.Tx
	mu sync.Mutex // serializes calls on tx: a pgx connection runs one statement at a time

	// madeParts are the outbox partitions this transaction created: they exist for it, but must
	// not be cached as existing until it commits.
	madeParts map[time.Time]bool
}

// inTx reports whether the scope is an InTx transaction.
func (s *scope) inTx() bool { return s.tx != nil }

// read runs fn, which only reads, and returns its error through formatError. Inside InTx it runs
// on the transaction; otherwise on a pooled connection, and once more on a fresh connection if
// the first one turned out to be dead (a read can always be repeated).
func (s *scope) read(ctx context.Context, fn func(q querier) error) error {
	if s.tx != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		return formatError(fn(s.db.on(s.tx)))
	}
	return formatError(s.db.onConn(ctx, fn))
}

// write runs fn, which writes, and returns its error through formatError. Inside InTx it runs on
// the transaction. Otherwise it runs in a transaction of its own, committed if fn returns nil and
// rolled back if not; if the connection dies before the commit is sent, nothing was written, so
// it runs once more on a fresh connection. A connection lost during the commit is EUNAVAILABLE:
// the write may or may not have happened.
func (s *scope) write(ctx context.Context, fn func(q querier) error) error {
	if s.tx != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		return formatError(fn(s.db.on(s.tx)))
	}
	return formatError(s.db.inOwnTx(ctx, fn))
}

// onConn runs fn on a pooled connection, retrying once on a fresh one when the connection was
// dead. A dead connection suggests that others are too (the server restarted or killed them),
// so the pool's idle connections are dropped first.
func (db *DB) onConn(ctx context.Context, fn func(q querier) error) error {
	if err := db.usable(); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		c, err := db.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		err = fn(db.on(c))
		dead := err != nil && (c.Conn().IsClosed() || connLost(err))
		c.Release()
		if dead && attempt == 0 && ctx.Err() == nil {
			db.pool.Reset()
			continue
		}
		return err
	}
}

// inOwnTx runs fn in a transaction of its own on a pooled connection (see scope.write).
func (db *DB) inOwnTx(ctx context.Context, fn func(q querier) error) error {
	if err := db.usable(); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		c, err := db.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		err = func() error {
			tx, err := c.Begin(ctx)
			if err != nil {
				return err
			}
			if err := fn(db.on(tx)); err != nil {
				rollback(ctx, tx)
				return err
			}
			if err := tx.Commit(ctx); err != nil {
				return commitError{err}
			}
			return nil
		}()
		var ce commitError
		committing := asCommitError(err, &ce)
		dead := err != nil && !committing && (c.Conn().IsClosed() || connLost(err))
		c.Release()
		if committing {
			if connLost(ce.err) {
				db.pool.Reset()
			}
			return ce.err
		}
		if dead && attempt == 0 && ctx.Err() == nil {
			db.pool.Reset()
			continue
		}
		return err
	}
}

// commitError marks an error of the commit itself, after which a retry could write twice.
type commitError struct{ err error }

func (e commitError) Error() string { return e.err.Error() }

func asCommitError(err error, ce *commitError) bool {
	c, ok := err.(commitError)
	if ok {
		*ce = c
	}
	return ok
}
