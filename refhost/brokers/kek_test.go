package brokers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/broker/seal"
	"github.com/tradecoach/coach/broker/seal/awskms/kmstest"
	"github.com/tradecoach/coach/refhost/brokers"
	"github.com/tradecoach/coach/refhost/config"
)

// TestKEKsChoosesTheKey: the local key is the default; REFHOST_KMS_KEY_ID puts the KEK in KMS
// (reached here at a fake KMS over HTTP), with the local key and the retired KMS keys as previous
// keys, so credentials sealed before still open and a Sealer built from KEKs re-wraps them.
func TestKEKsChoosesTheKey(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	fake := kmstest.New("old", "new")
	defer fake.Close()
	ctx := context.Background()
	localKey := []byte(strings.Repeat("L", seal.KeySize))

	kek, prev, err := brokers.KEKs(ctx, config.Config{KEK: localKey})
	if err != nil || !strings.HasPrefix(kek.ID(), "local-") || len(prev) != 0 {
		t.Fatalf("local only: %v %v %v", kek, prev, err)
	}
	local := kek

	cfg := config.Config{KEK: localKey, KMSKeyID: kmstest.KeyARN("new"), KMSPreviousKeyIDs: " " + kmstest.KeyARN("old") + ",",
		KMSRegion: kmstest.Region, KMSEndpoint: fake.URL}
	kek, prev, err = brokers.KEKs(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if kek.ID() != "awskms:"+kmstest.KeyARN("new") || len(prev) != 2 || prev[0].ID() != local.ID() || prev[1].ID() != "awskms:"+kmstest.KeyARN("old") {
		t.Fatalf("with KMS: current %s, previous %v", kek.ID(), prev)
	}

	// Sealed under the local key before the move; opened and re-wrapped after it.
	conn := coach.BrokerConnection{ID: coach.NewID(), UserID: coach.NewID(), Broker: coach.BrokerBinance, Status: coach.ConnectionActive, CreatedAt: time.Now().UTC()}
	b := seal.For(conn, seal.PurposeAccess)
	before, _ := seal.New(seal.Config{KEK: local})
	sealed, err := before.Seal(ctx, b, seal.NewToken("api-secret"))
	if err != nil {
		t.Fatal(err)
	}
	after, err := seal.New(seal.Config{KEK: kek, Previous: prev})
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := after.Open(ctx, b, sealed); err != nil || tok.Reveal() != "api-secret" {
		t.Fatalf("a local envelope after the move to KMS: %v", err)
	}
	moved, err := after.Rewrap(ctx, conn.UserID, sealed)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := after.KEKID(moved); id != kek.ID() || fake.Calls("Encrypt", "new") != 1 {
		t.Errorf("re-wrapped under %s with %d Encrypt calls, want %s and 1", id, fake.Calls("Encrypt", "new"), kek.ID())
	}
	if tok, err := after.Open(ctx, b, moved); err != nil || tok.Reveal() != "api-secret" || fake.Calls("Decrypt", "new") != 1 {
		t.Errorf("the re-wrapped envelope: %v (%d Decrypt calls)", err, fake.Calls("Decrypt", "new"))
	}

	for _, bad := range []config.Config{{}, {KEK: localKey, KMSPreviousKeyIDs: "x"}} {
		if _, _, err := brokers.KEKs(ctx, bad); coach.ErrorCode(err) != coach.EINVALID {
			t.Errorf("KEKs(%+v) = %v, want EINVALID", bad, err)
		}
	}
}
