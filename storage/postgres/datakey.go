package postgres

import (
	"context"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// dataKeys is storage.DataKeys: one row per user in data_keys.
type dataKeys struct{ s *scope }

// DataKeys returns the users' wrapped data keys.
func (r repos) DataKeys() storage.DataKeys { return dataKeys(r) }

// dataKeyNotFound is the error for a user without a stored key.
func dataKeyNotFound() error { return coach.Errorf(coach.ENOTFOUND, "data key not found") }

// Get returns the user's data key, or ENOTFOUND.
func (r dataKeys) Get(ctx context.Context, userID string) (storage.DataKey, error) {
	if !textOK(userID) {
		return storage.DataKey{}, dataKeyNotFound()
	}
	var k storage.DataKey
	err := r.s.read(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT id, user_id, kek_id, wrapped, created_at FROM {schema}.data_keys WHERE user_id = $1`, userID).
			Scan(&k.ID, &k.UserID, &k.KEKID, &k.Wrapped, &k.CreatedAt)
	})
	if coach.ErrorCode(err) == coach.ENOTFOUND {
		return storage.DataKey{}, dataKeyNotFound()
	}
	k.CreatedAt = k.CreatedAt.UTC()
	return k, err
}

// Put stores the user's key or replaces its wrapping (see storage.DataKeys). ENOTFOUND when the
// user does not exist.
func (r dataKeys) Put(ctx context.Context, k storage.DataKey) error {
	if err := checkDataKey(k); err != nil {
		return err
	}
	if k.ID == "" {
		k.ID = coach.NewID()
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = r.s.db.clock.Now()
	}
	return r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `INSERT INTO {schema}.data_keys (id, user_id, kek_id, wrapped, created_at)
			SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM {schema}.users WHERE id = $2)
			ON CONFLICT (user_id) DO UPDATE SET kek_id = excluded.kek_id, wrapped = excluded.wrapped`,
			k.ID, k.UserID, k.KEKID, k.Wrapped, k.CreatedAt.UTC())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return coach.Errorf(coach.ENOTFOUND, "data key: user not found")
		}
		return nil
	})
}

// Delete removes the user's key, reporting whether there was one.
func (r dataKeys) Delete(ctx context.Context, userID string) (bool, error) {
	if !textOK(userID) {
		return false, nil
	}
	var n int64
	err := r.s.write(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM {schema}.data_keys WHERE user_id = $1`, userID)
		n = tag.RowsAffected()
		return err
	})
	return n > 0, err
}

// checkDataKey rejects a key that cannot be stored, before any SQL.
func checkDataKey(k storage.DataKey) error {
	switch {
	case k.UserID == "" || !textOK(k.UserID):
		return coach.Errorf(coach.EINVALID, "data key: userId: required text")
	case k.KEKID == "" || len(k.KEKID) > 255 || !textOK(k.KEKID):
		return coach.Errorf(coach.EINVALID, "data key: kekId: want 1 to 255 bytes of text")
	case len(k.Wrapped) == 0 || len(k.Wrapped) > 4096:
		return coach.Errorf(coach.EINVALID, "data key: wrapped: want 1 to 4096 bytes")
	case k.ID != "" && (len(k.ID) > 256 || !textOK(k.ID)):
		return coach.Errorf(coach.EINVALID, "data key: id: want at most 256 bytes of text")
	}
	return nil
}
