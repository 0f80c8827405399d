-- The trader's questions to the coach and the checked answers they were shown (coach.Question,
-- storage.Questions). A stored question never changes. evidence_ids are the ids of the evidence
-- facts the answer rests on (chat.Fact.ID), at most 64. Every read is scoped by user_id; the
-- user's erase deletes them by user (erase.go), and the user row's cascade covers any left.

-- +goose Up
CREATE TABLE coach_questions (
	id           text COLLATE "C" PRIMARY KEY,
	user_id      text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	text         text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 1000),
	answer       text NOT NULL CHECK (char_length(answer) BETWEEN 1 AND 2000),
	source       text NOT NULL CHECK (source IN ('model', 'deterministic')),
	evidence_ids text[] NOT NULL DEFAULT '{}' CHECK (cardinality(evidence_ids) <= 64),
	rejected     integer NOT NULL DEFAULT 0 CHECK (rejected BETWEEN 0 AND 100),
	versions     text NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL
);
-- List's keyset order, Recent's (backwards) and CountSince's range.
CREATE INDEX coach_questions_user_created ON coach_questions (user_id, created_at, id);

-- +goose Down
DROP TABLE coach_questions;
