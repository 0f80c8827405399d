-- A connection that is not revoked holds its sealed access token (the seed's ERD makes only
-- refreshEnc nullable). A revoked connection may drop both tokens, so that they can be
-- hard-deleted while the connection row stays for its history.
-- +goose Up
ALTER TABLE broker_connections
	ADD CONSTRAINT broker_connections_access_enc
	CHECK (status = 'revoked' OR access_enc IS NOT NULL);

-- +goose Down
ALTER TABLE broker_connections DROP CONSTRAINT broker_connections_access_enc;
