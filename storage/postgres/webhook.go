package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// webhooks is storage.Webhooks over webhook_endpoints and webhook_deliveries (migration 00015).
// Enqueue's cursor move is a compare-and-set UPDATE, so of two fan-outs of the same events the
// second finds the cursor moved and stores nothing.
type webhooks struct{ s *scope }

// Webhooks returns the webhook endpoints and deliveries.
func (r repos) Webhooks() storage.Webhooks { return webhooks(r) }

const endpointCols = `id, user_id, url, event_types, enabled, secret_enc, prev_secret_enc, prev_until, cursor, failures,
	disabled_reason, created_at, updated_at`

func scanEndpoint(row pgx.Row) (coach.WebhookEndpoint, error) {
	var e coach.WebhookEndpoint
	err := row.Scan(&e.ID, &e.UserID, &e.URL, &e.EventTypes, &e.Enabled, &e.SecretEnc, &e.PrevSecretEnc, &e.PrevUntil,
		&e.Cursor, &e.Failures, &e.DisabledReason, &e.CreatedAt, &e.UpdatedAt)
	if e.EventTypes == nil {
		e.EventTypes = []string{}
	}
	e.PrevUntil = utcPtr(e.PrevUntil)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, err
}

const deliveryCols = `id, user_id, endpoint_id, message_id, event_id, event_type, body, status, attempts, next_attempt_at,
	last_attempt_at, response_status, response_excerpt, error, created_at, delivered_at`

func scanDelivery(row pgx.Row) (coach.WebhookDelivery, error) {
	var d coach.WebhookDelivery
	err := row.Scan(&d.ID, &d.UserID, &d.EndpointID, &d.MessageID, &d.EventID, &d.EventType, &d.Body, &d.Status, &d.Attempts,
		&d.NextAttemptAt, &d.LastAttemptAt, &d.ResponseStatus, &d.ResponseExcerpt, &d.Error, &d.CreatedAt, &d.DeliveredAt)
	d.NextAttemptAt, d.LastAttemptAt, d.DeliveredAt = utcPtr(d.NextAttemptAt), utcPtr(d.LastAttemptAt), utcPtr(d.DeliveredAt)
	d.CreatedAt = d.CreatedAt.UTC()
	return d, err
}

func endpointNotFound() error { return coach.Errorf(coach.ENOTFOUND, "webhook endpoint not found") }
func deliveryNotFound() error { return coach.Errorf(coach.ENOTFOUND, "webhook delivery not found") }

// checkEndpoint validates e and that its texts can be stored.
func checkEndpoint(e coach.WebhookEndpoint) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if err := checkText("url", e.URL); err != nil {
		return err
	}
	return checkText("disabledReason", e.DisabledReason)
}

func typesOf(e coach.WebhookEndpoint) []string {
	if e.EventTypes == nil {
		return []string{}
	}
	return e.EventTypes
}

func (r webhooks) CreateEndpoint(ctx context.Context, e coach.WebhookEndpoint) (coach.WebhookEndpoint, error) {
	if err := checkEndpoint(e); err != nil {
		return coach.WebhookEndpoint{}, err
	}
	if err := checkText("cursor", e.Cursor); err != nil {
		return coach.WebhookEndpoint{}, err
	}
	var out coach.WebhookEndpoint
	err := r.s.write(ctx, func(q querier) error {
		var err error
		out, err = scanEndpoint(q.QueryRow(ctx, `INSERT INTO {schema}.webhook_endpoints (`+endpointCols+`)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $2)
			ON CONFLICT DO NOTHING
			RETURNING `+endpointCols, e.ID, e.UserID, e.URL, typesOf(e), e.Enabled, e.SecretEnc, e.PrevSecretEnc, e.PrevUntil,
			e.Cursor, e.Failures, e.DisabledReason, e.CreatedAt, e.UpdatedAt))
		if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
			return conflictOrMissingUser(ctx, q, e.UserID, "a webhook endpoint with this id already exists")
		}
		return err
	})
	if err != nil {
		return coach.WebhookEndpoint{}, err
	}
	return out, nil
}

func (r webhooks) Endpoint(ctx context.Context, userID, id string) (coach.WebhookEndpoint, error) {
	if !textOK(userID) || !textOK(id) {
		return coach.WebhookEndpoint{}, endpointNotFound()
	}
	var out coach.WebhookEndpoint
	err := r.s.read(ctx, func(q querier) error {
		var err error
		out, err = scanEndpoint(q.QueryRow(ctx, `SELECT `+endpointCols+` FROM {schema}.webhook_endpoints WHERE user_id = $1 AND id = $2`, userID, id))
		if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
			return endpointNotFound()
		}
		return err
	})
	return out, err
}

