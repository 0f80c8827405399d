package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/tradecoach/coach"
	"github.com/tradecoach/coach/storage"
)

// RunIdempotency checks the storage.Idempotency contract against the adapter newIdem makes. Each
// subtest gets a fresh Idempotency and random keys, and runs in parallel.
func RunIdempotency(t *testing.T, newIdem func(t *testing.T) storage.Idempotency) {
	ctx := context.Background()

	claim := func(t *testing.T, s storage.Idempotency, key, hash string, ttl time.Duration) storage.IdemRecord {
		t.Helper()
		rec, err := s.Claim(ctx, key, hash, ttl)
		must(t, err, "Claim "+key)
		return rec
	}

	t.Run("FreeKeyIsClaimed", func(t *testing.T) {
		t.Parallel()
		s := newIdem(t)
		diff(t, "Claim", storage.IdemRecord{State: storage.IdemClaimed}, claim(t, s, randomKey(t), "h1", time.Minute))
	})

	t.Run("InFlightKeyIsConflict", func(t *testing.T) {
		t.Parallel()
		s := newIdem(t)
		k := randomKey(t)
		claim(t, s, k, "h1", time.Minute)
		_, err := s.Claim(ctx, k, "h1", time.Minute)
		wantCode(t, err, coach.ECONFLICT, "second Claim while in flight")
	})

	t.Run("CompletedKeyReplaysResponse", func(t *testing.T) {
		t.Parallel()
		s := newIdem(t)
		k := randomKey(t)
		claim(t, s, k, "h1", time.Minute)
		must(t, s.Complete(ctx, k, []byte(`{"status":201}`), time.Hour), "Complete")
		for range 2 {
			rec, err := s.Claim(ctx, k, "h1", time.Minute)
			must(t, err, "Claim after Complete")
			diff(t, "Claim after Complete", storage.IdemRecord{State: storage.IdemDone, Response: []byte(`{"status":201}`)}, rec)
		}
	})

	t.Run("CompletedKeyWithOtherHashIsInvalid", func(t *testing.T) {
		t.Parallel()
		s := newIdem(t)
		k := randomKey(t)
		claim(t, s, k, "h1", time.Minute)
		must(t, s.Complete(ctx, k, []byte("resp"), time.Hour), "Complete")
		_, err := s.Claim(ctx, k, "h2", time.Minute)
		wantCode(t, err, coach.EINVALID, "Claim with another request hash")
	})

	t.Run("CompleteUnclaimedIsNotFound", func(t *testing.T) {
		t.Parallel()
		s := newIdem(t)
		wantCode(t, s.Complete(ctx, randomKey(t), []byte("resp"), time.Hour), coach.ENOTFOUND, "Complete unclaimed")
	})

	t.Run("ReleaseFreesKey", func(t *testing.T) {
		t.Parallel()
		s := newIdem(t)
		k := randomKey(t)
		claim(t, s, k, "h1", time.Minute)
		must(t, s.Release(ctx, k), "Release")
		wantCode(t, s.Complete(ctx, k, []byte("resp"), time.Hour), coach.ENOTFOUND, "Complete after Release")
		diff(t, "Claim after Release", storage.IdemRecord{State: storage.IdemClaimed}, claim(t, s, k, "h1", time.Minute))
	})

	t.Run("KeysAreIndependent", func(t *testing.T) {
		t.Parallel()
		s := newIdem(t)
		p := randomKey(t)
		claim(t, s, p+":a", "h", time.Minute)
		diff(t, "Claim b", storage.IdemRecord{State: storage.IdemClaimed}, claim(t, s, p+":b", "h", time.Minute))
	})

	t.Run("CallerCannotMutateStoredResponse", func(t *testing.T) {
		t.Parallel()
		s := newIdem(t)
		k := randomKey(t)
		claim(t, s, k, "h1", time.Minute)
		resp := []byte("resp")
		must(t, s.Complete(ctx, k, resp, time.Hour), "Complete")
		resp[0] = 'X'
		rec := claim(t, s, k, "h1", time.Minute)
		rec.Response[1] = 'Y'
		diff(t, "Claim after mutations", storage.IdemRecord{State: storage.IdemDone, Response: []byte("resp")}, claim(t, s, k, "h1", time.Minute))
	})

	t.Run("NonPositiveTTLIsInvalid", func(t *testing.T) {
		t.Parallel()
		s := newIdem(t)
		k := randomKey(t)
		_, err := s.Claim(ctx, k, "h1", 0)
		wantCode(t, err, coach.EINVALID, "Claim ttl 0")
		claim(t, s, k, "h1", time.Minute)
		wantCode(t, s.Complete(ctx, k, []byte("r"), 0), coach.EINVALID, "Complete ttl 0")
	})

	t.Run("ClaimExpiresAfterTTL", func(t *testing.T) {
		t.Parallel()
		s := newIdem(t)
		k := randomKey(t)
		claim(t, s, k, "h1", shortTTL)
		eventually(t, "expired claim can be claimed again", func() bool {
			rec, err := s.Claim(ctx, k, "h1", time.Minute)
			switch coach.ErrorCode(err) {
			case "":
				if rec.State != storage.IdemClaimed {
					t.Fatalf("Claim after expiry: state %v, want IdemClaimed", rec.State)
				}
				return true
			case coach.ECONFLICT:
				return false
			}
			t.Fatalf("Claim: %v", err)
			return false
		})
	})

	t.Run("CompletedRecordExpiresAfterTTL", func(t *testing.T) {
		t.Parallel()
		s := newIdem(t)
		k := randomKey(t)
		claim(t, s, k, "h1", time.Hour)
		must(t, s.Complete(ctx, k, []byte("resp"), shortTTL), "Complete")
		eventually(t, "expired response is forgotten", func() bool {
			rec, err := s.Claim(ctx, k, "h2", time.Minute)
			switch coach.ErrorCode(err) {
			case "":
				if rec.State != storage.IdemClaimed {
					t.Fatalf("Claim after expiry: state %v, want IdemClaimed", rec.State)
				}
				return true
			case coach.EINVALID:
				return false
			}
			t.Fatalf("Claim: %v", err)
			return false
		})
	})
}
