-- Simulation runs (coach.SimulationRun, storage.SimulationRuns): a what-if simulation a user asked
-- for, with its parameters, status, outcome and times. A run moves queued → running → done or
-- failed; the CHECKs repeat what coach.SimulationRun.Validate requires of each status, so that no
-- other writer stores a run the SDK would refuse. Runs go with their user (ON DELETE CASCADE).

-- +goose Up
CREATE TABLE simulation_runs (
	id            text COLLATE "C" PRIMARY KEY,
	user_id       text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	status        text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
	params        jsonb NOT NULL CHECK (jsonb_typeof(params) = 'object'),
	result        jsonb CHECK (jsonb_typeof(result) = 'object'),
	error_code    text,
	error_message text,
	created_at    timestamptz NOT NULL,
	started_at    timestamptz CHECK (started_at >= created_at),
	finished_at   timestamptz CHECK (finished_at >= started_at),
	CONSTRAINT simulation_runs_started CHECK ((status = 'queued') = (started_at IS NULL)),
	CONSTRAINT simulation_runs_finished CHECK ((status IN ('done', 'failed')) = (finished_at IS NOT NULL)),
	CONSTRAINT simulation_runs_result CHECK ((status = 'done') = (result IS NOT NULL)),
	CONSTRAINT simulation_runs_error CHECK ((status = 'failed') = (error_code IS NOT NULL AND error_message IS NOT NULL)
		AND (error_code IS NULL) = (error_message IS NULL))
);
-- A user's runs newest first (storage.RunPos): the listing and its keyset paging without a sort.
CREATE INDEX simulation_runs_user_created ON simulation_runs (user_id, created_at DESC, id DESC);

-- +goose Down
DROP TABLE simulation_runs;
