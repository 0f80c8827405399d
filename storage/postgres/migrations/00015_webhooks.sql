-- Outbound webhooks (coach.WebhookEndpoint, coach.WebhookDelivery, storage.Webhooks) and the
-- record of rules broken (storage.Rules.MarkBroken), so that rule.broken is appended once per
-- rule and trade. Secrets are stored sealed (bytea), never in clear. A delivery keeps the exact
-- body sent, so that it can be replayed after the outbox has pruned its event; seq is the order
-- in which an endpoint's deliveries were enqueued, the order in which they are sent. Everything
-- goes with its user (ON DELETE CASCADE, and Erasures.Erase by user); deliveries go with their
-- endpoint.

-- +goose Up
CREATE TABLE webhook_endpoints (
	id              text COLLATE "C" PRIMARY KEY,
	user_id         text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	url             text NOT NULL CHECK (url <> '' AND octet_length(url) <= 2048),
	event_types     text[] NOT NULL DEFAULT '{}',
	enabled         boolean NOT NULL,
	secret_enc      bytea NOT NULL CHECK (octet_length(secret_enc) > 0),
	prev_secret_enc bytea,
	prev_until      timestamptz,
	cursor          text COLLATE "C" NOT NULL DEFAULT '',
	failures        integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
	disabled_reason text NOT NULL DEFAULT '',
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL CHECK (updated_at >= created_at),
	CONSTRAINT webhook_endpoints_prev CHECK ((prev_secret_enc IS NULL) = (prev_until IS NULL)),
	-- A user's endpoint, so that deliveries can reference (user_id, id).
	CONSTRAINT webhook_endpoints_user_id UNIQUE (user_id, id)
);
-- The delivery worker's scan of enabled endpoints in id order.
CREATE INDEX webhook_endpoints_enabled ON webhook_endpoints (id) WHERE enabled;

CREATE TABLE webhook_deliveries (
	id               text COLLATE "C" PRIMARY KEY,
	user_id          text COLLATE "C" NOT NULL,
	endpoint_id      text COLLATE "C" NOT NULL,
	seq              bigint GENERATED ALWAYS AS IDENTITY,
	message_id       text COLLATE "C" NOT NULL,
	event_id         text COLLATE "C" NOT NULL,
	event_type       text NOT NULL,
	body             bytea NOT NULL,
	status           text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
	attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at  timestamptz,
	last_attempt_at  timestamptz,
	response_status  integer NOT NULL DEFAULT 0,
	response_excerpt text NOT NULL DEFAULT '' CHECK (octet_length(response_excerpt) <= 256),
	error            text NOT NULL DEFAULT '',
	created_at       timestamptz NOT NULL,
	delivered_at     timestamptz,
	CONSTRAINT webhook_deliveries_next CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL)),
	CONSTRAINT webhook_deliveries_message UNIQUE (endpoint_id, message_id),
	FOREIGN KEY (user_id, endpoint_id) REFERENCES webhook_endpoints (user_id, id) ON DELETE CASCADE
);
-- An endpoint's pending deliveries in the order enqueued (Pending), and the due scan (Due).
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- A user's deliveries newest first (Deliveries, the export, the erase).
CREATE INDEX webhook_deliveries_user_created ON webhook_deliveries (user_id, created_at DESC, id DESC);

CREATE TABLE rule_breaks (
	user_id   text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	rule_id   text COLLATE "C" NOT NULL,
	trade_id  text COLLATE "C" NOT NULL,
	broken_at timestamptz,
	PRIMARY KEY (user_id, rule_id, trade_id)
);

-- +goose Down
DROP TABLE rule_breaks;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
