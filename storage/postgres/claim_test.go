package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// TestUndeliveredClaimsWholeUsers shows why several dispatchers keep each user's events in id
// order: while one transaction has claimed a user's undelivered events, another transaction's
// Undelivered returns none of that user's events (not even later ones), but does return other
// users' events.
func TestUndeliveredClaimsWholeUsers(t *testing.T) {
	t.Parallel()
	db := MustOpenTestDB(t)
	ctx := context.Background()
	alice, bob := newUser(t, db), newUser(t, db)
	for _, u := range []string{alice.ID, alice.ID, alice.ID, bob.ID} {
		e, _ := coach.NewEvent(u, coach.EventImportProgress, 1, map[string]string{"u": u})
		if _, err := db.Events().Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	claimed := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.InTx(ctx, func(tx storage.Tx) error {
			evs, err := tx.Events().Undelivered(ctx, 1) // claims alice (her oldest event only is returned)
			if err != nil {
				return err
			}
			if len(evs) != 1 || evs[0].UserID != alice.ID {
				t.Errorf("first dispatcher got %+v, want alice's oldest event", evs)
			}
			close(claimed)
			<-release
			return nil
		})
	}()
	select {
	case <-claimed:
	case <-time.After(30 * time.Second):
		t.Fatal("first dispatcher never claimed")
	}
	err := db.InTx(ctx, func(tx storage.Tx) error {
		evs, err := tx.Events().Undelivered(ctx, 10)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if e.UserID == alice.ID {
				t.Errorf("second dispatcher got alice's event %s while she is claimed", e.ID)
			}
		}
		if len(evs) != 1 || evs[0].UserID != bob.ID {
			t.Errorf("second dispatcher got %d events, want bob's one", len(evs))
		}
		return nil
	})
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
