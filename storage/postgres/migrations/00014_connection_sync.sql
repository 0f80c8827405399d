-- The sync schedule: synced_through is the end of a connection's fills imported without a gap
-- (storage.Syncs.MarkSynced; NULL until its first import), and the scheduler's fan-out pages
-- through the active connections in id order (storage.Syncs.Due) over a partial index of them,
-- so paused and revoked connections cost it nothing.

-- +goose Up
ALTER TABLE broker_connections ADD COLUMN synced_through timestamptz;
CREATE INDEX broker_connections_active_id ON broker_connections (id) WHERE status = 'active';

-- +goose Down
DROP INDEX broker_connections_active_id;
ALTER TABLE broker_connections DROP COLUMN synced_through;
