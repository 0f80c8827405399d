package postgres

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// DB is a storage.Store on PostgreSQL. It is safe for concurrent use.
type DB struct {
	repos
	pool    *pgxpool.Pool
	ownPool bool // made by Open, closed by Close; a host's pool given to New is left open
	cfg     Config
	clock   coach.Clock
	sql     sqlCache

	// parts holds the months (as Unix seconds of their first instant) whose event_outbox
	// partition is known to exist, so that Append does not ask the catalog every time.
	parts  sync.Map
	closed atomic.Bool

	// copyThreshold is the Upsert batch size from which trades go through COPY.
	copyThreshold int
}

var _ storage.Store = (*DB)(nil)

// Open connects to the server of cfg.URL with a pool of at most cfg.MaxConns connections whose
// search_path is cfg.Schema and whose time zone is UTC, migrates the schema (unless
// cfg.NoMigrate) and makes the event outbox's partitions for the current month and
// cfg.PartitionsAhead more. An invalid cfg is EINVALID; a server that cannot be reached is
// EUNAVAILABLE. Close closes the pool.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	pc, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, coach.Errorf(coach.EINVALID, "postgres config: URL: not a valid connection string")
	}
	pc.MaxConns = cfg.MaxConns
	pc.MinConns = 0
	pc.MaxConnIdleTime = 5 * time.Minute
	rp := pc.ConnConfig.RuntimeParams
	rp["search_path"] = cfg.Schema
	rp["timezone"] = "UTC"
	if rp["application_name"] == "" {
		rp["application_name"] = cfg.ApplicationName
	}
	// Session settings, not server ones: no JIT compilation for these short statements, and room
	// for a bulk import's temporary table in memory.
	rp["jit"] = "off"
	rp["temp_buffers"] = "32MB"
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, formatError(err)
	}
	db, err := start(ctx, pool, true, cfg)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// New returns a DB on pool, a pool the host made and keeps owning: Close leaves it open. It
// migrates cfg.Schema (unless cfg.NoMigrate) and makes the event outbox's partitions, as Open
// does; cfg.URL, cfg.MaxConns and cfg.ApplicationName are Open's and are ignored.
//
// The pool's connections may have any search_path and time zone: every statement of the DB names
// its schema, so the host's own tables, in whatever schema, are never read or written, even when
// they share a name with ours ("users"). Open's session tuning (jit off, a larger temp_buffers for
// bulk imports) is the host's to choose. Use InExternalTx to write through the DB inside a
// transaction of the host's. An invalid cfg, or a nil pool, is EINVALID; a server that cannot be
// reached is EUNAVAILABLE.
func New(ctx context.Context, pool *pgxpool.Pool, cfg Config) (*DB, error) {
	if pool == nil {
		return nil, coach.Errorf(coach.EINVALID, "postgres: New: pool: required")
	}
	if err := cfg.validatePoolless(); err != nil {
		return nil, err
	}
	return start(ctx, pool, false, cfg.withDefaults())
}

// start makes the DB of Open and New on pool: it checks the server answers, migrates (or, with
// NoMigrate, checks the schema is there) and makes the outbox partitions. It never closes pool.
func start(ctx context.Context, pool *pgxpool.Pool, own bool, cfg Config) (*DB, error) {
	db := &DB{pool: pool, ownPool: own, cfg: cfg, clock: cfg.Clock, sql: sqlCache{schema: cfg.Schema}, copyThreshold: defaultCopyThreshold}
	db.repos = repos{s: &scope{db: db}}
	if err := db.onConn(ctx, func(q querier) error {
		_, err := q.Exec(ctx, "SELECT 1")
		return err
	}); err != nil {
		return nil, formatError(err)
	}
	if cfg.NoMigrate {
		if err := db.checkSchema(ctx); err != nil {
			return nil, err
		}
	} else if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	if err := db.EnsurePartitions(ctx, db.clock.Now(), cfg.PartitionsAhead); err != nil {
		return nil, err
	}
	return db, nil
}

// Schema returns the PostgreSQL schema that holds the store's tables.
func (db *DB) Schema() string { return db.cfg.Schema }

