-- Tag revisions (storage.Tags): a bias tag keeps its id across revisions 1, 2, … and a stored
-- revision never changes. bias_tags holds each current tag at its newest revision (so reads stay
-- as they were); bias_tag_revisions holds the revisions before a current tag's newest one and
-- every revision of a withdrawn tag (a label that no longer holds). Both go with their trade and
-- their user.
--
-- features becomes json instead of jsonb: json keeps the document byte for byte, as the scorer
-- wrote it, so that a tag re-scored from its candle snapshot can be compared bit for bit (jsonb
-- reorders keys and adds spaces). Tags stored before keep jsonb's rendering of their features.

-- +goose Up
ALTER TABLE bias_tags
	ALTER COLUMN features TYPE json USING features::json,
	ADD COLUMN revision integer NOT NULL DEFAULT 1 CONSTRAINT bias_tags_revision CHECK (revision >= 1);

CREATE TABLE bias_tag_revisions (
	id         text COLLATE "C" NOT NULL,
	revision   integer NOT NULL CHECK (revision >= 1),
	user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	trade_id   text COLLATE "C" NOT NULL REFERENCES trades (id) ON DELETE CASCADE,
	label      text COLLATE "C" NOT NULL,
	confidence double precision NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
	features   json NOT NULL,
	created_at timestamptz NOT NULL,
	CONSTRAINT bias_tag_revisions_pkey PRIMARY KEY (id, revision)
);
-- The cascades from trades and users.
CREATE INDEX bias_tag_revisions_trade ON bias_tag_revisions (trade_id);
CREATE INDEX bias_tag_revisions_user ON bias_tag_revisions (user_id);

-- +goose Down
DROP TABLE bias_tag_revisions;
ALTER TABLE bias_tags
	DROP COLUMN revision,
	ALTER COLUMN features TYPE jsonb USING features::jsonb;
