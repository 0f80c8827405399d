-- The trader answering back (coach.TagDispute, coach.TradeNote): disputes of bias labels and
-- notes on trades.
--
-- A dispute is about a label on a trade, UNIQUE (trade_id, label), not about one bias_tags row:
-- tags are deleted and written again when a trade is re-scored (a new revision of the label), and
-- the dispute must stay. So tag_id and tag_revision (the tag and revision the trader disputed) are
-- plain columns, not a foreign key, and a dispute is joined to its tag by (trade_id, label). Both tables reference the trade
-- with ON DELETE CASCADE: a deleted trade (tombstoned) takes its disputes and notes with it, and
-- a deleted user everything (through the trade, and through user_id). The trade's owner is
-- checked by the statements that write (user_id = the trade's user_id); every read is scoped by
-- user_id.

-- +goose Up
CREATE TABLE tag_disputes (
	id                       text COLLATE "C" PRIMARY KEY,
	user_id                  text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	trade_id                 text COLLATE "C" NOT NULL REFERENCES trades (id) ON DELETE CASCADE,
	label                    text COLLATE "C" NOT NULL,
	tag_id                   text COLLATE "C" NOT NULL,
	tag_revision             integer NOT NULL CHECK (tag_revision >= 1),
	reason                   text NOT NULL CHECK (reason IN ('plan', 'data', 'other')),
	note                     text NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
	exclude_from_attribution boolean NOT NULL DEFAULT false,
	created_at               timestamptz NOT NULL,
	updated_at               timestamptz NOT NULL CHECK (updated_at >= created_at),
	-- Also the index of ByTrades and of the join with bias_tags: trade_id leads it.
	CONSTRAINT tag_disputes_trade_label UNIQUE (trade_id, label)
);
-- List's keyset order.
CREATE INDEX tag_disputes_user_created ON tag_disputes (user_id, created_at, id);

CREATE TABLE trade_notes (
	id         text COLLATE "C" PRIMARY KEY,
	user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	trade_id   text COLLATE "C" NOT NULL REFERENCES trades (id) ON DELETE CASCADE,
	text       text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000),
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL CHECK (updated_at >= created_at)
);
CREATE INDEX trade_notes_user_created ON trade_notes (user_id, created_at, id);
CREATE INDEX trade_notes_trade_created ON trade_notes (trade_id, created_at, id);

-- +goose Down
DROP TABLE trade_notes;
DROP TABLE tag_disputes;
