-- The user's reporting currency (coach.User.ReportingCurrency): the currency P/L, fees and equity
-- are reported in beside the per-quote figures. '' means the default, USD; a set value is an
-- upper-case asset code of 2 to 10 characters (coach.ValidCurrency), which the CHECK repeats so
-- that no other writer stores what the SDK would refuse.

-- +goose Up
ALTER TABLE users ADD COLUMN reporting_currency text NOT NULL DEFAULT ''
	CONSTRAINT users_reporting_currency_check CHECK (reporting_currency = '' OR reporting_currency ~ '^[A-Z0-9]{2,10}$');

-- +goose Down
ALTER TABLE users DROP COLUMN reporting_currency;
