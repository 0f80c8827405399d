package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
)

// The schema itself refuses a connection that is not revoked without its sealed access token,
// even written past the adapter (migration 00002), and accepts a revoked one without tokens.
func TestConnectionAccessEncCheck(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	u := newUser(t, db)
	insert := func(status string, access []byte) error {
		_, err := db.Pool().Exec(ctx, `INSERT INTO broker_connections (id, user_id, broker, status, access_enc, created_at)
			VALUES ($1, $2, 'coinbase', $3, $4, $5)`, coach.NewID(), u.ID, status, access, time.Now())
		return err
	}
	for _, status := range []string{coach.ConnectionActive, coach.ConnectionPaused} {
		if err := insert(status, nil); err == nil || !strings.Contains(err.Error(), "broker_connections_access_enc") {
			t.Errorf("%s connection without access_enc: err = %v, want the check to refuse it", status, err)
		}
	}
	if err := insert(coach.ConnectionRevoked, nil); err != nil {
		t.Errorf("revoked connection without tokens: %v", err)
	}
	if err := insert(coach.ConnectionActive, []byte{1}); err != nil {
		t.Errorf("active connection with access_enc: %v", err)
	}
}
