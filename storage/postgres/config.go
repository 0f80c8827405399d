package postgres

import (
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tradecoach/coach"
)

// Config configures Open and New. Only URL is required, and only by Open; both fill the other
// fields with their defaults and reject values out of range.
type Config struct {
	// URL is a PostgreSQL connection string, postgres://… or key=value form. Required by Open;
	// New, which is given a pool, ignores it.
	URL string
	// Schema is the PostgreSQL schema that holds every table of the store; Migrate creates it. A
	// lower-case identifier of at most 63 characters. Default "coach".
	Schema string
	// MaxConns caps the connection pool Open makes. Default 10; at least 1. New ignores it.
	MaxConns int32
	// Clock stamps events (their ids and TS), tombstones and defaulted creation times, and tells
	// partition maintenance what "now" is. Default coach.SystemClock.
	Clock coach.Clock
	// PartitionsAhead is how many months of event_outbox partitions after the current one Open
	// and New make ready. 0 means the default, 3; at most 120.
	PartitionsAhead int
	// NoMigrate makes Open and New skip Migrate, for deployments that migrate separately (see
	// Migrations). The schema must then hold the migrated tables already: if it does not exist,
	// or has none of the store's tables, Open and New fail with EINVALID naming it.
	NoMigrate bool
	// ApplicationName is reported to the server (pg_stat_activity) by the connections Open makes,
	// unless URL names an application_name, which wins (an operator tells processes apart by it).
	// Default "tradecoach". New ignores it.
	ApplicationName string
}

// Default configuration values.
const (
	DefaultSchema          = "coach"
	DefaultMaxConns        = 10
	DefaultPartitionsAhead = 3
)

// withDefaults returns c with every unset field given its default.
func (c Config) withDefaults() Config {
	if c.Schema == "" {
		c.Schema = DefaultSchema
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.Clock == nil {
		c.Clock = coach.SystemClock{}
	}
	if c.PartitionsAhead == 0 {
		c.PartitionsAhead = DefaultPartitionsAhead
	}
	if c.ApplicationName == "" {
		c.ApplicationName = "tradecoach"
	}
	return c
}

// Validate reports the first field of c out of range, by its name. Unset fields are checked
// with their defaults.
func (c Config) Validate() error {
	if c.URL == "" {
		return coach.Errorf(coach.EINVALID, "postgres config: URL: required")
	}
	if err := c.validatePoolless(); err != nil {
		return err
	}
	if _, err := pgxpool.ParseConfig(c.URL); err != nil {
		// The parse error may quote the URL, password included: say nothing of it.
		return coach.Errorf(coach.EINVALID, "postgres config: URL: not a valid connection string")
	}
	return nil
}

// validatePoolless checks the fields that matter to New, which is given its pool: all but URL.
func (c Config) validatePoolless() error {
	c = c.withDefaults()
	switch {
	case !validSchema(c.Schema):
		return coach.Errorf(coach.EINVALID, "postgres config: Schema: want 1-63 lower-case letters, digits or '_', not starting with a digit or pg_")
	case c.MaxConns < 1:
		return coach.Errorf(coach.EINVALID, "postgres config: MaxConns: must be at least 1, got %d", c.MaxConns)
	case c.PartitionsAhead < 0 || c.PartitionsAhead > 120:
		return coach.Errorf(coach.EINVALID, "postgres config: PartitionsAhead: want 1 to 120, got %d", c.PartitionsAhead)
	}
	return nil
}

// validSchema reports whether s is a schema name used verbatim in SQL: a plain lower-case
// identifier, so that it never needs quoting, and not one of PostgreSQL's own.
func validSchema(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] >= '0' && s[0] <= '9' || strings.HasPrefix(s, "pg_") || s == "information_schema" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
