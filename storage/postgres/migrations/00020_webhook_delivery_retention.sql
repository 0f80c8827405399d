-- Retention of webhook deliveries (storage.Webhooks.PruneDeliveries): the worker deletes settled
-- deliveries (succeeded or failed, never pending) whose last attempt, or creation when never
-- tried, is older than the retention, oldest first. This index is that scan, so that pruning a
-- day's deliveries reads what it deletes, not the table.

-- +goose Up
CREATE INDEX webhook_deliveries_settled ON webhook_deliveries ((coalesce(last_attempt_at, created_at)), id)
	WHERE status <> 'pending';

-- +goose Down
DROP INDEX webhook_deliveries_settled;