func (r webhooks) Endpoints(ctx context.Context, userID string) ([]coach.WebhookEndpoint, error) {
	if !textOK(userID) {
		return nil, nil
	}
	var out []coach.WebhookEndpoint
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+endpointCols+` FROM {schema}.webhook_endpoints WHERE user_id = $1 ORDER BY created_at, id`, userID)
		if err != nil {
			return err
		}
		out, err = collect(rows, scanEndpoint)
		return err
	})
	return out, err
}

func (r webhooks) UpdateEndpoint(ctx context.Context, e coach.WebhookEndpoint) (coach.WebhookEndpoint, error) {
	if !textOK(e.UserID) || !textOK(e.ID) {
		return coach.WebhookEndpoint{}, endpointNotFound()
	}
	var out coach.WebhookEndpoint
	err := r.s.write(ctx, func(q querier) error {
		cur, err := scanEndpoint(q.QueryRow(ctx, `SELECT `+endpointCols+` FROM {schema}.webhook_endpoints WHERE user_id = $1 AND id = $2 FOR UPDATE`,
			e.UserID, e.ID))
		if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
			return endpointNotFound()
		} else if err != nil {
			return err
		}
		e.CreatedAt, e.Cursor = cur.CreatedAt, cur.Cursor
		if err := checkEndpoint(e); err != nil {
			return err
		}
		out, err = scanEndpoint(q.QueryRow(ctx, `UPDATE {schema}.webhook_endpoints SET url = $3, event_types = $4, enabled = $5,
			secret_enc = $6, prev_secret_enc = $7, prev_until = $8, failures = $9, disabled_reason = $10, updated_at = $11
			WHERE user_id = $1 AND id = $2 RETURNING `+endpointCols,
			e.UserID, e.ID, e.URL, typesOf(e), e.Enabled, e.SecretEnc, e.PrevSecretEnc, e.PrevUntil, e.Failures, e.DisabledReason, e.UpdatedAt))
		return err
	})
	return out, err
}

func (r webhooks) DeleteEndpoint(ctx context.Context, userID, id string) error {
	if !textOK(userID) || !textOK(id) {
		return endpointNotFound()
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.webhook_endpoints WHERE user_id = $1 AND id = $2`, userID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return endpointNotFound()
		}
		return nil
	})
}

func (r webhooks) Active(ctx context.Context, after string, limit int) ([]coach.WebhookEndpoint, error) {
	if !textOK(after) {
		return nil, coach.Errorf(coach.EINVALID, "after: malformed")
	}
	var out []coach.WebhookEndpoint
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+endpointCols+` FROM {schema}.webhook_endpoints WHERE enabled AND id > $1 ORDER BY id LIMIT $2`,
			after, storage.Clamp(limit))
		if err != nil {
			return err
		}
		out, err = collect(rows, scanEndpoint)
		return err
	})
	return out, err
}

func (r webhooks) Enqueue(ctx context.Context, userID, endpointID string, ds []coach.WebhookDelivery, move *storage.CursorMove) error {
	for _, d := range ds {
		if err := d.Validate(); err != nil {
			return err
		}
		if d.UserID != userID || d.EndpointID != endpointID || d.Status != coach.DeliveryPending {
			return coach.Errorf(coach.EINVALID, "delivery %s: want a pending delivery of endpoint %s", d.ID, endpointID)
		}
	}
	if !textOK(userID) || !textOK(endpointID) {
		return endpointNotFound()
	}
	if move != nil && (!textOK(move.From) || !textOK(move.To)) {
		return coach.Errorf(coach.EINVALID, "cursor: malformed")
	}
	return r.s.write(ctx, func(q querier) error {
		var cursor string
		err := q.QueryRow(ctx, `SELECT cursor FROM {schema}.webhook_endpoints WHERE user_id = $1 AND id = $2 FOR UPDATE`,
			userID, endpointID).Scan(&cursor)
		if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
			return endpointNotFound()
		} else if err != nil {
			return err
		}
		if move != nil {
			if cursor != move.From {
				return coach.Errorf(coach.ECONFLICT, "webhook endpoint %s: cursor moved", endpointID)
			}
			if _, err := q.Exec(ctx, `UPDATE {schema}.webhook_endpoints SET cursor = $3 WHERE user_id = $1 AND id = $2`,
				userID, endpointID, move.To); err != nil {
				return err
			}
		}
		if len(ds) == 0 {
			return nil
		}
		b := &pgx.Batch{}
		for _, d := range ds {
			b.Queue(`INSERT INTO {schema}.webhook_deliveries (id, user_id, endpoint_id, message_id, event_id, event_type, body, status, next_attempt_at, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) ON CONFLICT (endpoint_id, message_id) DO NOTHING`,
				d.ID, userID, endpointID, d.MessageID, d.EventID, d.EventType, []byte(d.Body), d.NextAttemptAt, d.CreatedAt)
		}
		res := q.SendBatch(ctx, b)
		for range ds {
			if _, err := res.Exec(); err != nil {
				_ = res.Close()
				return err
			}
		}
		return res.Close()
	})
}

func (r webhooks) Pending(ctx context.Context, userID, endpointID string, limit int) ([]coach.WebhookDelivery, error) {
	if !textOK(userID) || !textOK(endpointID) {
		return nil, nil
	}
	var out []coach.WebhookDelivery
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+deliveryCols+` FROM {schema}.webhook_deliveries
			WHERE endpoint_id = $2 AND user_id = $1 AND status = 'pending' ORDER BY seq LIMIT $3`, userID, endpointID, storage.Clamp(limit))
		if err != nil {
			return err
		}
		out, err = collect(rows, scanDelivery)
		return err
	})
	return out, err
}

func (r webhooks) Due(ctx context.Context, now time.Time, limit int) ([]storage.DueEndpoint, error) {
	var out []storage.DueEndpoint
	err := r.s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT DISTINCT d.user_id, d.endpoint_id FROM {schema}.webhook_deliveries d
			JOIN {schema}.webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
			WHERE d.status = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.endpoint_id LIMIT $2`, now, storage.Clamp(limit))
		if err != nil {
			return err
		}
		out, err = collect(rows, func(row pgx.Row) (storage.DueEndpoint, error) {
			var d storage.DueEndpoint
			return d, row.Scan(&d.UserID, &d.EndpointID)
		})
		return err
	})
	return out, err
}

