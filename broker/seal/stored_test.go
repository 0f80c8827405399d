package seal_test

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/storage/memory"
)

// TestStoredKeysOutliveTheSealerAndGoWithTheUser keeps a user's data key in a store: a second
// Sealer on the same store (a restart) reuses it and opens what the first sealed; a KEK rotation
// keeps the key's id; erasing the user deletes it, and the next Seal makes a new one.
func TestStoredKeysOutliveTheSealerAndGoWithTheUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	u := coach.User{ID: coach.NewID(), Email: "k@example.com", CreatedAt: time.Now().UTC()}
	if err := store.Users().Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	keys := seal.StoredKeys{Keys: store.DataKeys()}
	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: u.ID, Broker: coach.BrokerBinance}
	b := seal.For(conn, seal.PurposeAPISecret)

	first := mustSealer(t, seal.Config{KEK: mustKEK(t, 1), DataKeys: keys})
	sealed, err := first.Seal(ctx, b, seal.NewToken("secret"))
	if err != nil {
		t.Fatal(err)
	}
	dk, err := store.DataKeys().Get(ctx, u.ID)
	if err != nil || dk.ID == "" || dk.KEKID != mustKEK(t, 1).ID() {
		t.Fatalf("stored data key %v, %v", dk, err)
	}

	restarted := mustSealer(t, seal.Config{KEK: mustKEK(t, 1), DataKeys: keys})
	if tok, err := restarted.Open(ctx, b, sealed); err != nil || tok.Reveal() != "secret" {
		t.Fatalf("Open after a restart: %v", err)
	}
	again, err := restarted.Seal(ctx, b, seal.NewToken("other"))
	if err != nil {
		t.Fatal(err)
	}
	e1, _ := seal.Decode(sealed)
	e2, _ := seal.Decode(again)
	if string(e1.WrappedDEK) != string(e2.WrappedDEK) {
		t.Error("the restarted sealer did not reuse the stored data key")
	}

	rotated := mustSealer(t, seal.Config{KEK: mustKEK(t, 2), Previous: []seal.KEK{mustKEK(t, 1)}, DataKeys: keys})
	if err := rotated.RewrapDataKey(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	after, err := store.DataKeys().Get(ctx, u.ID)
	if err != nil || after.ID != dk.ID || after.KEKID != mustKEK(t, 2).ID() {
		t.Errorf("after the rotation: %v, %v; want id %s under the new KEK", after, err, dk.ID)
	}

	if _, err := store.Erasures().Erase(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DataKeys().Get(ctx, u.ID); coach.ErrorCode(err) != coach.ENOTFOUND {
		t.Errorf("data key after the erasure: %v", err)
	}
}
