-- Exports (coach.Export, storage.Exports): a user's request for a copy of everything the SDK holds
-- about them. The archive is a blob (users/{userId}/exports/{id}.zip), never stored here, and no
-- download link is either. An export moves queued → running → done or failed; the CHECKs repeat
-- what coach.Export.Validate requires of each status. Exports go with their user (ON DELETE
-- CASCADE); the retention job finds the expired ones of every user by exports_expires.

-- +goose Up
CREATE TABLE exports (
	id            text COLLATE "C" PRIMARY KEY,
	user_id       text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	status        text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
	requested_at  timestamptz NOT NULL,
	started_at    timestamptz CHECK (started_at >= requested_at),
	finished_at   timestamptz CHECK (finished_at >= started_at),
	expires_at    timestamptz CHECK (expires_at >= finished_at),
	size          bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
	sha256        text NOT NULL DEFAULT '' CHECK (sha256 = '' OR sha256 ~ '^[0-9a-f]{64}$'),
	error_code    text,
	error_message text,
	CONSTRAINT exports_started CHECK ((status = 'queued') = (started_at IS NULL)),
	CONSTRAINT exports_finished CHECK ((status IN ('done', 'failed')) = (finished_at IS NOT NULL AND expires_at IS NOT NULL)
		AND (finished_at IS NULL) = (expires_at IS NULL)),
	CONSTRAINT exports_archive CHECK ((status = 'done') = (sha256 <> '') AND (status = 'done' OR size = 0)),
	CONSTRAINT exports_error CHECK ((status = 'failed') = (error_code IS NOT NULL AND error_message IS NOT NULL)
		AND (error_code IS NULL) = (error_message IS NULL))
);
-- A user's exports newest first: the listing without a sort.
CREATE INDEX exports_user_requested ON exports (user_id, requested_at DESC, id DESC);
-- The retention job's scan of expired exports, earliest first.
CREATE INDEX exports_expires ON exports (expires_at, id) WHERE expires_at IS NOT NULL;

-- An export pages through a user's whole audit log in (created_at, id) order (AuditLog.Since).
CREATE INDEX audit_user_created_id ON audit (user_id, created_at, id);

-- +goose Down
DROP INDEX audit_user_created_id;
DROP TABLE exports;
