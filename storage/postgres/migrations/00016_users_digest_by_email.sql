-- The user's opt-in to receive each weekly digest by email (coach.User.DigestByEmail): off for
-- every existing user, so no one gets mail they did not ask for.

-- +goose Up
ALTER TABLE users ADD COLUMN digest_by_email boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE users DROP COLUMN digest_by_email;
