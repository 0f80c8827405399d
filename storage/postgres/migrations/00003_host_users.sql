-- Host-owned users: a host application that keeps its own user table stores its users here
-- without their email. email becomes optional (NULL when the user has none here) and stays
-- unique when present, through a partial unique index that keeps the old constraint's name (so a
-- taken email still reads "a user with this email already exists").

-- +goose Up
ALTER TABLE users DROP CONSTRAINT users_email_key;
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
CREATE UNIQUE INDEX users_email_key ON users (email) WHERE email IS NOT NULL;

-- +goose Down
-- Fails while a user without an email exists: they have nothing to put back.
DROP INDEX users_email_key;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