func (r webhooks) RecordAttempt(ctx context.Context, userID, id string, a storage.WebhookAttempt) (coach.WebhookDelivery, coach.WebhookEndpoint, error) {
	if err := a.Validate(); err != nil {
		return coach.WebhookDelivery{}, coach.WebhookEndpoint{}, err
	}
	if err := checkText("error", a.Error); err != nil {
		return coach.WebhookDelivery{}, coach.WebhookEndpoint{}, err
	}
	if !textOK(a.ResponseExcerpt) {
		a.ResponseExcerpt = ""
	}
	if !textOK(userID) || !textOK(id) {
		return coach.WebhookDelivery{}, coach.WebhookEndpoint{}, deliveryNotFound()
	}
	var (
		outD coach.WebhookDelivery
		outE coach.WebhookEndpoint
	)
	err := r.s.write(ctx, func(q querier) error {
		cur, err := scanDelivery(q.QueryRow(ctx, `SELECT `+deliveryCols+` FROM {schema}.webhook_deliveries WHERE user_id = $1 AND id = $2 FOR UPDATE`, userID, id))
		if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
			return deliveryNotFound()
		} else if err != nil {
			return err
		}
		n := a.Apply(cur)
		outD, err = scanDelivery(q.QueryRow(ctx, `UPDATE {schema}.webhook_deliveries SET attempts = $3, last_attempt_at = $4, status = $5,
			next_attempt_at = $6, response_status = $7, response_excerpt = $8, error = $9, delivered_at = $10
			WHERE user_id = $1 AND id = $2 RETURNING `+deliveryCols,
			userID, id, n.Attempts, n.LastAttemptAt, n.Status, n.NextAttemptAt, n.ResponseStatus, n.ResponseExcerpt, n.Error, n.DeliveredAt))
		if err != nil {
			return err
		}
		outE, err = scanEndpoint(q.QueryRow(ctx, `UPDATE {schema}.webhook_endpoints
			SET failures = CASE WHEN $3 THEN 0 ELSE failures + 1 END
			WHERE user_id = $1 AND id = $2 RETURNING `+endpointCols, userID, cur.EndpointID, a.Status == coach.DeliverySucceeded))
		return err
	})
	return outD, outE, err
}

func (r webhooks) Delivery(ctx context.Context, userID, id string) (coach.WebhookDelivery, error) {
	if !textOK(userID) || !textOK(id) {
		return coach.WebhookDelivery{}, deliveryNotFound()
	}
	var out coach.WebhookDelivery
	err := r.s.read(ctx, func(q querier) error {
		var err error
		out, err = scanDelivery(q.QueryRow(ctx, `SELECT `+deliveryCols+` FROM {schema}.webhook_deliveries WHERE user_id = $1 AND id = $2`, userID, id))
		if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
			return deliveryNotFound()
		}
		return err
	})
	return out, err
}

