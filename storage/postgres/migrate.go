package postgres

import (
	"context"
	"embed"
	"errors"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	pkgerrors "github.com/pkg/errors"
	"github.com/pressly/goose/v3"
	"github.com/tradecoach/coach"
)

// migrations are the schema's versioned migrations, applied in order by goose.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the store's schema migrations: goose SQL files named NNNNN_name.sql, applied
// in version order, each with its "-- +goose Up" and "-- +goose Down" sections. The files name no
// schema: apply them with search_path set to the store's schema (Migrate does), using goose or a
// migration tool of the host's that understands goose's annotations.
func Migrations() fs.FS {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the directory is embedded: it is always there
	}
	return fsys
}

// Migrate creates schema if needed and applies every migration of Migrations not yet applied to
// it, on the database of pool, in version order, recording them in schema.goose_db_version; with
// nothing to apply it changes nothing. It is what Open and New run unless Config.NoMigrate, for
// hosts that migrate at a time of their choosing. schema follows Config.Schema's rules (EINVALID
// otherwise).
//
// Several processes may call it at once on the same schema. The whole run — creating the schema,
// goose's version table and the migrations — happens while holding a PostgreSQL session advisory
// lock keyed by the schema name, so one migrates while the others wait and then find nothing
// left to do; schemas migrate independently. Migrate uses two connections of its own, made with
// pool's connection settings but outside the pool, so it works whatever the pool's size.
func Migrate(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	if pool == nil {
		return coach.Errorf(coach.EINVALID, "postgres: Migrate: pool: required")
	}
	if !validSchema(schema) {
		return coach.Errorf(coach.EINVALID, "postgres: Migrate: schema: want 1-63 lower-case letters, digits or '_', not starting with a digit or pg_")
	}
	cc := pool.Config().ConnConfig // a copy
	if cc.RuntimeParams == nil {
		cc.RuntimeParams = map[string]string{}
	}
	cc.RuntimeParams["search_path"] = schema
	sqlDB := stdlib.OpenDB(*cc)
	defer sqlDB.Close()
	sqlDB.SetMaxOpenConns(2)

	lockConn, err := sqlDB.Conn(ctx)
	if err != nil {
		return formatError(err)
	}
	defer lockConn.Close()
	key := lockKey("migrate", schema)
	if _, err := lockConn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return formatError(err)
	}
	defer func() {
		_, _ = lockConn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	}()
	if _, err := lockConn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
		return formatError(err)
	}

	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, Migrations(),
		goose.WithTableName(schema+".goose_db_version"),
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
	)
	if err != nil {
		return pkgerrors.Wrap(err, "postgres: migrate")
	}
	if _, err := p.Up(ctx); err != nil {
		if ctx.Err() != nil { // goose may not wrap the context's error: say it was the caller's
			return formatError(errors.Join(ctx.Err(), err))
		}
		if connLost(err) {
			return formatError(err)
		}
		return pkgerrors.Wrap(err, "postgres: migrate")
	}
	return nil
}

// Migrate applies the migrations to the DB's schema (see the function Migrate).
func (db *DB) Migrate(ctx context.Context) error { return Migrate(ctx, db.pool, db.cfg.Schema) }

// checkSchema makes sure the DB's schema exists and holds the store's tables, for a DB that does
// not migrate (Config.NoMigrate): without them every call would fail, so New and Open fail
// instead, with an EINVALID that names the schema.
func (db *DB) checkSchema(ctx context.Context) error {
	var schemaExists, tablesExist bool
	err := db.onConn(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1),
			to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL`,
			db.cfg.Schema, db.cfg.Schema+".users", db.cfg.Schema+".event_outbox").Scan(&schemaExists, &tablesExist)
	})
	switch {
	case err != nil:
		return formatError(err)
	case !schemaExists:
		return coach.Errorf(coach.EINVALID, "postgres: schema %q does not exist and NoMigrate is set: run postgres.Migrate (or apply postgres.Migrations) first", db.cfg.Schema)
	case !tablesExist:
		return coach.Errorf(coach.EINVALID, "postgres: schema %q has no tradecoach tables and NoMigrate is set: run postgres.Migrate (or apply postgres.Migrations) first", db.cfg.Schema)
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
	_, _ = h.Write([]byte("tradecoach:" + purpose + ":" + schema)) // a hash.Hash's Write never fails
	return int64(h.Sum64())
}
