-- The tradecoach data model (shared/seed, "02 — Data & ERD"), in snake_case columns. Every table
-- lives in the store's schema (the search_path of the pool); nothing here names a schema.
--
-- Text columns are COLLATE "C" so that ordering and keyset comparisons are byte order, the order
-- Go's string comparison gives (TradePos.Less, ULID and cuid order). Money and quantities are
-- unconstrained numeric (the domain bounds them to 38 digits, exponent within ±30). Rows of a
-- user go when the user goes (ON DELETE CASCADE).

-- +goose Up
CREATE TABLE users (
	id            text COLLATE "C" PRIMARY KEY,
	email         text COLLATE "C" NOT NULL UNIQUE,
	password_hash text NOT NULL DEFAULT '',
	created_at    timestamptz NOT NULL,
	time_zone     text NOT NULL DEFAULT ''
);

CREATE TABLE sessions (
	id         text COLLATE "C" PRIMARY KEY,
	user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
	ip_hash    text NOT NULL,
	ua_hash    text,
	token_hash text COLLATE "C" NOT NULL UNIQUE
);
CREATE INDEX sessions_user_created ON sessions (user_id, created_at DESC);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE broker_connections (
	id          text COLLATE "C" PRIMARY KEY,
	user_id     text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	broker      text COLLATE "C" NOT NULL,
	status      text NOT NULL CHECK (status IN ('active', 'paused', 'revoked')),
	access_enc  bytea,
	refresh_enc bytea,
	scope       text NOT NULL DEFAULT '',
	expires_at  timestamptz,
	created_at  timestamptz NOT NULL,
	label       text NOT NULL DEFAULT ''
);
CREATE INDEX broker_connections_user_created ON broker_connections (user_id, created_at);

CREATE TABLE trades (
	id            text COLLATE "C" PRIMARY KEY,
	user_id       text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	broker        text COLLATE "C" NOT NULL,
	ext_id        text COLLATE "C" NOT NULL,
	symbol        text COLLATE "C" NOT NULL,
	side          text NOT NULL CHECK (side IN ('BUY', 'SELL')),
	qty           numeric NOT NULL CHECK (qty > 0),
	price         numeric NOT NULL CHECK (price > 0),
	fee           numeric CHECK (fee >= 0),
	fee_asset     text COLLATE "C" NOT NULL DEFAULT '',
	ts            timestamptz NOT NULL,
	connection_id text COLLATE "C",
	CONSTRAINT trades_user_broker_ext_id UNIQUE (user_id, broker, ext_id)
);
-- Trade(userId, ts), extended by (broker, ext_id): the index serves the trade order (TradePos) and
-- keyset paging without a sort.
CREATE INDEX trades_user_ts ON trades (user_id, ts, broker, ext_id);
CREATE INDEX trades_symbol ON trades (symbol);

-- A trade the user deleted, remembered so that a later import does not revive it.
CREATE TABLE trade_tombstones (
	user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	broker     text COLLATE "C" NOT NULL,
	ext_id     text COLLATE "C" NOT NULL,
	deleted_at timestamptz NOT NULL,
	PRIMARY KEY (user_id, broker, ext_id)
);

CREATE TABLE bias_tags (
	id         text COLLATE "C" PRIMARY KEY,
	user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	trade_id   text COLLATE "C" NOT NULL REFERENCES trades (id) ON DELETE CASCADE,
	label      text COLLATE "C" NOT NULL,
	confidence double precision NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
	features   jsonb NOT NULL,
	created_at timestamptz NOT NULL,
	-- Also the BiasTag(tradeId) index: trade_id leads it.
	CONSTRAINT bias_tags_trade_label UNIQUE (trade_id, label)
);
CREATE INDEX bias_tags_user ON bias_tags (user_id);

CREATE TABLE rules (
	id         text COLLATE "C" PRIMARY KEY,
	user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind       text COLLATE "C" NOT NULL,
	params     jsonb NOT NULL,
	active     boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL
);
CREATE INDEX rules_user_created ON rules (user_id, created_at);

