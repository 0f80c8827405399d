package postgres

import (
	"context"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// schemaMarker is how the store's statements name its schema: every table is written
// {schema}.name, and the querier that runs a statement puts the DB's schema in its place. No
// statement depends on search_path, so a DB works on a host's pool (New) and inside a host's
// transaction (InExternalTx) whatever search_path their connections have, and never touches a
// table of the host's that happens to share a name with one of ours.
const schemaMarker = "{schema}"

// sqlCache maps a statement written with schemaMarker to its text for one schema.
type sqlCache struct {
	schema string
	m      sync.Map // string → string
}

// render returns sql with the schema in place of every schemaMarker.
func (c *sqlCache) render(sql string) string {
	if !strings.Contains(sql, schemaMarker) {
		return sql
	}
	if s, ok := c.m.Load(sql); ok {
		return s.(string)
	}
	s := strings.ReplaceAll(sql, schemaMarker, c.schema)
	c.m.Store(sql, s)
	return s
}

// schemaQuerier runs the store's statements on q with their schema filled in.
type schemaQuerier struct {
	q   querier
	sql *sqlCache
}

func (s schemaQuerier) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return s.q.Exec(ctx, s.sql.render(sql), args...)
}

func (s schemaQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return s.q.Query(ctx, s.sql.render(sql), args...)
}

func (s schemaQuerier) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return s.q.QueryRow(ctx, s.sql.render(sql), args...)
}

func (s schemaQuerier) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	for _, qq := range b.QueuedQueries {
		qq.SQL = s.sql.render(qq.SQL)
	}
	return s.q.SendBatch(ctx, b)
}

// CopyFrom copies into table, whose first part, when it is schemaMarker, names the DB's schema.
func (s schemaQuerier) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if len(table) > 1 && table[0] == schemaMarker {
		table = append(pgx.Identifier{s.sql.schema}, table[1:]...)
	}
	return s.q.CopyFrom(ctx, table, columns, src)
}

// on returns q with the DB's schema filled into every statement it runs.
func (db *DB) on(q querier) querier { return schemaQuerier{q: q, sql: &db.sql} }