func (r webhooks) Deliveries(ctx context.Context, userID, endpointID, before string, limit int) ([]coach.WebhookDelivery, error) {
	if !textOK(userID) || !textOK(endpointID) || !textOK(before) {
		return nil, nil
	}
	var out []coach.WebhookDelivery
	err := r.s.read(ctx, func(q querier) error {
		var (
			cutAt time.Time
			cutID string
		)
		if before != "" {
			if err := q.QueryRow(ctx, `SELECT created_at, id FROM {schema}.webhook_deliveries WHERE user_id = $1 AND id = $2`,
				userID, before).Scan(&cutAt, &cutID); err != nil {
				if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
					return deliveryNotFound()
				}
				return err
			}
		}
		rows, err := q.Query(ctx, `SELECT `+deliveryCols+` FROM {schema}.webhook_deliveries
			WHERE user_id = $1 AND ($2 = '' OR endpoint_id = $2) AND ($3 = '' OR (created_at, id) < ($4, $3))
			ORDER BY created_at DESC, id DESC LIMIT $5`, userID, endpointID, cutID, cutAt, storage.Clamp(limit))
		if err != nil {
			return err
		}
		out, err = collect(rows, scanDelivery)
		return err
	})
	return out, err
}

func (r webhooks) Replay(ctx context.Context, userID, id string, at time.Time) (coach.WebhookDelivery, error) {
	if at.IsZero() {
		return coach.WebhookDelivery{}, coach.Errorf(coach.EINVALID, "replay: at: required")
	}
	if !textOK(userID) || !textOK(id) {
		return coach.WebhookDelivery{}, deliveryNotFound()
	}
	var out coach.WebhookDelivery
	err := r.s.write(ctx, func(q querier) error {
		var err error
		out, err = scanDelivery(q.QueryRow(ctx, `UPDATE {schema}.webhook_deliveries SET status = 'pending', next_attempt_at = $3, attempts = 0
			WHERE user_id = $1 AND id = $2 RETURNING `+deliveryCols, userID, id, at))
		if coach.ErrorCode(formatError(err)) == coach.ENOTFOUND {
			return deliveryNotFound()
		}
		return err
	})
	return out, err
}

// PruneDeliveries deletes the oldest settled deliveries by the expression index of migration
// 00020 (webhook_deliveries_settled), which it names exactly so that the planner uses it.
func (r webhooks) PruneDeliveries(ctx context.Context, before time.Time, limit int) (int, error) {
	if before.IsZero() {
		return 0, coach.Errorf(coach.EINVALID, "prune deliveries: before: required")
	}
	n := 0
	err := r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.webhook_deliveries WHERE id IN (
			SELECT id FROM {schema}.webhook_deliveries
			WHERE status <> 'pending' AND coalesce(last_attempt_at, created_at) < $1
			ORDER BY coalesce(last_attempt_at, created_at), id LIMIT $2)`, before, storage.Clamp(limit))
		if err != nil {
			return err
		}
		n = int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// MarkBroken inserts the breaks not recorded yet and returns them.
func (r rules) MarkBroken(ctx context.Context, userID string, breaks []storage.RuleBreak) ([]storage.RuleBreak, error) {
	for _, b := range breaks {
		if b.RuleID == "" || b.TradeID == "" || len(b.RuleID) > 256 || len(b.TradeID) > 256 || !textOK(b.RuleID) || !textOK(b.TradeID) {
			return nil, coach.Errorf(coach.EINVALID, "rule break: rule and trade ids required")
		}
	}
	if !textOK(userID) {
		return nil, coach.Errorf(coach.ENOTFOUND, "user not found")
	}
	var out []storage.RuleBreak
	err := r.s.write(ctx, func(q querier) error {
		out = nil
		var exists bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM {schema}.users WHERE id = $1)`, userID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return coach.Errorf(coach.ENOTFOUND, "user not found")
		}
		for _, b := range breaks {
			var at *time.Time
			if !b.At.IsZero() {
				at = &b.At
			}
			tag, err := q.Exec(ctx, `INSERT INTO {schema}.rule_breaks (user_id, rule_id, trade_id, broken_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT DO NOTHING`, userID, b.RuleID, b.TradeID, at)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				out = append(out, b)
			}
		}
		return nil
	})
	return out, err
}