CREATE TABLE digests (
	id           text COLLATE "C" PRIMARY KEY,
	user_id      text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	period_start date NOT NULL,
	period_end   date NOT NULL CHECK (period_end >= period_start),
	payload      jsonb NOT NULL,
	delivered_at timestamptz,
	created_at   timestamptz NOT NULL,
	CONSTRAINT digests_user_period_start UNIQUE (user_id, period_start)
);
CREATE INDEX digests_user_period_end ON digests (user_id, period_end);
CREATE INDEX digests_period_end ON digests (period_end);

CREATE TABLE audit (
	id         text COLLATE "C" PRIMARY KEY,
	user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	action     text COLLATE "C" NOT NULL,
	meta       jsonb,
	created_at timestamptz NOT NULL
);
CREATE INDEX audit_user_created ON audit (user_id, created_at DESC);

-- The event outbox, partitioned by month of ts (UTC bounds). The partitions are made by the
-- store (EnsurePartitions), named event_outbox_pYYYYMM, and dropped after retention.
CREATE TABLE event_outbox (
	id           text COLLATE "C" NOT NULL,
	user_id      text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	type         text COLLATE "C" NOT NULL,
	v            smallint NOT NULL CHECK (v >= 1),
	ts           timestamptz NOT NULL,
	payload      jsonb NOT NULL,
	delivered_at timestamptz,
	PRIMARY KEY (id, ts)
) PARTITION BY RANGE (ts);
-- EventOutbox(userId, ts), extended by id: replay (Since) reads it in id order without a sort.
CREATE INDEX event_outbox_user_ts ON event_outbox (user_id, ts, id);
-- The dispatcher's queue: only undelivered rows, oldest first.
CREATE INDEX event_outbox_undelivered ON event_outbox (ts, id) WHERE delivered_at IS NULL;

-- A user's event stream: the last id issued. Append locks the row for the rest of its
-- transaction, which orders a user's ids by commit.
CREATE TABLE event_streams (
	user_id text COLLATE "C" PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	last_id text COLLATE "C" NOT NULL
);

-- The retention horizon: events with ts before it may have been pruned. One row at most.
CREATE TABLE event_retention (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	horizon   timestamptz NOT NULL
);

CREATE TABLE checkpoints (
	user_id       text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	connection_id text COLLATE "C" NOT NULL,
	scope         text COLLATE "C" NOT NULL,
	value         text NOT NULL,
	updated_at    timestamptz NOT NULL,
	PRIMARY KEY (user_id, connection_id, scope)
);

-- Market data belongs to no user.
CREATE TABLE candles (
	symbol     text COLLATE "C" NOT NULL,
	"interval" text COLLATE "C" NOT NULL,
	open_time  timestamptz NOT NULL,
	open       double precision NOT NULL,
	high       double precision NOT NULL,
	low        double precision NOT NULL,
	close      double precision NOT NULL,
	volume     double precision NOT NULL,
	PRIMARY KEY (symbol, "interval", open_time)
);

CREATE TABLE dead_letters (
	id        text COLLATE "C" PRIMARY KEY,
	queue     text COLLATE "C" NOT NULL,
	task_type text NOT NULL,
	task_id   text NOT NULL,
	payload   bytea,
	error     text NOT NULL,
	attempts  integer NOT NULL,
	failed_at timestamptz NOT NULL
);
CREATE INDEX dead_letters_queue_failed ON dead_letters (queue, failed_at DESC);
CREATE INDEX dead_letters_failed ON dead_letters (failed_at DESC);

-- +goose Down
DROP TABLE dead_letters;
DROP TABLE candles;
DROP TABLE checkpoints;
DROP TABLE event_retention;
DROP TABLE event_streams;
DROP TABLE event_outbox;
DROP TABLE audit;
DROP TABLE digests;
DROP TABLE rules;
DROP TABLE bias_tags;
DROP TABLE trade_tombstones;
DROP TABLE trades;
DROP TABLE broker_connections;
DROP TABLE sessions;
DROP TABLE users;
