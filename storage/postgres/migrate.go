package postgres

import (
	"context"
	"embed"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5/stdlib"
	pkgerrors "github.com/pkg/errors"
	"github.com/pressly/goose/v3"
)

// migrations are the schema's versioned migrations, applied in order by goose.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates the store's schema if needed and applies every migration not yet applied, in
// version order; with nothing to apply it changes nothing.
//
// Several processes may call it at once on the same schema. The whole run — creating the schema,
// goose's version table and the migrations — happens while holding a PostgreSQL session advisory
// lock keyed by the schema name, so one migrates while the others wait and then find nothing
// left to do; stores in other schemas migrate independently. Migrate uses connections of its own,
// outside the pool, so it works whatever MaxConns is.
func (db *DB) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return pkgerrors.WithStack(err)
	}
	sqlDB := stdlib.OpenDB(*db.pool.Config().ConnConfig)
	defer sqlDB.Close()
	sqlDB.SetMaxOpenConns(2)

	lockConn, err := sqlDB.Conn(ctx)
	if err != nil {
		return formatError(err)
	}
	defer lockConn.Close()
	key := lockKey("migrate", db.cfg.Schema)
	if _, err := lockConn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return formatError(err)
	}
	defer func() {
		_, _ = lockConn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	}()
	if _, err := lockConn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+db.cfg.Schema); err != nil {
		return formatError(err)
	}

	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys,
		goose.WithTableName(db.cfg.Schema+".goose_db_version"),
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
	)
	if err != nil {
		return pkgerrors.Wrap(err, "postgres: migrate")
	}
	if _, err := p.Up(ctx); err != nil {
		if ctx.Err() != nil || connLost(err) {
			return formatError(err)
		}
		return pkgerrors.Wrap(err, "postgres: migrate")
	}
	return nil
}

// MigrationVersion returns the version of the last migration applied to the schema (0 when
// none is).
func (db *DB) MigrationVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.onConn(ctx, func(q querier) error {
		return q.QueryRow(ctx,
			`SELECT coalesce(max(version_id), 0) FROM `+db.cfg.Schema+`.goose_db_version WHERE is_applied`).Scan(&v)
	})
	return v, formatError(err)
}

// lockKey returns the advisory lock key of a purpose ("migrate", "partitions") in a schema.
func lockKey(purpose, schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("tradecoach:" + purpose + ":" + schema))
	return int64(h.Sum64())
}
