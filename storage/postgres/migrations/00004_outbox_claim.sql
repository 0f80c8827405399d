-- The outbox dispatcher's lease (storage.Events.Claim): a dispatcher leases a user's stream in a
-- short transaction, publishes holding no lock, then releases it. The lease lives on the user's
-- event_streams row (not partitioned), so the partitioned event_outbox is left as it is.

-- +goose Up
ALTER TABLE event_streams
	ADD COLUMN claim_owner text COLLATE "C",
	ADD COLUMN claimed_until timestamptz,
	ADD CONSTRAINT event_streams_claim CHECK ((claim_owner IS NULL) = (claimed_until IS NULL));
CREATE INDEX event_streams_claim_owner ON event_streams (claim_owner) WHERE claim_owner IS NOT NULL;

-- +goose Down
DROP INDEX event_streams_claim_owner;
ALTER TABLE event_streams
	DROP CONSTRAINT event_streams_claim,
	DROP COLUMN claimed_until,
	DROP COLUMN claim_owner;
