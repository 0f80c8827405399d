-- Users by time zone, for storage.Users.List and TimeZones: the weekly digest's hourly fan-out
-- lists the users of the zones whose week has just ended (time_zone = z AND id > after, in id
-- order, one index range per zone), and finds the zones in use by walking this index from one
-- value to the next, so neither reads every user every hour.

-- +goose Up
CREATE INDEX users_time_zone_id ON users (time_zone, id);

-- +goose Down
DROP INDEX users_time_zone_id;
