-- Erasing a user everywhere (privacy.Eraser, storage.Erasures and storage.DataKeys).
--
-- data_keys: each user's data-encryption key, wrapped by a key-encryption key (broker/seal): it
-- was kept in memory only, so a restart lost it; here it is kept, and erased with the user.
-- dead_letters.user_id: the user a dead-lettered job is about (from its payload), so that erasing
-- the user finds and deletes them; dead letters have no foreign key (a job may outlive its user).
-- erasures: the pseudonymized record of each erasure (a keyed hash of the user id, when, and the
-- counts removed), in a table of its own with no reference to users, so that it survives the
-- user (audit rows go with the user).
--
-- The rows that hang off a trade (bias_tags, bias_tag_revisions, tag_disputes, trade_notes) lose
-- their foreign key to trades: with it, deleting a user's 100,000 trades ran 4 × 100,000
-- row-by-row cascade triggers (6.3 s of the erasure, EXPLAIN ANALYZE); without it, Erase deletes
-- each table by user_id in one statement each. Their foreign keys to users stay (a user's rows
-- still go with the user). What the trade foreign key did is now done by the statements:
-- Trades.Delete deletes the trade's tags, revisions, disputes and notes in the same transaction,
-- and every writer of those rows locks the trade (FOR KEY SHARE) as the foreign key's check did,
-- so a trade deleted concurrently leaves no row behind.

-- +goose Up
CREATE TABLE data_keys (
	id         text COLLATE "C" PRIMARY KEY,
	user_id    text COLLATE "C" NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
	kek_id     text NOT NULL CHECK (octet_length(kek_id) BETWEEN 1 AND 255),
	wrapped    bytea NOT NULL CHECK (octet_length(wrapped) BETWEEN 1 AND 4096),
	created_at timestamptz NOT NULL
);

ALTER TABLE dead_letters ADD COLUMN user_id text COLLATE "C";
CREATE INDEX dead_letters_user ON dead_letters (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE erasures (
	id        text COLLATE "C" PRIMARY KEY,
	subject   text COLLATE "C" NOT NULL CHECK (octet_length(subject) BETWEEN 1 AND 128),
	erased_at timestamptz NOT NULL,
	counts    jsonb NOT NULL CHECK (jsonb_typeof(counts) = 'object')
);
CREATE INDEX erasures_subject ON erasures (subject, erased_at);

ALTER TABLE bias_tags DROP CONSTRAINT bias_tags_trade_id_fkey;
ALTER TABLE bias_tag_revisions DROP CONSTRAINT bias_tag_revisions_trade_id_fkey;
ALTER TABLE tag_disputes DROP CONSTRAINT tag_disputes_trade_id_fkey;
ALTER TABLE trade_notes DROP CONSTRAINT trade_notes_trade_id_fkey;

-- +goose Down
ALTER TABLE trade_notes ADD CONSTRAINT trade_notes_trade_id_fkey FOREIGN KEY (trade_id) REFERENCES trades (id) ON DELETE CASCADE;
ALTER TABLE tag_disputes ADD CONSTRAINT tag_disputes_trade_id_fkey FOREIGN KEY (trade_id) REFERENCES trades (id) ON DELETE CASCADE;
ALTER TABLE bias_tag_revisions ADD CONSTRAINT bias_tag_revisions_trade_id_fkey FOREIGN KEY (trade_id) REFERENCES trades (id) ON DELETE CASCADE;
ALTER TABLE bias_tags ADD CONSTRAINT bias_tags_trade_id_fkey FOREIGN KEY (trade_id) REFERENCES trades (id) ON DELETE CASCADE;
DROP TABLE erasures;
DROP INDEX dead_letters_user;
ALTER TABLE dead_letters DROP COLUMN user_id;
DROP TABLE data_keys;
