-- What the exchange said about a fill (coach.Trade.OrderID, ExchangeTradeID, Liquidity), and the
-- second key that recognises one fill imported from two sources (an exchange's file and its API,
-- whose ext_ids differ): exchange_key, coach.Trade.ExchangeKey() ("SYMBOL SIDE trade-id") taken
-- when the trade is first stored and never updated, '' for a trade without an exchange trade id.
-- (user_id, broker, exchange_key) is unique where exchange_key is set; a tombstone keeps the
-- exchange key too, so a deleted fill stays deleted whichever source brings it back. Existing
-- rows get '' everywhere: they keep being recognised by (broker, ext_id) only. The CHECKs repeat
-- coach.Trade.Validate's ranges so that no other writer stores what the SDK would refuse.

-- +goose Up
ALTER TABLE trades
	ADD COLUMN order_id text COLLATE "C" NOT NULL DEFAULT ''
		CONSTRAINT trades_order_id_check CHECK (octet_length(order_id) <= 128),
	ADD COLUMN exchange_trade_id text COLLATE "C" NOT NULL DEFAULT ''
		CONSTRAINT trades_exchange_trade_id_check CHECK (octet_length(exchange_trade_id) <= 128),
	ADD COLUMN liquidity text NOT NULL DEFAULT ''
		CONSTRAINT trades_liquidity_check CHECK (liquidity IN ('', 'MAKER', 'TAKER')),
	ADD COLUMN exchange_key text COLLATE "C" NOT NULL DEFAULT '',
	ADD CONSTRAINT trades_exchange_key_check CHECK ((exchange_key = '') = (exchange_trade_id = ''));
CREATE UNIQUE INDEX trades_user_broker_exchange_key ON trades (user_id, broker, exchange_key) WHERE exchange_key <> '';

ALTER TABLE trade_tombstones ADD COLUMN exchange_key text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX trade_tombstones_exchange_key ON trade_tombstones (user_id, broker, exchange_key) WHERE exchange_key <> '';

-- +goose Down
DROP INDEX trade_tombstones_exchange_key;
ALTER TABLE trade_tombstones DROP COLUMN exchange_key;
DROP INDEX trades_user_broker_exchange_key;
ALTER TABLE trades
	DROP CONSTRAINT trades_exchange_key_check,
	DROP COLUMN exchange_key,
	DROP COLUMN liquidity,
	DROP COLUMN exchange_trade_id,
	DROP COLUMN order_id;