// Pool returns the underlying connection pool, for tests and maintenance that need raw SQL: the
// one Open made, whose connections have the store's schema as search_path, or the host's pool
// given to New.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Ping checks that the server answers a statement, as a readiness check asks. Like every call of
// the DB it retries once, on a fresh connection, when the pooled one it took had been ended by
// the server (a restart, a failover, pg_terminate_backend), so connections that died while idle
// do not fail it; a server that does not answer does (EUNAVAILABLE). EUNAVAILABLE after Close.
func (db *DB) Ping(ctx context.Context) error {
	return formatError(db.onConn(ctx, func(q querier) error {
		_, err := q.Exec(ctx, "SELECT 1")
		return err
	}))
}

// Close makes the DB unusable — later calls are EUNAVAILABLE — and, if Open made the pool,
// closes it, waiting for connections in use to be released. A host's pool given to New stays
// open for the host. Closing twice is harmless.
func (db *DB) Close() error {
	if db.closed.CompareAndSwap(false, true) && db.ownPool {
		db.pool.Close()
	}
	return nil
}

// usable returns EUNAVAILABLE once the DB is closed.
func (db *DB) usable() error {
	if db.closed.Load() {
		return coach.Errorf(coach.EUNAVAILABLE, "postgres: store closed")
	}
	return nil
}

// InTx runs fn in one transaction (see storage.Store). If the connection turns out to be dead
// when the transaction begins, InTx begins it again on a fresh one; once fn has started, an error
// is fn's own to handle. fn must not use tx from several goroutines at once in a way that needs
// ordering between them; calls through tx are serialized.
func (db *DB) InTx(ctx context.Context, fn func(tx storage.Tx) error) error {
	if err := db.usable(); err != nil {
		return err
	}
	var tx pgx.Tx
	for attempt := 0; ; attempt++ {
		var err error
		tx, err = db.pool.Begin(ctx)
		if err == nil {
			break
		}
		if attempt == 0 && ctx.Err() == nil && connLost(err) {
			db.pool.Reset()
			continue
		}
		return formatError(err)
	}
	done := false
	defer func() {
		if !done {
			// fn panicked: undo everything, then let the panic go on.
			rollback(ctx, tx)
		}
	}()
	sc := &scope{db: db, tx: tx}
	if err := fn(repos{s: sc}); err != nil {
		done = true
		rollback(ctx, tx)
		return err
	}
	done = true
	if err := tx.Commit(ctx); err != nil {
		return formatError(err)
	}
	return nil
}

// rollback ends tx without keeping anything, even when ctx is already cancelled.
func rollback(ctx context.Context, tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = tx.Rollback(ctx) // a failed rollback closes the connection, which also rolls back
}

// repos gives the repositories bound to one scope: the DB's own (each call a transaction of its
// own) or an InTx transaction's.
type repos struct{ s *scope }

// Users returns the user repository.
func (r repos) Users() storage.Users { return users(r) }

// Sessions returns the session repository.
func (r repos) Sessions() storage.Sessions { return sessions(r) }

// Connections returns the broker connection repository.
func (r repos) Connections() storage.Connections { return connections(r) }

// Trades returns the trade repository.
func (r repos) Trades() storage.Trades { return trades(r) }

// Tags returns the bias tag repository.
func (r repos) Tags() storage.Tags { return tags(r) }

// Disputes returns the repository of the trader's disputes of bias labels.
func (r repos) Disputes() storage.Disputes { return disputes(r) }

// Notes returns the repository of the trader's notes on trades.
func (r repos) Notes() storage.Notes { return notes(r) }

// Rules returns the rule repository.
func (r repos) Rules() storage.Rules { return rules(r) }

// Digests returns the digest repository.
func (r repos) Digests() storage.Digests { return digests(r) }

// Audit returns the audit log.
func (r repos) Audit() storage.AuditLog { return auditLog(r) }

// Events returns the event outbox.
func (r repos) Events() storage.Events { return events(r) }

// Checkpoints returns the importer checkpoints.
func (r repos) Checkpoints() storage.Checkpoints { return checkpoints(r) }

// Candles returns the candle cache.
func (r repos) Candles() storage.Candles { return candles(r) }

// DeadLetters returns the dead letter store.
func (r repos) DeadLetters() storage.DeadLetters { return deadLetters(r) }
